import { availableParallelism } from "node:os";
import { z } from "zod";
import { createEgressPolicy, EgressSettingError, settingEntries, type EgressPolicySettings } from "../egress/policy.js";

/**
 * Every setting of the gateway, in one table: the environment variable, how it is
 * parsed and validated, its default and what it means. The README's configuration
 * reference is generated from this table, and start-up validates against it.
 */
export interface Setting<T extends z.ZodType = z.ZodType> {
  readonly env: string;
  readonly schema: T;
  /** Human-readable default for the docs; undefined when the setting has none. */
  readonly defaultText?: string;
  readonly description: string;
}

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const optionalText = z.string().trim().min(1).optional();

/** Duration as milliseconds or with a unit: "250ms", "30s", "5m", "1h". */
export const duration = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const match = /^(\d+)\s*(ms|s|m|min|minute|minutes|h|hour|hours)?$/.exec(value);
    if (!match) {
      ctx.addIssue({ code: "custom", message: `"${value}" is not a duration (use e.g. 500ms, 30s, 1m)` });
      return z.NEVER;
    }
    const amount = Number(match[1]);
    const unit = match[2] ?? "ms";
    const factor = unit === "ms" ? 1 : unit === "s" ? 1_000 : unit.startsWith("m") ? 60_000 : 3_600_000;
    return amount * factor;
  });

/** "ws-a=500,ws-b=50": per-workspace request budgets. */
const workspaceBudgets = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const budgets = new Map<string, number>();
    for (const entry of value
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean)) {
      const [workspace, max, ...rest] = entry.split("=");
      const parsed = Number(max);
      if (!workspace || rest.length > 0 || !Number.isInteger(parsed) || parsed < 0) {
        ctx.addIssue({ code: "custom", message: `"${entry}" is not workspace=count` });
        return z.NEVER;
      }
      budgets.set(workspace.trim(), parsed);
    }
    return budgets;
  });

const list = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);

