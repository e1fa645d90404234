/**
 * Test fixture process: a plain HTTP server that, for each request, calls
 * `DOWNSTREAM_URL` with the global fetch (undici, as the plugins' GitHub
 * clients do). Started with the sidecar's instrumentation preloaded, exactly as
 * `npm start` preloads it, to show that outgoing calls carry the trace on:
 *
 *   node --import tsx --import ./packages/backend/src/instrumentation.ts \
 *     packages/backend/src/testing/fetchingServer.ts
 *
 * Prints `listening <port>` once ready; on SIGTERM flushes telemetry and exits 0.
 */

import { createServer } from 'node:http';
import { once } from 'node:events';
import { runningTelemetry } from '../telemetry/running';

const downstream = process.env.DOWNSTREAM_URL;
if (!downstream) throw new Error('DOWNSTREAM_URL is required');

const server = createServer(async (_request, response) => {
  const upstream = await fetch(downstream);
  response.writeHead(200, { 'content-type': 'text/plain' }).end(`downstream ${upstream.status}`);
});

process.once('SIGTERM', async () => {
  server.close();
  await runningTelemetry()?.shutdown();
  process.exit(0);
});

server.listen(0, '127.0.0.1');
void once(server, 'listening').then(() => {
  const { port } = server.address() as { port: number };
  console.log(`listening ${port}`);
});
