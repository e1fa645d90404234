/** The part of a plugin's JSON schema (GetPluginSchema) a settings form needs. */
export interface SchemaField {
  readonly name: string;
  readonly type: "string" | "number" | "integer" | "boolean";
  readonly description: string;
  readonly required: boolean;
  readonly defaultValue: string | undefined;
  readonly options: readonly string[] | undefined;
  readonly format: string | undefined;
  readonly pattern: string | undefined;
}

export interface PluginForm {
  readonly fields: readonly SchemaField[];
  /** Write-only: the gateway's schema lists them under `x-orbit-secret-keys`. */
  readonly secrets: readonly string[];
}

interface JsonSchemaProperty {
  type?: unknown;
  description?: unknown;
  default?: unknown;
  enum?: unknown;
  format?: unknown;
  pattern?: unknown;
}

const TYPES = new Set(["string", "number", "integer", "boolean"]);

export function formOfSchema(jsonSchema: string): PluginForm {
  const schema = (jsonSchema ? JSON.parse(jsonSchema) : {}) as {
    properties?: Record<string, JsonSchemaProperty>;
    required?: unknown;
    "x-orbit-secret-keys"?: unknown;
  };
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]): SchemaField => {
    const type = typeof property.type === "string" && TYPES.has(property.type) ? (property.type as SchemaField["type"]) : "string";
    return {
      name,
      type,
      description: typeof property.description === "string" ? property.description : "",
      required: required.has(name),
      defaultValue: property.default === undefined ? undefined : String(property.default),
      options: Array.isArray(property.enum) ? property.enum.map(String) : undefined,
      format: typeof property.format === "string" ? property.format : undefined,
      pattern: typeof property.pattern === "string" ? property.pattern : undefined,
    };
  });
  const secrets = Array.isArray(schema["x-orbit-secret-keys"]) ? schema["x-orbit-secret-keys"].map(String) : [];
  return { fields, secrets };
}

/** "github_api_url" → "GitHub API URL"-ish label without a dictionary: words capitalised. */
export function labelOf(name: string): string {
  return name
    .split("_")
    .map((word) => (["api", "url", "id"].includes(word) ? word.toUpperCase() : word.charAt(0).toUpperCase() + word.slice(1)))
    .join(" ");
}
