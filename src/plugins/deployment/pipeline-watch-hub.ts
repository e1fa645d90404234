import { Code, ConnectError } from "@connectrpc/connect";
import type { Counter, Gauge } from "prom-client";
import { errors } from "../../lib/errors.js";
import { HEADERS } from "../../lib/header-names.js";
import type { Logger } from "../../lib/logger.js";
import { retryAfterOf } from "../../sidecar/upstream-errors.js";
import { canonicalJson } from "./canonical-json.js";
import type { Pipeline } from "./contract.js";

export interface PipelineKey {
  readonly workspaceId: string;
  readonly service: string;
}

export interface PipelineWatchHubOptions {
  /** Pause between two reads of one poller. */
  readonly intervalMs: number;
  /** Longest pause after repeated failures. */
  readonly maxBackoffMs?: number;
  /**
   * Reads the pipeline as the workspace (its shared credential, no user token). With
   * `fresh: false` a cached pipeline (the workspace's, within the pipeline TTL) may answer.
   */
  read(key: PipelineKey, signal: AbortSignal, options: { readonly fresh: boolean }): Promise<{ pipeline: Pipeline; fromCache: boolean }>;
  readonly metrics: { readonly pollers: Gauge; readonly watchers: Gauge; readonly polls: Counter<"result"> };
  readonly logger: Logger;
}

export interface PipelineWatchHub {
  /**
   * The pipeline now (as soon as the poller has read it) and again whenever it
   * changes, until `signal` aborts (the iterable then ends) or the poller meets an
   * error that retrying cannot fix (the iterable throws it). A slow reader skips
   * intermediate pipelines and gets the newest.
   */
  watch(key: PipelineKey, signal: AbortSignal): AsyncIterable<Pipeline>;
  /**
   * Asks the key's poller (if any) to read again now instead of at its next tick: a
   * write of this replica (trigger, review, rollback) reaches its watchers at once.
   * Ignored while the poller backs off after failures.
   */
  nudge(key: PipelineKey): void;
  /** Pollers running and watchers served, for tests and diagnostics. */
  stats(): { pollers: number; watchers: number };
  /** Stops every poller (gateway shutdown); open watches end. */
  close(): void;
}

/**
 * Errors nobody fixes by waiting: configuration (plugin disabled, no credential, no
 * such service) or access. They end the watches; everything else (GitHub or the
 * sidecar unavailable, rate limits, timeouts) is retried with backoff while watchers stay.
 */
const TERMINAL_CODES: ReadonlySet<Code> = new Set([
  Code.FailedPrecondition,
  Code.NotFound,
  Code.InvalidArgument,
  Code.PermissionDenied,
  Code.Unauthenticated,
]);

interface Watcher {
  /** The newest pipeline not yet handed to this watcher. */
  pending?: Pipeline;
  failure?: ConnectError;
  ended: boolean;
  wake?: () => void;
}

interface Poller {
  readonly key: PipelineKey;
  readonly watchers: Set<Watcher>;
  readonly stop: AbortController;
  latest?: { readonly canonical: string; readonly pipeline: Pipeline };
  /** Ends the current pause early; set while the poller waits between healthy reads. */
  nudge?: () => void;
}

/**
 * WatchPipeline's fan-out: one upstream poller per (workspace, service), started by
 * the first watcher and stopped when the last one leaves. The poller sends a pipeline
 * on only when it changed; the comparison ignores `observedAt`, which changes on every read.
 */
