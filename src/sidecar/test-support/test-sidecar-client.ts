import { createLogger } from "../../lib/logger.js";
import { createMetrics } from "../../metrics/metrics.js";
import { createTracing } from "../../tracing/tracing.js";
import { createSidecarClient } from "../sidecar-client.js";
import type { SidecarClient } from "../sidecar-client.js";

/** A sidecar client for unit tests against a local HTTP server: short timeout, silent, no tracing, a breaker that stays closed. */
export async function createTestSidecarClient(baseUrl: string, options: { getRetries: number }): Promise<SidecarClient> {
  return createSidecarClient({
    baseUrl,
    serviceToken: "service-token",
    defaultTimeoutMs: 2_000,
    getRetries: options.getRetries,
    breaker: { resetTimeoutMs: 60_000, volumeThreshold: 100, errorThresholdPercentage: 50 },
    maxResponseBytes: 1_000_000,
    logger: createLogger("silent"),
    metrics: createMetrics(),
    tracing: await createTracing({ enabled: false, endpoint: "http://127.0.0.1:4318/v1/traces", serviceName: "test" }),
  });
}
