import { settings } from "./settings.js";
import type { Config, Setting } from "./settings.js";

/** Raised when the environment holds a setting the gateway cannot use; names it. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Minimum length of the shared HS256 secret, as Orbit's token reference requires. */
export const MIN_SECRET_BYTES = 32;

/** Reads and validates every setting from the environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(settings) as [string, Setting][]) {
    const raw = env[setting.env];
    const result = setting.schema.safeParse(raw === "" ? undefined : raw);
    if (result.success) {
      config[key] = result.data;
    } else {
      const reason = result.error.issues.map((issue) => issue.message).join("; ");
      problems.push(`${setting.env}: ${reason}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const loaded = config as Config;
  checkCombinations(loaded, problems);
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return loaded;
}

function checkCombinations(config: Config, problems: string[]): void {
  if (Boolean(config.tlsCertFile) !== Boolean(config.tlsKeyFile)) {
    problems.push("TLS_CERT_FILE and TLS_KEY_FILE: set both or neither");
  }
  if (config.authSecret !== undefined && Buffer.byteLength(config.authSecret) < MIN_SECRET_BYTES) {
    problems.push(`ORBIT_SVC_AUTH_SECRET: must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  if (config.backstageUrl !== undefined && config.backstageServiceToken === undefined) {
    problems.push("BACKSTAGE_SERVICE_TOKEN: required when BACKSTAGE_URL is set");
  }
  if (config.nodeEnv === "production" && config.authSecret === undefined && config.jwksUrl === undefined) {
    problems.push("ORBIT_SVC_AUTH_SECRET: required in production (or configure ORBIT_JWKS_URL)");
  }
  if (config.workers > 1) {
    // Each process would otherwise have a database, budgets, caches and a development secret of its own.
    const shared = "every gateway process must share it";
    if (config.databaseUrl === undefined)
      problems.push(`DATABASE_URL: required when GATEWAY_WORKERS > 1 (${shared}; embedded PGlite belongs to one process)`);
    if (config.redisUrl === undefined)
      problems.push(`REDIS_URL: required when GATEWAY_WORKERS > 1 (${shared}: rate-limit budgets and caches)`);
    if (config.authSecret === undefined && config.jwksUrl === undefined) {
      problems.push(`ORBIT_SVC_AUTH_SECRET: required when GATEWAY_WORKERS > 1 (or configure ORBIT_JWKS_URL; ${shared})`);
    }
  }
}
