import { createServer } from "node:http";
import type { Server } from "node:http";
import type { FastifyInstance } from "fastify";
import type { Readiness } from "./readiness.js";

/** Where the Prometheus page comes from: this process's registry, or the cluster's aggregate. */
export interface MetricsSource {
  readonly contentType: string;
  page(): Promise<string>;
}

/**
 * Plain HTTP endpoints for orchestrators and scrapers: liveness says the process
 * answers; readiness reports every dependency and fails while draining.
 */
export function registerHttpHealthRoutes(
  app: FastifyInstance,
  readiness: Readiness,
  metrics: MetricsSource,
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
      reply.header("content-type", metrics.contentType);
      return metrics.page();
    });
  }
}

/** `/metrics` on its own port, so scrapers need no route to the RPC port. */
export async function startMetricsServer(metrics: MetricsSource, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics is served here\n");
      return;
    }
    metrics.page().then(
      (page) => response.writeHead(200, { "content-type": metrics.contentType }).end(page),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return server;
}
