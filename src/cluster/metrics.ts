import cluster from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import type { Registry } from "prom-client";
import { isMessage } from "./messages.js";
import type { MetricsAnswer, MetricsRequest } from "./messages.js";

const ANSWER_TIMEOUT_MS = 5_000;

/**
 * In a worker: offers this worker's registry to the primary's aggregation and returns
 * the function that reads the whole cluster's page, so `/metrics`, whichever worker
 * answers it, shows every worker's counts summed.
 */
export function clusterMetricsPage(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one makes prom-client answer the primary's requests in this worker.
  new AggregatorRegistry();
  let nextId = 0;
  const waiting = new Map<number, { resolve(page: string): void; reject(error: Error): void }>();
  process.on("message", (message: unknown) => {
    if (!isMessage<MetricsAnswer>(message, "orbit:metrics-answer")) return;
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.page !== undefined) pending?.resolve(message.page);
    else pending?.reject(new Error(message.error ?? "no metrics page"));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("the cluster primary did not answer the metrics request"));
      }, ANSWER_TIMEOUT_MS);
      waiting.set(id, {
        resolve: (page) => (clearTimeout(timer), resolve(page)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      const request: MetricsRequest = { type: "orbit:metrics-request", id };
      process.send?.(request);
    });
}

/** In the primary: answers the workers' requests for the cluster's page. */
export function answerMetricsRequests(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: unknown) => {
    if (!isMessage<MetricsRequest>(message, "orbit:metrics-request")) return;
    const reply = (answer: Omit<MetricsAnswer, "type" | "id">) => {
      if (worker.isConnected()) worker.send({ type: "orbit:metrics-answer", id: message.id, ...answer } satisfies MetricsAnswer);
    };
    aggregator.clusterMetrics().then(
      (page) => reply({ page }),
      (error: Error) => reply({ error: error.message }),
    );
  });
}
