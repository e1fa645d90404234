import type { Redis } from "ioredis";
import type { Config } from "../config/settings.js";
import type { Logger } from "../lib/logger.js";
import type { GatewayMetrics } from "../metrics/metrics.js";
import type { Tracing } from "../tracing/tracing.js";
import { createPluginCounters } from "./plugin-counters.js";
import { createPluginForwarder } from "./plugin-forwarder.js";
import type { PluginForwarder } from "./plugin-forwarder.js";
import { createPluginHealth } from "./plugin-health.js";
import type { PluginSettingsSource } from "./plugin-settings.js";
import type { PluginHealth } from "./plugin-health.js";
import { createMemoryResponseStore, createRedisResponseStore, createResponseCache } from "./response-cache.js";
import { createSidecarClient } from "./sidecar-client.js";
import { createStockInstances } from "./stock-instances.js";
import type { StockInstances } from "./stock-instances.js";
import type { SidecarClient } from "./sidecar-client.js";

/** Everything the gateway uses to reach plugins; without a sidecar only health reports it. */
export interface SidecarAccess {
  readonly client: SidecarClient | undefined;
  readonly forwarder: PluginForwarder | undefined;
  readonly health: PluginHealth;
  /** Prewarm and stop of the stock plugins' per-workspace processes (no-ops without a sidecar). */
  readonly instances: StockInstances;
}

export function createSidecarAccess(
  config: Config,
  deps: { logger: Logger; metrics: GatewayMetrics; tracing: Tracing; redis: Redis | undefined; settings: PluginSettingsSource },
): SidecarAccess {
  const counters = createPluginCounters();
  if (!config.backstageUrl || !config.backstageServiceToken) {
    return {
      client: undefined,
      forwarder: undefined,
      health: createPluginHealth(undefined, counters),
      instances: createStockInstances(undefined, deps.logger),
    };
  }
  const { logger, metrics, tracing, redis } = deps;
  const client = createSidecarClient({
    baseUrl: config.backstageUrl,
    serviceToken: config.backstageServiceToken,
    defaultTimeoutMs: config.sidecarTimeout,
    getRetries: 2,
    breaker: { resetTimeoutMs: 2_000, volumeThreshold: 5, errorThresholdPercentage: 50 },
    maxResponseBytes: config.proxyMaxResponseBytes,
    logger,
    metrics,
    tracing,
  });
  metrics.watchCircuit(() => client.circuit);
  const store = redis ? createRedisResponseStore(redis, logger) : createMemoryResponseStore();
  const cache = createResponseCache(store, (hit) => {
    metrics.cacheRequests.inc();
    if (hit) metrics.cacheHits.inc();
  });
  const forwarder = createPluginForwarder({
    sidecar: client,
    cache,
    defaultCacheTtlMs: config.pluginCacheTtl,
    maxBodyBytes: config.proxyMaxBodyBytes,
    counters,
    settings: deps.settings,
  });
  return { client, forwarder, health: createPluginHealth(client, counters), instances: createStockInstances(client, logger) };
}
