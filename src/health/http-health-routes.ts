import { createServer } from "node:http";
import type { Server } from "node:http";
import type { FastifyInstance } from "fastify";
import type { GatewayMetrics } from "../metrics/metrics.js";
import type { Readiness } from "./readiness.js";

/**
 * Plain HTTP endpoints for orchestrators and scrapers: liveness says the process
 * answers; readiness reports every dependency and fails while draining.
 */
export function registerHttpHealthRoutes(
  app: FastifyInstance,
  readiness: Readiness,
  metrics: GatewayMetrics,
  options: { metricsOnMainPort: boolean },
): void {
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    const report = await readiness.report();
    reply.code(report.ready ? 200 : 503);
    const status = report.draining ? "draining" : !report.ready ? "not ready" : report.degraded ? "degraded" : "ready";
    return { status, dependencies: report.dependencies };
  });

  if (options.metricsOnMainPort) {
    app.get("/metrics", async (_request, reply) => {
      reply.header("content-type", metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  }
}

/** `/metrics` on its own port, so scrapers need no route to the RPC port. */
export async function startMetricsServer(metrics: GatewayMetrics, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics is served here\n");
      return;
    }
    metrics.registry.metrics().then(
      (page) => response.writeHead(200, { "content-type": metrics.registry.contentType }).end(page),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return server;
}
