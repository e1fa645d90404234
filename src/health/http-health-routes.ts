import type { FastifyInstance } from "fastify";
import type { GatewayMetrics } from "../metrics/metrics.js";
import type { Readiness } from "./readiness.js";

/**
 * Plain HTTP endpoints for orchestrators and scrapers: liveness says the process
 * answers; readiness reports every dependency and fails while draining.
 */
export function registerHttpHealthRoutes(app: FastifyInstance, readiness: Readiness, metrics: GatewayMetrics): void {
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    const report = await readiness.report();
    reply.code(report.ready ? 200 : 503);
    const status = report.draining ? "draining" : !report.ready ? "not ready" : report.degraded ? "degraded" : "ready";
    return { status, dependencies: report.dependencies };
  });

  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
