/**
 * Outgoing calls carry the trace on: a process with the sidecar's
 * instrumentation preloaded receives a request with a `traceparent`, calls a
 * downstream server with fetch (undici), and the downstream sees a
 * `traceparent` of the same trace whose parent is the exported client span,
 * itself below the server span that continued the caller's span.
 *
 * The sidecar's plugin routes do not call out yet in a way a test can trigger
 * without GitHub credentials, so this uses a fixture server
 * (../testing/fetchingServer.ts) with the very instrumentation module that
 * `npm start` preloads.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { killSidecar, spawnWithOutput, waitFor, type Sidecar } from '../testing/sidecarProcess';
import { SPAN_KIND_CLIENT, SPAN_KIND_SERVER, startOtlpReceiver, type OtlpReceiver } from '../testing/otlpReceiver';

const STARTUP_DEADLINE_MS = 60_000;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

let receiver: OtlpReceiver;
let downstream: Server;
const downstreamHeaders: IncomingHttpHeaders[] = [];
let fixture: Sidecar;
let fixtureUrl: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  downstream = createServer((request, response) => {
    downstreamHeaders.push(request.headers);
    response.writeHead(204).end();
  });
  downstream.listen(0, '127.0.0.1');
  await once(downstream, 'listening');
  const { port } = downstream.address() as { port: number };

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DOWNSTREAM_URL: `http://127.0.0.1:${port}/repos/acme/api/actions/runs`,
    TRACING_ENABLED: 'true',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '600000', // exported by the flush at SIGTERM
    SIDECAR_METRICS_ENABLED: 'false',
  };
  delete env.NODE_ENV;
  fixture = spawnWithOutput(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      './packages/backend/src/instrumentation.ts',
      'packages/backend/src/testing/fetchingServer.ts',
    ],
    env,
  );
  await waitFor(
    'the fixture server',
    async () => /listening (\d+)/.test(fixture.output()),
    STARTUP_DEADLINE_MS,
    fixture.exited,
  );
  fixtureUrl = `http://127.0.0.1:${/listening (\d+)/.exec(fixture.output())![1]}/`;
});

afterAll(async () => {
  await killSidecar(fixture);
  downstream?.close();
  await receiver?.close();
});

it('propagates the caller’s trace through fetch to the downstream server', async () => {
  const traceId = hex(16);
  const callerSpanId = hex(8);
  const res = await fetch(fixtureUrl, { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } });
  expect(await res.text()).toBe('downstream 204');

  // What the downstream (GitHub, in the sidecar) received.
  expect(downstreamHeaders).toHaveLength(1);
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(downstreamHeaders[0]!.traceparent));
  expect(match, 'downstream traceparent').not.toBeNull();
  const [, downstreamTraceId, downstreamParentId] = match!;
  expect(downstreamTraceId).toBe(traceId);

  fixture.child.kill('SIGTERM');
  expect(await fixture.exited).toBe(0);

  const trace = receiver.spans.filter(s => s.traceId === traceId);
  const server = trace.find(s => s.kind === SPAN_KIND_SERVER);
  const client = trace.find(s => s.kind === SPAN_KIND_CLIENT);
  expect(server?.parentSpanId).toBe(callerSpanId);
  expect(client).toMatchObject({
    spanId: downstreamParentId,
    parentSpanId: server?.spanId,
    attributes: expect.objectContaining({ 'http.request.method': 'GET', 'http.response.status_code': 204 }),
  });
});
