import { describe, expect, it } from 'vitest';
import {
  DEFAULT_METRICS_PORT,
  DEFAULT_TRACES_ENDPOINT,
  readTelemetrySettings,
  TelemetrySettingsError,
} from './settings';

describe('readTelemetrySettings', () => {
  it('turns everything off by default', () => {
    expect(readTelemetrySettings({})).toEqual({
      serviceName: 'orbit-backstage-sidecar',
      metrics: { enabled: false },
      tracing: { enabled: false },
    });
  });

  it('ignores the port and endpoint while the switches are off', () => {
    expect(
      readTelemetrySettings({
        SIDECAR_METRICS_PORT: 'not-a-port',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url',
      }),
    ).toMatchObject({ metrics: { enabled: false }, tracing: { enabled: false } });
  });

  it('serves metrics on 9464 of the backend’s interface unless told otherwise', () => {
    expect(readTelemetrySettings({ SIDECAR_METRICS_ENABLED: 'true' }).metrics).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: DEFAULT_METRICS_PORT,
    });
    expect(readTelemetrySettings({ SIDECAR_METRICS_ENABLED: '1', SIDECAR_HOST: '0.0.0.0' }).metrics).toMatchObject({
      host: '0.0.0.0',
    });
    expect(
      readTelemetrySettings({
        SIDECAR_METRICS_ENABLED: 'yes',
        SIDECAR_HOST: '0.0.0.0',
        SIDECAR_METRICS_HOST: '10.0.0.5',
        SIDECAR_METRICS_PORT: '9100',
      }).metrics,
    ).toEqual({ enabled: true, host: '10.0.0.5', port: 9100 });
  });

  it('reads the gateway’s tracing switch and endpoint variables', () => {
    expect(readTelemetrySettings({ TRACING_ENABLED: 'true' }).tracing).toEqual({
      enabled: true,
      endpoint: DEFAULT_TRACES_ENDPOINT,
    });
    expect(
      readTelemetrySettings({
        TRACING_ENABLED: 'true',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector:4318/custom/traces',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
      }).tracing,
    ).toEqual({ enabled: true, endpoint: 'https://collector:4318/custom/traces' });
  });

  it('appends /v1/traces to the base OTLP endpoint, as OpenTelemetry does', () => {
    expect(
      readTelemetrySettings({ TRACING_ENABLED: 'yes', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing,
    ).toEqual({ enabled: true, endpoint: 'http://collector:4318/v1/traces' });
  });

  it('takes the service name from OTEL_SERVICE_NAME', () => {
    expect(readTelemetrySettings({ OTEL_SERVICE_NAME: 'sidecar-eu' }).serviceName).toBe('sidecar-eu');
  });

  it.each([
    [{ SIDECAR_METRICS_ENABLED: 'on' }, 'SIDECAR_METRICS_ENABLED must be one of true, 1, yes, false, 0, no (got "on")'],
    [{ TRACING_ENABLED: 'TRUE' }, 'TRACING_ENABLED must be one of'],
    [
      { SIDECAR_METRICS_ENABLED: 'true', SIDECAR_METRICS_PORT: '70000' },
      'SIDECAR_METRICS_PORT must be a port number from 1 to 65535 (got "70000")',
    ],
    [{ SIDECAR_METRICS_ENABLED: 'true', SIDECAR_METRICS_PORT: '94.64' }, 'SIDECAR_METRICS_PORT must be a port number'],
    [{ SIDECAR_METRICS_ENABLED: 'true', SIDECAR_METRICS_PORT: '0' }, 'SIDECAR_METRICS_PORT must be a port number'],
    [
      { TRACING_ENABLED: 'true', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' },
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http:// or https:// URL.',
    ],
    [
      { TRACING_ENABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' },
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL.',
    ],
  ])('rejects %j naming the setting', (env, message) => {
    expect(() => readTelemetrySettings(env)).toThrow(TelemetrySettingsError);
    expect(() => readTelemetrySettings(env)).toThrow(message);
  });

  it('does not echo an endpoint value, which may carry credentials', () => {
    const env = { TRACING_ENABLED: 'true', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://user:s3cret@collector' };
    expect(() => readTelemetrySettings(env)).toThrow(/^(?!.*s3cret)/s);
  });
});
