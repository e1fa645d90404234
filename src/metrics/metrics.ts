import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The gateway's Prometheus metrics. Labels stay bounded: procedures and codes come
 * from a closed set; workspaces never appear as labels.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<"procedure" | "code" | "protocol">;
  readonly duration: Histogram<"procedure" | "code">;
  readonly rateLimitExceeded: Counter<"kind">;
  readonly rateLimitStoreErrors: Counter<"policy">;
  readonly backstageLatency: Histogram<"plugin" | "status">;
  readonly backstageErrors: Counter<"plugin" | "reason">;
  readonly cacheRequests: Counter;
  readonly cacheHits: Counter;
  /** WatchPipeline: upstream pollers running (one per watched workspace and service) and watchers served by them. */
  readonly pipelinePollers: Gauge;
  readonly pipelineWatchers: Gauge;
  /** WatchPipeline: upstream reads of the shared pollers, by result (changed, unchanged, error). */
  readonly pipelinePolls: Counter<"result">;
  /** Reports the sidecar circuit's state at scrape time. */
  watchCircuit(state: () => "closed" | "half-open" | "open"): void;
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: "plugins_grpc_requests_total",
      help: "RPCs handled, by procedure, result code and protocol.",
      labelNames: ["procedure", "code", "protocol"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "plugins_request_duration_seconds",
      help: "RPC latency in seconds, by procedure and result code.",
      labelNames: ["procedure", "code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rateLimitExceeded: new Counter({
      name: "plugins_rate_limit_exceeded_total",
      help: "Calls refused by the rate limiter, by key kind: ws (workspace), user or ip (no valid token).",
      labelNames: ["kind"],
      registers: [registry],
    }),
    rateLimitStoreErrors: new Counter({
      name: "plugins_rate_limit_store_errors_total",
      help: "Rate-limit checks that could not reach the store, by the policy applied (allow or refuse).",
      labelNames: ["policy"],
      registers: [registry],
    }),
    backstageLatency: new Histogram({
      name: "backstage_api_latency_seconds",
      help: "Latency of calls to the Backstage sidecar, by plugin and HTTP status class.",
      labelNames: ["plugin", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    watchCircuit(state) {
      const states = ["closed", "half-open", "open"] as const;
      new Gauge({
        name: "plugins_sidecar_circuit_state",
        help: "Circuit breaker in front of the sidecar: 1 for the current state (closed, half-open or open).",
        labelNames: ["state"],
        // In a cluster each worker has its circuit: 1 where any worker is in that state.
        aggregator: "max",
        registers: [registry],
        collect() {
          const current = state();
          for (const name of states) this.set({ state: name }, name === current ? 1 : 0);
        },
      });
    },
    cacheRequests: new Counter({
      name: "plugins_cache_requests_total",
      help: "Cache lookups of plugin GET answers.",
      registers: [registry],
    }),
    cacheHits: new Counter({
      name: "plugins_cache_hits_total",
      help: "Plugin GET answers served from the cache.",
      registers: [registry],
    }),
    pipelinePollers: new Gauge({
      name: "deployment_pipeline_pollers",
      help: "Shared upstream pollers of watched pipelines (one per workspace and service with watchers).",
      registers: [registry],
    }),
    pipelineWatchers: new Gauge({
      name: "deployment_pipeline_watchers",
      help: "Open WatchPipeline streams.",
      registers: [registry],
    }),
    pipelinePolls: new Counter({
      name: "deployment_pipeline_polls_total",
      help: "Upstream reads of the shared pipeline pollers, by result: changed, unchanged or error.",
      labelNames: ["result"],
      registers: [registry],
    }),
    backstageErrors: new Counter({
      name: "backstage_plugin_errors_total",
      help: "Failed calls to the Backstage sidecar, by plugin and reason.",
      labelNames: ["plugin", "reason"],
      registers: [registry],
    }),
  };
}
