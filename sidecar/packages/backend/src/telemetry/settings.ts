/**
 * Telemetry settings of the sidecar, read from the environment before the
 * backend starts. Both signals are off by default, so a plain `npm start` (and
 * every test that starts a sidecar) opens no extra port and exports nothing.
 *
 * Tracing uses the gateway's variable names and values (`TRACING_ENABLED`,
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, same default endpoint), so one
 * environment switches tracing on for the whole stack.
 */

export const METRICS_ENABLED_ENV = 'SIDECAR_METRICS_ENABLED';
export const METRICS_PORT_ENV = 'SIDECAR_METRICS_PORT';
export const METRICS_HOST_ENV = 'SIDECAR_METRICS_HOST';
export const TRACING_ENABLED_ENV = 'TRACING_ENABLED';
export const TRACES_ENDPOINT_ENV = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
export const OTLP_ENDPOINT_ENV = 'OTEL_EXPORTER_OTLP_ENDPOINT';
export const SERVICE_NAME_ENV = 'OTEL_SERVICE_NAME';

/** Prometheus' registered default exporter port, also Backstage's documented one. */
export const DEFAULT_METRICS_PORT = 9464;
/** The gateway's default (an IPv4 literal: "localhost" may resolve to ::1 first). */
export const DEFAULT_TRACES_ENDPOINT = 'http://127.0.0.1:4318/v1/traces';
export const DEFAULT_SERVICE_NAME = 'orbit-backstage-sidecar';

export type MetricsSettings = { enabled: false } | { enabled: true; host: string; port: number };

export type TracingSettings = { enabled: false } | { enabled: true; endpoint: string };

export interface TelemetrySettings {
  serviceName: string;
  metrics: MetricsSettings;
  tracing: TracingSettings;
}

/** An unusable setting; the message names the variable and what it accepts. */
export class TelemetrySettingsError extends Error {
  override name = 'TelemetrySettingsError';
}

// The gateway's boolean spelling (src/config/settings.ts), so both read alike.
const TRUE_VALUES = ['true', '1', 'yes'];
const FALSE_VALUES = ['false', '0', 'no'];

function present(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function readBoolean(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = present(env, name);
  if (value === undefined) return false;
  if (TRUE_VALUES.includes(value)) return true;
  if (FALSE_VALUES.includes(value)) return false;
  throw new TelemetrySettingsError(
    `${name} must be one of ${[...TRUE_VALUES, ...FALSE_VALUES].join(', ')} (got ${JSON.stringify(value)}).`,
  );
}

function readPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = present(env, name);
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535) {
    throw new TelemetrySettingsError(`${name} must be a port number from 1 to 65535 (got ${JSON.stringify(value)}).`);
  }
  return port;
}

/** Validates an OTLP URL; the value is not echoed, it may carry credentials. */
function readHttpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TelemetrySettingsError(`${name} must be an http:// or https:// URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TelemetrySettingsError(`${name} must be an http:// or https:// URL.`);
  }
  return value;
}

/**
 * The OTLP/HTTP traces URL, by the OpenTelemetry precedence: the signal-specific
 * variable as is, else the base endpoint plus `/v1/traces`, else the default.
 */
function readTracesEndpoint(env: NodeJS.ProcessEnv): string {
  const specific = present(env, TRACES_ENDPOINT_ENV);
  if (specific !== undefined) return readHttpUrl(TRACES_ENDPOINT_ENV, specific);
  const base = present(env, OTLP_ENDPOINT_ENV);
  if (base !== undefined) {
    return `${readHttpUrl(OTLP_ENDPOINT_ENV, base).replace(/\/+$/, '')}/v1/traces`;
  }
  return DEFAULT_TRACES_ENDPOINT;
}

/** Reads the settings; throws {@link TelemetrySettingsError} for an unusable value. */
export function readTelemetrySettings(env: NodeJS.ProcessEnv = process.env): TelemetrySettings {
  const metrics: MetricsSettings = readBoolean(env, METRICS_ENABLED_ENV)
    ? {
        enabled: true,
        port: readPort(env, METRICS_PORT_ENV, DEFAULT_METRICS_PORT),
        // Same interface as the backend itself unless told otherwise: loopback
        // locally, all interfaces in the container image (SIDECAR_HOST=0.0.0.0).
        host: present(env, METRICS_HOST_ENV) ?? present(env, 'SIDECAR_HOST') ?? '127.0.0.1',
      }
    : { enabled: false };
  const tracing: TracingSettings = readBoolean(env, TRACING_ENABLED_ENV)
    ? { enabled: true, endpoint: readTracesEndpoint(env) }
    : { enabled: false };
  return {
    serviceName: present(env, SERVICE_NAME_ENV) ?? DEFAULT_SERVICE_NAME,
    metrics,
    tracing,
  };
}