/** Entries of an egress setting (commas or spaces), each checked by the egress policy's parser. */
const egressEntries = (field: keyof EgressPolicySettings) =>
  z.string().transform((value, ctx) => {
    const entries = settingEntries(value);
    try {
      createEgressPolicy({ [field]: entries });
    } catch (error) {
      if (!(error instanceof EgressSettingError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
      return z.NEVER;
    }
    return entries;
  });

export const settings = {
  nodeEnv: {
    env: "NODE_ENV",
    schema: z.enum(["development", "production", "test"]).default("development"),
    defaultText: "development",
    description: "`production` makes a missing or short `ORBIT_SVC_AUTH_SECRET` stop start-up.",
  },
  host: {
    env: "HOST",
    schema: z.string().trim().min(1).default("0.0.0.0"),
    defaultText: "0.0.0.0",
    description: "Address the gateway listens on.",
  },
  port: {
    env: "PORT",
    schema: port.default(50053),
    defaultText: "50053",
    description: "Port for every protocol: Connect, gRPC and gRPC-Web over HTTP/1.1 and HTTP/2 (h2c, or h2 with TLS).",
  },
  workers: {
    env: "GATEWAY_WORKERS",
    schema: z
      .string()
      .trim()
      .default("1")
      .transform((value, ctx) => {
        if (value === "auto") return availableParallelism();
        const count = Number(value);
        if (!Number.isInteger(count) || count < 1 || count > 64) {
          ctx.addIssue({ code: "custom", message: `"${value}" is not a worker count (1–64, or auto for one per core)` });
          return z.NEVER;
        }
        return count;
      }),
    defaultText: "1",
    description:
      "Gateway processes sharing PORT (Node's cluster module), `auto` for one per core. One process runs JavaScript on one core; more use more cores. Above 1 needs `DATABASE_URL`, `REDIS_URL` (rate limits and caches shared by every process) and a configured token secret or JWKS.",
  },
  metricsPort: {
    env: "METRICS_PORT",
    schema: port.optional(),
    defaultText: "(unset: /metrics on PORT)",
    description: "Serve `GET /metrics` on this separate port (plain HTTP) instead of the main one.",
  },
  tlsCertFile: {
    env: "TLS_CERT_FILE",
    schema: optionalText,
    description: "PEM certificate; with `TLS_KEY_FILE`, serves TLS with ALPN (h2 and http/1.1) instead of cleartext.",
  },
  tlsKeyFile: {
    env: "TLS_KEY_FILE",
    schema: optionalText,
    description: "PEM private key for `TLS_CERT_FILE`.",
  },
  trustProxy: {
    env: "TRUST_PROXY",
    schema: bool.default(false),
    defaultText: "false",
    description:
      "Trust X-Forwarded-For from a proxy in front of the gateway, so calls without a valid token are throttled per real client address.",
  },
  logLevel: {
    env: "LOG_LEVEL",
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    defaultText: "info",
    description: "pino log level.",
  },
  authSecret: {
    env: "ORBIT_SVC_AUTH_SECRET",
    schema: optionalText,
    description:
      "Shared HS256 secret of Orbit's service tokens (at least 32 bytes). Required in production; without it outside production a random secret is generated for the run.",
  },
  jwtIssuer: {
    env: "ORBIT_JWT_ISSUER",
    schema: z.string().trim().min(1).default("orbit-www"),
    defaultText: "orbit-www",
    description: "Required `iss` claim.",
  },
  jwtAudience: {
    env: "ORBIT_JWT_AUDIENCE",
    schema: z.string().trim().min(1).default("orbit-services"),
    defaultText: "orbit-services",
    description: "Required `aud` claim.",
  },
  jwtClockTolerance: {
    env: "ORBIT_JWT_CLOCK_TOLERANCE",
    schema: duration.default(5_000),
    defaultText: "5s",
    description: "Allowed clock skew when checking `exp` and `nbf`.",
  },
  jwksUrl: {
    env: "ORBIT_JWKS_URL",
    schema: z.url({ protocol: /^https?$/ }).optional(),
    description:
      "Optional JWKS mode: verify asymmetric tokens against this JWKS URL instead of the shared secret (keys cached, refetched on an unknown `kid`).",
  },
  jwksAlgorithms: {
    env: "ORBIT_JWKS_ALGORITHMS",
    schema: list
      .pipe(z.array(z.enum(["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"])).min(1))
      .default(["RS256", "ES256", "EdDSA"]),
    defaultText: "RS256,ES256,EdDSA",
    description: "Algorithm allow-list in JWKS mode.",
  },
  databaseUrl: {
    env: "DATABASE_URL",
    schema: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    description: "PostgreSQL for per-workspace plugin state; unset runs an embedded PostgreSQL (PGlite) in `ORBIT_DATA_DIR`.",
  },
  dataDir: {
    env: "ORBIT_DATA_DIR",
    schema: z.string().trim().min(1).default(".data/pglite"),
    defaultText: ".data/pglite",
    description: "PGlite data directory when `DATABASE_URL` is unset; `memory://` keeps it in memory.",
  },
  secretsKeys: {
    env: "ORBIT_SECRETS_KEYS",
    schema: optionalText,
    description:
      "Key ring for plugin secrets at rest: `k1:<base64 of 32 bytes>,k2:<…>`; the last key encrypts, every key decrypts. Without it secrets cannot be stored.",
  },
  backstageUrl: {
    env: "BACKSTAGE_URL",
    schema: z.url({ protocol: /^https?$/ }).optional(),
    description:
      "The Backstage sidecar that hosts the plugins (`npm start` runs one at http://127.0.0.1:7007); unset, data calls answer UNAVAILABLE.",
  },
  backstageServiceToken: {
    env: "BACKSTAGE_SERVICE_TOKEN",
    schema: z.string().trim().min(32, "must be at least 32 characters").optional(),
    description: "Static token the sidecar accepts from the gateway (its `backend.auth.externalAccess`); required with `BACKSTAGE_URL`.",
  },
  egressAllowedHosts: {
    env: "ORBIT_EGRESS_ALLOWED_HOSTS",
    schema: egressEntries("allowedHosts").default([]),
    defaultText: "(none: only api.github.com, *.ghe.com, *.atlassian.net)",
    description:
      "Upstream hosts plugins may call, added to the defaults; give the sidecar the same value. Comma- or space-separated: `ghes.example.com`, `*.example.com`, either with `:port` (without: 80 and 443); an IP address only as `address:port` (`127.0.0.1:4010`), which also allows it when loopback or private. Plugin URL settings outside it are refused at EnablePlugin/UpdatePluginConfig (INVALID_ARGUMENT). See docs/security.md.",
  },
  egressAllowedPrivateNetworks: {
    env: "ORBIT_EGRESS_ALLOWED_PRIVATE_NETWORKS",
    schema: egressEntries("allowedPrivateNetworks").default([]),
    defaultText: "(none)",
    description:
      "CIDRs (`10.20.0.0/16`) that allowed host names may resolve to although not public (an internal GHES or Jira); the sidecar checks resolved addresses. Give both processes the same value.",
  },
  sidecarTimeout: {
    env: "SIDECAR_TIMEOUT",
    schema: duration.default(10_000),
    defaultText: "10s",
    description: "Upstream timeout for calls without a client deadline (a client's deadline always applies).",
  },
  proxyMaxBodyBytes: {
    env: "PROXY_MAX_BODY_BYTES",
    schema: positiveInt.default(1024 * 1024),
    defaultText: "1048576",
    description: "Largest request body ProxyPluginRequest forwards.",
  },
  proxyMaxResponseBytes: {
    env: "PROXY_MAX_RESPONSE_BYTES",
    schema: positiveInt.default(8 * 1024 * 1024),
    defaultText: "8388608",
    description: "Largest plugin answer the gateway accepts.",
  },
  pluginCacheTtl: {
    env: "PLUGIN_CACHE_TTL",
    schema: duration.default(300_000),
    defaultText: "5m",
    description:
      "How long GET answers of plugins are cached (per workspace, plugin, path, query and user token); a plugin's `cacheTtlSeconds` in the catalogue overrides it. `0` turns caching off.",
  },
  pluginStateCacheTtl: {
    env: "PLUGIN_STATE_CACHE_TTL",
    schema: duration.default(5_000),
    defaultText: "5s",
    description:
      "How long a workspace's plugin state (enabled, config version, decrypted secrets) is kept in memory at most for data calls (management calls always read the database). Every replica drops an entry when any replica commits a change, as soon as PostgreSQL's notification arrives (LISTEN/NOTIFY, normally milliseconds); the TTL bounds only changes no notification announces (a row edited by hand). `0` reads it from the database on every call.",
  },
  pluginStateStaleGrace: {
    env: "PLUGIN_STATE_STALE_GRACE",
    schema: duration.default(30_000),
    defaultText: "30s",
    description:
      "While PostgreSQL cannot be reached, calls about one plugin (data calls, typed and deployment RPCs, GetPlugin) keep using its state and secrets as last read within this long instead of failing with UNAVAILABLE; writes, ListPlugins and the audit log still fail, and readiness reports the database without leaving rotation. Needs `PLUGIN_STATE_CACHE_TTL` > 0. `0` fails them at once and makes the database critical for readiness.",
  },
  pipelineCacheTtl: {
    env: "PIPELINE_CACHE_TTL",
    schema: duration.default(5_000),
    defaultText: "5s",
    description:
      "How long a deployment pipeline (GetPipeline) is cached; short, because runs move. A trigger, review, rollback or environment change of the service invalidates it at once. `0` turns it off.",
  },
  pipelineWatchInterval: {
    env: "PIPELINE_WATCH_INTERVAL",
    schema: duration.pipe(z.number().int().min(100, "must be at least 100ms")).default(5_000),
    defaultText: "5s",
    description:
      "How often the one shared poller of a watched pipeline (WatchPipeline, per workspace and service) reads it; watchers get it only when it changed.",
  },
  redisUrl: {
    env: "REDIS_URL",
    schema: z.url({ protocol: /^rediss?$/ }).optional(),
    description: "Redis for rate-limit budgets shared by every replica; unset keeps budgets in memory.",
  },
  rateLimitMax: {
    env: "RATE_LIMIT_MAX",
    schema: z.coerce.number().int().min(0).default(100),
    defaultText: "100",
    description: "Requests per window per workspace (the verified `wid`).",
  },
  rateLimitWindow: {
    env: "RATE_LIMIT_WINDOW",
    schema: duration.default(60_000),
    defaultText: "1m",
    description: "Length of the rate-limit window.",
  },
  rateLimitOverrides: {
    env: "RATE_LIMIT_OVERRIDES",
    schema: workspaceBudgets.default(new Map<string, number>()),
    defaultText: "(none)",
    description: "Per-workspace budgets, e.g. `ws-big=1000,ws-small=20`.",
  },
  rateLimitUnauthenticatedMax: {
    env: "RATE_LIMIT_UNAUTHENTICATED_MAX",
    schema: z.coerce.number().int().min(0).default(20),
    defaultText: "20",
    description: "Requests per window per client address for calls without a valid token (throttles token guessing).",
  },
  rateLimitFailClosed: {
    env: "RATE_LIMIT_FAIL_CLOSED",
    schema: bool.default(false),
    defaultText: "false",
    description:
      "When Redis is unreachable: `false` lets calls through, logs a warning and counts it; `true` refuses them with UNAVAILABLE.",
  },
  maxRequestBytes: {
    env: "MAX_REQUEST_BYTES",
    schema: positiveInt.default(4 * 1024 * 1024),
    defaultText: "4194304",
    description: "Largest accepted request message (bytes); larger ones get RESOURCE_EXHAUSTED.",
  },
  maxDeadline: {
    env: "MAX_DEADLINE",
    schema: duration.default(60_000),
    defaultText: "60s",
    description: "Longest deadline a client may ask for; longer ones get INVALID_ARGUMENT.",
  },
  shutdownDelay: {
    env: "SHUTDOWN_DELAY",
    schema: duration.default(2_000),
    defaultText: "2s",
    description:
      "On SIGTERM, how long the gateway keeps serving while reporting not ready, so load balancers stop sending before the listener closes (SIGINT skips it).",
  },
  shutdownDrainTimeout: {
    env: "SHUTDOWN_DRAIN_TIMEOUT",
    schema: duration.default(10_000),
    defaultText: "10s",
    description: "On SIGTERM, how long in-flight calls may take to finish before connections are closed.",
  },
  tracingEnabled: {
    env: "TRACING_ENABLED",
    schema: bool.default(false),
    defaultText: "false",
    description: "OpenTelemetry tracing: RPC server spans continuing the caller's `traceparent`, sidecar client spans propagating it.",
  },
  tracingEndpoint: {
    env: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    schema: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:4318/v1/traces"),
    defaultText: "http://127.0.0.1:4318/v1/traces",
    description: "OTLP/HTTP endpoint spans are exported to when tracing is on.",
  },
  corsOrigins: {
    env: "CORS_ORIGINS",
    schema: list.default([]),
    defaultText: "(none: CORS off)",
    description: "Comma-separated browser origins allowed to call the gateway, or `*`.",
  },
} satisfies Record<string, Setting>;

export type Settings = typeof settings;
export type Config = { [K in keyof Settings]: z.output<Settings[K]["schema"]> };