export function createPipelineWatchHub(options: PipelineWatchHubOptions): PipelineWatchHub {
  const pollers = new Map<string, Poller>();
  const maxBackoffMs = options.maxBackoffMs ?? Math.max(60_000, options.intervalMs);
  let watcherCount = 0;
  let closed = false;

  const keyOf = (key: PipelineKey) => JSON.stringify([key.workspaceId, key.service]);

  const publish = (poller: Poller, update: (watcher: Watcher) => void) => {
    for (const watcher of poller.watchers) {
      update(watcher);
      watcher.wake?.();
    }
  };

  async function run(poller: Poller): Promise<void> {
    const { signal } = poller.stop;
    let failures = 0;
    // A new poller's first read may be the workspace's cached pipeline (as fresh as GetPipeline's):
    // its watchers see it at once, and the fresh read follows without a pause.
    let fresh = false;
    while (!signal.aborted) {
      let pauseMs = options.intervalMs;
      let fromCache = false;
      try {
        const read = await options.read(poller.key, signal, { fresh });
        const { pipeline } = read;
        fromCache = read.fromCache;
        fresh = true;
        const canonical = canonicalJson({ ...pipeline, observedAt: undefined });
        const changed = canonical !== poller.latest?.canonical;
        // Polls count upstream reads; a cached first read is none.
        if (!fromCache) options.metrics.polls.inc({ result: changed ? "changed" : "unchanged" });
        if (failures > 0) options.logger.info({ service: poller.key.service }, "pipeline poller recovered");
        failures = 0;
        if (changed) {
          poller.latest = { canonical, pipeline };
          publish(poller, (watcher) => (watcher.pending = pipeline));
        }
      } catch (error) {
        if (signal.aborted) break;
        const failure = ConnectError.from(error);
        options.metrics.polls.inc({ result: "error" });
        if (TERMINAL_CODES.has(failure.code)) {
          publish(poller, (watcher) => (watcher.failure = failure));
          retire(poller);
          break;
        }
        failures++;
        pauseMs = backoffMs(failures, failure);
        // One line per failure streak (and its recovery), not one per retry.
        if (failures === 1) {
          options.logger.warn(
            { service: poller.key.service, code: Code[failure.code], err: { message: failure.rawMessage } },
            "pipeline poller failed; retrying with backoff",
          );
        }
      }
      if (!fromCache) await pause(poller, pauseMs, failures === 0);
    }
  }

  /** Waits pauseMs, or until the poller stops, or (when nudgeable) until it is nudged. */
  function pause(poller: Poller, pauseMs: number, nudgeable: boolean): Promise<void> {
    const { signal } = poller.stop;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        poller.nudge = undefined;
        resolve();
      };
      const timer = setTimeout(done, pauseMs);
      signal.addEventListener("abort", done, { once: true });
      if (nudgeable) poller.nudge = done;
      if (signal.aborted) done();
    });
  }

  function backoffMs(failures: number, failure: ConnectError): number {
    const exponential = Math.min(maxBackoffMs, options.intervalMs * 2 ** Math.min(failures - 1, 16));
    const retryAfterSeconds = retryAfterOf(failure.metadata.get(HEADERS.retryAfter) ?? undefined);
    return retryAfterSeconds === undefined ? exponential : Math.max(exponential, Math.min(retryAfterSeconds * 1000, 3_600_000));
  }

  /** Stops a poller and forgets it (the next watcher of its key starts a new one). */
  function retire(poller: Poller): void {
    if (pollers.get(keyOf(poller.key)) === poller) {
      pollers.delete(keyOf(poller.key));
      options.metrics.pollers.dec();
    }
    poller.stop.abort();
  }

  function join(key: PipelineKey, watcher: Watcher): Poller {
    let poller = pollers.get(keyOf(key));
    if (!poller) {
      const started: Poller = { key, watchers: new Set(), stop: new AbortController() };
      pollers.set(keyOf(key), started);
      options.metrics.pollers.inc();
      void run(started).catch((error: unknown) => {
        options.logger.error({ err: error }, "pipeline poller crashed");
        publish(started, (each) => (each.failure = errors.pipelinePollerFailed()));
        retire(started);
      });
      poller = started;
    }
    poller.watchers.add(watcher);
    if (poller.latest) watcher.pending = poller.latest.pipeline;
    watcherCount++;
    options.metrics.watchers.inc();
    return poller;
  }

  function leave(poller: Poller, watcher: Watcher): void {
    if (!poller.watchers.delete(watcher)) return;
    watcherCount--;
    options.metrics.watchers.dec();
    if (poller.watchers.size === 0) retire(poller);
  }

  return {
    async *watch(key, signal) {
      if (closed) return;
      const watcher: Watcher = { ended: false };
      const poller = join(key, watcher);
      const wakeOnAbort = () => watcher.wake?.();
      signal.addEventListener("abort", wakeOnAbort);
      try {
        for (;;) {
          if (signal.aborted || watcher.ended) return;
          if (watcher.failure) throw watcher.failure;
          const next = watcher.pending;
          if (next) {
            watcher.pending = undefined;
            yield next;
            continue;
          }
          await new Promise<void>((resolve) => (watcher.wake = resolve));
          watcher.wake = undefined;
        }
      } finally {
        signal.removeEventListener("abort", wakeOnAbort);
        leave(poller, watcher);
      }
    },

    nudge(key) {
      pollers.get(keyOf(key))?.nudge?.();
    },

    stats: () => ({ pollers: pollers.size, watchers: watcherCount }),

    close() {
      closed = true;
      for (const poller of [...pollers.values()]) {
        publish(poller, (watcher) => (watcher.ended = true));
        retire(poller);
      }
    },
  };
}
