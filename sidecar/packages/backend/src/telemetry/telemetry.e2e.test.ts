/**
 * End-to-end: the real sidecar (`npm start`, which preloads the
 * instrumentation module) with metrics and tracing switched on, a real OTLP/HTTP
 * receiver, the GitHub simulator in place of GitHub, and the scrape page read
 * by a Prometheus text parser.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  killSidecar,
  spawnWithOutput,
  startSidecar,
  waitFor,
  waitUntilReady,
  type Sidecar,
} from '../testing/sidecarProcess';
import {
  deploymentPluginConfigHeader,
  startGitHubSimulator,
  type SimulatorProcess,
} from '../testing/githubSimulatorProcess';
import {
  SPAN_KIND_CLIENT,
  SPAN_KIND_SERVER,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../testing/otlpReceiver';
import { parseExposition, samplesOf } from '../testing/prometheus';
import { TEST_ROUTES_ENV } from '../preflight';

const DURATION = 'http_server_request_duration_seconds';
const CLIENT_DURATION = 'http_client_request_duration_seconds';
const LOG_DEADLINE_MS = 10_000;

/** Telemetry variables a developer's shell might carry into the child. */
const CLEAN_TELEMETRY_ENV = {
  OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  OTEL_SERVICE_NAME: undefined,
  OTEL_RESOURCE_ATTRIBUTES: undefined,
  OTEL_SDK_DISABLED: undefined,
  OTEL_TRACES_SAMPLER: undefined,
  SIDECAR_METRICS_HOST: undefined,
};

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('sidecar telemetry (metrics and tracing on)', () => {
  const token = randomBytes(32).toString('base64url');
  const workspaceId = `ws-${hex(6)}`;
  let baseUrl: string;
  let metricsUrl: string;
  let receiver: OtlpReceiver;
  let simulator: SimulatorProcess;
  let sidecar: Sidecar;
  /**
   * The trace of the call that reaches GitHub: made in one test, its spans
   * checked in the last one, after the SIGTERM flush (tests of a file run in
   * order).
   */
  const githubTrace = { traceId: hex(16), callerSpanId: hex(8) };

  const call = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}${path}`, {
      headers: { Authorization: `Bearer ${token}`, 'X-Orbit-Workspace-Id': workspaceId, ...headers },
    });
  const scrape = async () => {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    return { contentType: res.headers.get('content-type'), text: await res.text() };
  };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    simulator = await startGitHubSimulator();
    const [port, metricsPort] = [await freePort(), await freePort()];
    baseUrl = `http://127.0.0.1:${port}`;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    sidecar = startSidecar({
      ...CLEAN_TELEMETRY_ENV,
      [TEST_ROUTES_ENV]: 'true',
      BACKSTAGE_SERVICE_TOKEN: token,
      SIDECAR_PORT: String(port),
      SIDECAR_HOST: '127.0.0.1',
      SIDECAR_METRICS_ENABLED: 'true',
      SIDECAR_METRICS_PORT: String(metricsPort),
      TRACING_ENABLED: 'true',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      // The GitHub simulator is a loopback address: allowed explicitly.
      ORBIT_EGRESS_ALLOWED_HOSTS: new URL(simulator.apiUrl).host,
      // Spans leave only when the batch is flushed at shutdown, so the
      // SIGTERM test below proves the flush (the periodic export never fires).
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    await waitUntilReady(baseUrl, sidecar);
  });

  afterAll(async () => {
    await killSidecar(sidecar);
    await killSidecar(simulator?.process);
    await receiver?.close();
  });

  it('serves request counts by route template, method and status, and process metrics', async () => {
    expect((await call('/api/deployment/whoami')).status).toBe(200);
    expect((await call('/api/deployment/whoami')).status).toBe(200);
    // Rejected by the isolation layer (malformed workspace id).
    expect((await call('/api/deployment/whoami', { 'X-Orbit-Workspace-Id': '!bad' })).status).toBe(400);
    // No such route, with an id in the path: must not become a label value.
    expect((await call(`/api/deployment/no-such-route/${workspaceId}`)).status).toBe(404);

    const { contentType, text } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const page = parseExposition(text);

    expect(page.types.get(DURATION)).toBe('histogram');
    const whoami = { http_route: '/api/deployment/whoami', http_request_method: 'GET' };
    expect(samplesOf(page, `${DURATION}_count`, { ...whoami, http_response_status_code: '200' })).toEqual([
      expect.objectContaining({ value: 2 }),
    ]);
    expect(samplesOf(page, `${DURATION}_count`, { http_response_status_code: '400' })).toEqual([
      expect.objectContaining({ value: 1 }),
    ]);
    expect(samplesOf(page, `${DURATION}_count`, { http_response_status_code: '404' })).toEqual([
      expect.objectContaining({ value: 1, labels: expect.not.objectContaining({ http_route: expect.anything() }) }),
    ]);
    const whoamiBuckets = samplesOf(page, `${DURATION}_bucket`, {
      ...whoami,
      http_response_status_code: '200',
      le: '+Inf',
    });
    expect(whoamiBuckets.map(s => s.value)).toEqual([2]);

    // Bounded labels: only the allowed label names, and no raw ids anywhere.
    for (const sample of samplesOf(page, `${DURATION}_count`)) {
      expect(Object.keys(sample.labels).sort()).toEqual(
        expect.arrayContaining(['http_request_method', 'http_response_status_code']),
      );
      for (const name of Object.keys(sample.labels)) {
        expect([
          'http_request_method',
          'http_response_status_code',
          'http_route',
          'error_type',
          'url_scheme',
          'network_protocol_version',
          'otel_scope_name',
          'otel_scope_version',
        ]).toContain(name);
      }
    }
    expect(text).not.toContain(workspaceId);

    // Node process metrics (prom-client's default collectors).
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      const [sample] = samplesOf(page, name);
      expect(sample, name).toBeDefined();
      expect(sample!.value, name).toBeGreaterThan(0);
    }
    // Event-loop lag can be exactly 0 on an idle loop; it must be there.
    expect(samplesOf(page, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
    expect(samplesOf(page, 'target_info', { service_name: 'orbit-backstage-sidecar' })).toHaveLength(1);
  });

  it('does not count scrapes as traffic and serves nothing else on the metrics port', async () => {
    const total = (text: string) =>
      samplesOf(parseExposition(text), `${DURATION}_count`).reduce((sum, s) => sum + s.value, 0);
    const before = total((await scrape()).text);
    const after = total((await scrape()).text);
    expect(after).toBe(before);

    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(405);
  });

  it('calls GitHub in the caller’s trace and reports its rate limit and latency', async () => {
    const { traceId, callerSpanId } = githubTrace;
    const res = await call('/api/deployment/workflows?repository=acme/checkout', {
      ...deploymentPluginConfigHeader(simulator.apiUrl),
      traceparent: `00-${traceId}-${callerSpanId}-01`,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { workflows: unknown[] }).workflows.length).toBeGreaterThan(0);

    const page = parseExposition((await scrape()).text);
    // Recorded by the deployment plugin through @opentelemetry/api.
    const [remaining] = samplesOf(page, 'github_rate_limit_remaining', { resource: 'core' });
    expect(remaining?.value).toBeGreaterThan(0);
    expect(remaining?.value).toBeLessThan(5000);
    const simulatorPort = new URL(simulator.apiUrl).port;
    const [outgoing] = samplesOf(page, `${CLIENT_DURATION}_count`, {
      server_address: '127.0.0.1',
      server_port: simulatorPort,
      http_request_method: 'GET',
      http_response_status_code: '200',
    });
    expect(outgoing?.value).toBeGreaterThan(0);
    expect(page.types.get(CLIENT_DURATION)).toBe('histogram');
  });

  it('continues the caller’s trace, logs its id, and flushes the spans on SIGTERM', async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const res = await call('/api/deployment/whoami', { traceparent: `00-${traceId}-${callerSpanId}-01` });
    expect(res.status).toBe(200);

    // The workspace isolation layer's request log line carries the trace id.
    await waitFor(
      'the request log line with the trace id',
      async () =>
        sidecar
          .output()
          .split('\n')
          .some(l => l.includes('pluginRequest') && l.includes(traceId)),
      LOG_DEADLINE_MS,
    );
    expect(receiver.spans.filter(s => s.traceId === traceId)).toEqual([]); // still batched

    sidecar.child.kill('SIGTERM');
    expect(await sidecar.exited).toBe(0);

    const trace = receiver.spans.filter(s => s.traceId === traceId);
    const server = serverSpanOf(trace, callerSpanId);
    expect(server).toMatchObject({
      name: 'GET /api/deployment/whoami',
      serviceName: 'orbit-backstage-sidecar',
      attributes: expect.objectContaining({
        'http.route': '/api/deployment/whoami',
        'http.response.status_code': 200,
      }),
    });
    // The Express spans hang below the server span, in the same trace.
    const children = trace.filter(s => s !== server);
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) expect(descendsFrom(child, server, trace)).toBe(true);
    // @opentelemetry/exporter-trace-otlp-http sends the JSON encoding.
    expect(receiver.contentTypes).toContain('application/json');
    // Header values are never span attributes.
    expect(JSON.stringify(receiver.spans)).not.toContain(token);
  });

  it('put the GitHub calls in the caller’s trace, below the server span', () => {
    const trace = receiver.spans.filter(s => s.traceId === githubTrace.traceId);
    const server = serverSpanOf(trace, githubTrace.callerSpanId);
    expect(server.name).toBe('GET /api/deployment/workflows');
    const githubCalls = trace.filter(s => s.kind === SPAN_KIND_CLIENT);
    expect(githubCalls.length).toBeGreaterThan(0);
    for (const call of githubCalls) {
      expect(descendsFrom(call, server, trace)).toBe(true);
      expect(String(call.attributes['url.full']).startsWith(`${simulator.apiUrl}/repos/acme/checkout`)).toBe(true);
    }
    // The simulator's demo token travels in a header, never in span attributes.
    expect(JSON.stringify(trace)).not.toContain('ghp_demo');
  });
});

