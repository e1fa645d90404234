/**
 * How the HTTP instruments appear on the scrape page.
 *
 * - Prometheus' unit suffix (`_seconds`); the OpenTelemetry serializer only
 *   writes a `# UNIT` comment.
 * - Labels with a fixed set of values only (allow-lists, so a new attribute in
 *   a future instrumentation release cannot add an unbounded label).
 *   `http.route` is the route template (`/api/deployment/services/:service/...`)
 *   and is absent when no route matched, so raw paths (workspace or other ids)
 *   never become label values. `server.address` is a configured GitHub/Jira host.
 * - Outgoing calls are measured by the undici instrumentation (the plugins'
 *   GitHub and Jira clients use fetch). The http-module instrumentation has an
 *   instrument of the same name; two families of one name, from two
 *   instrumentation scopes, would make an invalid page, so its copy is dropped.
 */

import { metrics } from '@opentelemetry/sdk-node';

const HTTP_INSTRUMENTATION = '@opentelemetry/instrumentation-http';
const UNDICI_INSTRUMENTATION = '@opentelemetry/instrumentation-undici';
const COMMON_LABELS = [
  'http.request.method',
  'http.response.status_code',
  'error.type',
  'url.scheme',
  'network.protocol.version',
];

export const httpMetricViews: metrics.ViewOptions[] = [
  {
    meterName: HTTP_INSTRUMENTATION,
    instrumentName: 'http.server.request.duration',
    name: 'http.server.request.duration_seconds',
    attributesProcessors: [metrics.createAllowListAttributesProcessor([...COMMON_LABELS, 'http.route'])],
  },
  {
    meterName: UNDICI_INSTRUMENTATION,
    instrumentName: 'http.client.request.duration',
    name: 'http.client.request.duration_seconds',
    attributesProcessors: [
      metrics.createAllowListAttributesProcessor([...COMMON_LABELS, 'server.address', 'server.port']),
    ],
  },
  {
    meterName: HTTP_INSTRUMENTATION,
    instrumentName: 'http.client.request.duration',
    aggregation: { type: metrics.AggregationType.DROP },
  },
];
