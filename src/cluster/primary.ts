import cluster from "node:cluster";
import type { Config } from "../config/settings.js";
import { createLogger } from "../lib/logger.js";
import { answerMetricsRequests } from "./metrics.js";
import type { StopMessage, StopSignal } from "./messages.js";

/** More unexpected worker exits than this within the window stop the whole gateway (a crash loop). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * The cluster primary: forks `config.workers` gateway processes that share the port
 * (connections are handed out in turn), replaces a worker that dies, and on SIGTERM or
 * SIGINT tells every worker to shut down gracefully, then exits when all have.
 * A worker that fails before it listens is a start-up failure (bad configuration,
 * unreachable database): the primary stops the others and exits 1 instead of looping.
 */
export async function runPrimary(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel).child({ role: "primary" });
  const everListened = new Set<number>();
  const restarts: number[] = [];
  const serving = new Set<number>();
  let stopping = false;
  let exitCode = 0;

  answerMetricsRequests();

  const stopAll = (signal: StopSignal) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (!worker) continue;
      // A worker still starting may not hear a message yet, and has nothing to drain.
      if (serving.has(worker.id) && worker.isConnected()) worker.send({ type: "orbit:stop", signal } satisfies StopMessage);
      else worker.process.kill("SIGKILL");
    }
  };

  cluster.on("listening", (worker) => {
    everListened.add(worker.id);
    serving.add(worker.id);
    if (everListened.size === config.workers) {
      logger.info({ workers: config.workers, port: config.port }, "gateway cluster listening (connections shared by every worker)");
    }
  });

  cluster.on("exit", (worker, code, signal) => {
    serving.delete(worker.id);
    const remaining = Object.keys(cluster.workers ?? {}).length;
    if (stopping) {
      if (code !== 0 && everListened.has(worker.id)) exitCode = 1;
      if (remaining === 0) {
        logger.info({ exitCode }, "every worker has stopped");
        process.exit(exitCode);
      }
      return;
    }
    const giveUp = (why: string, fields: object = {}) => {
      logger.error({ worker: worker.id, code, signal, ...fields }, `${why}; stopping the gateway`);
      exitCode = 1;
      stopAll("SIGINT");
      if (remaining === 0) process.exit(exitCode);
    };
    if (!everListened.has(worker.id)) return giveUp("a worker failed to start (see its error above)");
    const now = Date.now();
    restarts.push(now);
    while ((restarts[0] ?? now) < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) return giveUp("workers keep dying", { restarts: restarts.length });
    logger.error({ worker: worker.id, code, signal }, "a worker died; starting a replacement");
    cluster.fork();
  });

  const onSignal = (signal: StopSignal) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: stopping every worker now");
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
      process.exit(1);
    }
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, "shutting down the gateway cluster");
    stopAll(signal);
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));

  logger.info({ workers: config.workers }, "starting gateway workers");
  for (let i = 0; i < config.workers; i++) cluster.fork();
}
