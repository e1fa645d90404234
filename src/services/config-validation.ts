import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import * as ajvFormats from "ajv-formats";
import type { CatalogueEntry } from "../catalogue/catalogue.js";
import { createEgressPolicy, type EgressPolicy } from "../egress/policy.js";
import { errors } from "../lib/errors.js";
import type { FieldViolation } from "../lib/errors.js";

/** The effective configuration a write would leave, checked before anything is stored. */
export interface ConfigCheck {
  readonly config: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  /** Whether the plugin ends up enabled: required keys are enforced only then. */
  readonly enabled: boolean;
}

// ajv-formats is CommonJS: under NodeNext its plugin is the default export of the namespace.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv2020) => Ajv2020;

/** The settings of a plugin's schema that are URLs (`format: uri`): upstreams the sidecar will call. */
function urlSettingsOf(entry: CatalogueEntry): string[] {
  const properties = (entry.configSchema as { properties?: Record<string, { format?: unknown }> }).properties ?? {};
  return Object.entries(properties)
    .filter(([, property]) => property.format === "uri")
    .map(([name]) => name);
}

/**
 * Validates plugin configuration against the catalogue's JSON schema (with its
 * defaults applied) and reports every offending field at once, as INVALID_ARGUMENT
 * with a google.rpc.BadRequest detail. URL settings must also pass the egress
 * policy (the operator's allow-list, shared with the sidecar, which enforces it
 * again on every connection, resolved addresses included).
 */
export function createConfigValidator(options: { egress?: EgressPolicy } = {}) {
  const egress = options.egress ?? createEgressPolicy();
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false });
  addFormats(ajv);
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (entry: CatalogueEntry) => {
    let validate = compiled.get(entry.id);
    if (!validate) {
      // Required keys are checked separately, only for enabled plugins.
      const { required: _required, ...schema } = entry.configSchema as { required?: unknown };
      validate = ajv.compile(schema);
      compiled.set(entry.id, validate);
    }
    return validate;
  };

  return {
    /** Returns the configuration with schema defaults filled in. */
    check(entry: CatalogueEntry, change: ConfigCheck): Record<string, string> {
      const config: Record<string, string> = { ...change.config };
      const validate = validatorFor(entry);
      const violations: FieldViolation[] = [];
      if (!validate(config)) violations.push(...(validate.errors ?? []).map(violationOf));
      for (const name of urlSettingsOf(entry)) {
        const value = config[name];
        if (!value || violations.some((violation) => violation.field === `config.${name}`)) continue;
        const verdict = egress.checkUrl(value);
        if (!verdict.allowed) {
          violations.push({
            field: `config.${name}`,
            description: `is refused by the egress policy (rule ${verdict.rule}): ${verdict.reason}`,
          });
        }
      }
      for (const name of Object.keys(change.config)) {
        if (entry.secretKeys.includes(name)) {
          violations.push({ field: `config.${name}`, description: "is a secret: send it in secrets, not config" });
        }
      }
      for (const name of Object.keys(change.secrets)) {
        if (!entry.secretKeys.includes(name)) {
          violations.push({
            field: `secrets.${name}`,
            description: `is not a secret of plugin "${entry.id}" (its secrets: ${entry.secretKeys.join(", ") || "none"})`,
          });
        }
      }
      if (change.enabled) {
        for (const key of entry.requiredConfigKeys) {
          if (!config[key]) violations.push({ field: `config.${key}`, description: "is required to enable the plugin" });
        }
      }
      if (violations.length > 0) throw invalidConfig(entry.id, violations);
      return config;
    },
  };
}

function violationOf(error: ErrorObject): FieldViolation {
  const key =
    error.keyword === "additionalProperties"
      ? String((error.params as { additionalProperty?: string }).additionalProperty)
      : error.instancePath.replace(/^\//, "").replaceAll("/", ".");
  const description = error.keyword === "additionalProperties" ? "is not a setting of this plugin" : (error.message ?? "is invalid");
  return { field: key ? `config.${key}` : "config", description };
}

const invalidConfig = errors.invalidPluginConfig;

export type ConfigValidator = ReturnType<typeof createConfigValidator>;