/** The one server span of a trace, whose parent is the caller's span. */
function serverSpanOf(trace: ReceivedSpan[], callerSpanId: string): ReceivedSpan {
  const servers = trace.filter(s => s.kind === SPAN_KIND_SERVER);
  expect(servers).toHaveLength(1);
  expect(servers[0]!.parentSpanId).toBe(callerSpanId);
  return servers[0]!;
}

/** Whether `span` is below `ancestor` through parent links within `trace`. */
function descendsFrom(span: ReceivedSpan, ancestor: ReceivedSpan, trace: ReceivedSpan[]): boolean {
  const byId = new Map(trace.map(s => [s.spanId, s]));
  for (let parent = byId.get(span.parentSpanId ?? ''); parent; parent = byId.get(parent.parentSpanId ?? '')) {
    if (parent === ancestor) return true;
  }
  return false;
}

describe('sidecar telemetry without the --import preload', () => {
  // The gateway's test support and `npm start` stack run
  // `node --import tsx packages/backend/src/index.ts`; index.ts loads the
  // instrumentation first, early enough for Express route templates.
  it('still instruments the backend', async () => {
    const token = randomBytes(16).toString('hex');
    const [port, metricsPort] = [await freePort(), await freePort()];
    const baseUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...CLEAN_TELEMETRY_ENV,
      BACKSTAGE_SERVICE_TOKEN: token,
      SIDECAR_PORT: String(port),
      SIDECAR_HOST: '127.0.0.1',
      SIDECAR_METRICS_ENABLED: 'true',
      SIDECAR_METRICS_PORT: String(metricsPort),
      TRACING_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      [TEST_ROUTES_ENV]: 'true',
    };
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
    delete env.NODE_ENV;
    const sidecar = spawnWithOutput(process.execPath, ['--import', 'tsx', 'packages/backend/src/index.ts'], env);
    try {
      await waitUntilReady(baseUrl, sidecar);
      const res = await fetch(`${baseUrl}/api/deployment/whoami`, {
        headers: { Authorization: `Bearer ${token}`, 'X-Orbit-Workspace-Id': 'ws-direct' },
      });
      expect(res.status).toBe(200);
      const page = parseExposition(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
      expect(
        samplesOf(page, `${DURATION}_count`, {
          http_route: '/api/deployment/whoami',
          http_response_status_code: '200',
        }),
      ).toEqual([expect.objectContaining({ value: 1 })]);
    } finally {
      await killSidecar(sidecar);
    }
  });
});

