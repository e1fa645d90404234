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

const SPELLING: Record<string, string> = { api: "API", url: "URL", id: "ID", github: "GitHub" };

/** "github_api_url" → "GitHub API URL": words capitalised, a few spelled as people write them. */
export function labelOf(name: string): string {
  return name
    .split("_")
    .map((word) => SPELLING[word] ?? word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}
