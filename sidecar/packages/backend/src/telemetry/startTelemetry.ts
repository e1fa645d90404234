/**
 * Starts OpenTelemetry for the sidecar process from {@link TelemetrySettings}.
 *
 * - Metrics: a global MeterProvider read by the Prometheus endpoint, so any
 *   instrument created through `@opentelemetry/api` (Backstage's own, the
 *   deployment plugin's `github_rate_limit_remaining`) is scraped, plus the
 *   HTTP server request histogram by route template, method and status.
 * - Tracing: server spans continue the caller's W3C `traceparent`; outgoing
 *   fetch/undici calls (GitHub) carry the trace on; spans go to an OTLP/HTTP
 *   collector in batches; log lines get the trace id.
 *
 * Everything is explicit: nothing is taken from the SDK's own environment
 * defaults (which would, for instance, start OTLP log and metric exporters).
 */

import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import { addTraceContextToLogs } from './logTraceContext';
import { createMetricsEndpoint, type MetricsEndpoint } from './metricsEndpoint';
import { httpMetricViews } from './metricViews';
import type { TelemetrySettings } from './settings';

export interface Telemetry {
  readonly settings: TelemetrySettings;
  /** Resolves when the metrics port is listening (at once without metrics). */
  readonly ready: Promise<void>;
  /** Flushes pending spans and closes the metrics port. Safe to call twice. */
  shutdown(): Promise<void>;
}

export function startTelemetry(settings: TelemetrySettings): Telemetry {
  if (!settings.metrics.enabled && !settings.tracing.enabled) {
    return { settings, ready: Promise.resolve(), shutdown: async () => undefined };
  }

  const metricsEndpoint: MetricsEndpoint | undefined = settings.metrics.enabled
    ? createMetricsEndpoint(settings.metrics)
    : undefined;

  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    // OTEL_RESOURCE_ATTRIBUTES and the host name; not the process detector,
    // whose command line would end up on every scrape (target_info).
    resourceDetectors: [resources.envDetector, resources.hostDetector],
    metricReaders: metricsEndpoint ? [metricsEndpoint.reader] : [],
    views: httpMetricViews,
    ...(settings.tracing.enabled
      ? { traceExporter: new OTLPTraceExporter({ url: settings.tracing.endpoint }) }
      : { spanProcessors: [] }),
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Scrapes are monitoring, not traffic: no span, not counted.
        ignoreIncomingRequestHook: request => metricsEndpoint?.isScrape(request) ?? false,
      }),
      // Route templates for span names and the `http_route` label. Spans for
      // routers and handlers only: one per middleware would bury the request.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  if (settings.tracing.enabled) addTraceContextToLogs();

  let stopping: Promise<void> | undefined;
  return {
    settings,
    ready: metricsEndpoint ? metricsEndpoint.listen() : Promise.resolve(),
    shutdown() {
      stopping ??= Promise.allSettled([sdk.shutdown(), metricsEndpoint?.close()]).then(() => undefined);
      return stopping;
    },
  };
}