describe('sidecar telemetry settings', () => {
  it('refuses to start with a message naming an invalid setting', async () => {
    const sidecar = startSidecar({
      ...CLEAN_TELEMETRY_ENV,
      BACKSTAGE_SERVICE_TOKEN: randomBytes(16).toString('hex'),
      SIDECAR_PORT: String(await freePort()),
      TRACING_ENABLED: 'maybe',
    });
    expect(await sidecar.exited).toBe(1);
    expect(sidecar.output()).toContain('TRACING_ENABLED must be one of true, 1, yes, false, 0, no');
  });

  it('refuses to start when the metrics port is taken', async () => {
    const occupant: Server = createServer();
    occupant.listen(0, '127.0.0.1');
    await once(occupant, 'listening');
    const { port } = occupant.address() as { port: number };
    try {
      const sidecar = startSidecar({
        ...CLEAN_TELEMETRY_ENV,
        BACKSTAGE_SERVICE_TOKEN: randomBytes(16).toString('hex'),
        SIDECAR_PORT: String(await freePort()),
        SIDECAR_HOST: '127.0.0.1',
        SIDECAR_METRICS_ENABLED: 'true',
        SIDECAR_METRICS_PORT: String(port),
        TRACING_ENABLED: 'false',
      });
      expect(await sidecar.exited).toBe(1);
      expect(sidecar.output()).toContain(
        `cannot listen on 127.0.0.1:${port} (SIDECAR_METRICS_HOST / SIDECAR_METRICS_PORT)`,
      );
    } finally {
      occupant.close();
    }
  });
});
