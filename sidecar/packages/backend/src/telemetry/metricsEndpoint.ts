/**
 * The sidecar's Prometheus scrape endpoint: `GET /metrics` on its own port.
 *
 * Why a separate port (as in Backstage's OpenTelemetry guide) rather than a
 * route on the backend: every route on the backend's port sits behind
 * Backstage's auth (the sidecar deliberately has no unauthenticated plugin
 * routes), and a Prometheus scraper should neither hold the gateway's service
 * token nor show up in plugin request logs and counters. The port also answers
 * before the backend has finished starting, and a NetworkPolicy can open it to
 * the monitoring namespace alone.
 *
 * One page, two sources: OpenTelemetry's metrics (HTTP server requests, the
 * plugins' own instruments such as `github_rate_limit_remaining`, Backstage's
 * instruments) through the OpenTelemetry Prometheus serializer, and Node
 * process metrics from prom-client's default collectors. Their names do not
 * overlap (`http_*`, `github_*`, `target_info`, ... versus `process_*`,
 * `nodejs_*`).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { collectDefaultMetrics, Registry } from 'prom-client';

export const METRICS_PATH = '/metrics';

export interface MetricsEndpoint {
  /** Feed this to the MeterProvider: it collects on each scrape. */
  readonly reader: PrometheusExporter;
  /** Whether an incoming request arrived on the metrics port (not counted as traffic). */
  isScrape(request: IncomingMessage): boolean;
  /** Starts listening; rejects with the listen error (e.g. EADDRINUSE). */
  listen(): Promise<void>;
  close(): Promise<void>;
}

export function createMetricsEndpoint(options: { host: string; port: number }): MetricsEndpoint {
  const reader = new PrometheusExporter({ preventServerStart: true });
  const serializer = new PrometheusSerializer();
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry });

  async function render(): Promise<string> {
    const [{ resourceMetrics }, processText] = await Promise.all([reader.collect(), processRegistry.metrics()]);
    const otelText = serializer.serialize(resourceMetrics);
    return [otelText, processText].map(text => (text.endsWith('\n') || text === '' ? text : `${text}\n`)).join('');
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      const body = await render();
      response.writeHead(200, { 'content-type': processRegistry.contentType });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      // No details on an unauthenticated port.
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics collection failed\n');
    }
  }

  const server: Server = createServer((request, response) => void handle(request, response));

  return {
    reader,
    isScrape: request => request.socket.localPort === options.port,
    async listen() {
      server.listen(options.port, options.host);
      await once(server, 'listening'); // rejects on an 'error' event
    },
    async close() {
      if (!server.listening) return;
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
    },
  };
}
