import { setMaxListeners } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { summarize } from "../stats.js";
import type { PhaseResult } from "./job.js";
import { BadAnswer } from "./senders.js";
import type { Sender } from "./senders.js";

/** Requests still unanswered this long after the phase ended count as timeouts. */
const DRAIN_MS = 10_000;
/**
 * Above this many requests in flight an open-loop run stops adding more (and counts
 * them as dropped): one second of backlog at 1,000 req/s is plenty to show overload,
 * and a bounded backlog cannot spill over into the next path's measurement.
 */
const MAX_IN_FLIGHT = 1_000;

class Tally {
  readonly latencies: number[] = [];
  readonly errors: Record<string, number> = {};
  ok = 0;

  async measure(sender: Sender, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    try {
      await sender.send(signal);
      this.latencies.push(performance.now() - started);
      this.ok++;
    } catch (error) {
      if (signal.aborted) return; // counted as a timeout by drain()
      this.fail(error instanceof BadAnswer ? error.message : ((error as { code?: string }).code ?? (error as Error).message));
    }
  }

  fail(reason: string): void {
    this.errors[reason] = (this.errors[reason] ?? 0) + 1;
  }
}

/**
 * Open loop at a fixed rate: request n is due at start + n/rate and leaves as soon
 * as the 1 ms pacing timer sees it due, whether or not earlier ones were answered
 * (no coordinated omission: a slow server meets more, not fewer, requests). Latency
 * is measured from when the request actually left; how late it left is reported
 * separately as pacing lag.
 */
export async function runAtRate(sender: Sender, rate: number, seconds: number): Promise<Omit<PhaseResult, "type" | "phase">> {
  const tally = new Tally();
  const lags: number[] = [];
  const total = Math.round(rate * seconds);
  const intervalMs = 1_000 / rate;
  const inFlight = new Set<Promise<void>>();
  const cancel = new AbortController();
  // Every request of the phase listens on this one signal.
  setMaxListeners(0, cancel.signal);
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
    for (; sent < due; sent++) {
      lags.push(now - (start + sent * intervalMs));
      if (inFlight.size >= MAX_IN_FLIGHT) {
        tally.fail("dropped (too many in flight)");
        continue;
      }
      const request = tally.measure(sender, cancel.signal).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await delay(1);
  }
  const elapsedSeconds = (performance.now() - start) / 1000;
  await drain(inFlight, tally, cancel);
  return {
    elapsedSeconds,
    ok: tally.ok,
    errors: tally.errors,
    latencyMs: summarize(tally.latencies),
    lagMs: summarize(lags),
    throughput: tally.ok / elapsedSeconds,
    latencies: tally.latencies,
    lags,
  };
}

/** Closed loop: `concurrency` workers, each sending its next request when the previous one is answered. */
export async function runSaturated(sender: Sender, concurrency: number, seconds: number): Promise<Omit<PhaseResult, "type" | "phase">> {
  const tally = new Tally();
  const start = performance.now();
  const end = start + seconds * 1000;
  const never = new AbortController().signal;
  setMaxListeners(0, never);
  const worker = async () => {
    while (performance.now() < end) await tally.measure(sender, never);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedSeconds = (performance.now() - start) / 1000;
  return {
    elapsedSeconds,
    ok: tally.ok,
    errors: tally.errors,
    latencyMs: summarize(tally.latencies),
    throughput: tally.ok / elapsedSeconds,
    latencies: tally.latencies,
  };
}

/** Waits for the answers still due; whatever is unanswered after DRAIN_MS is cancelled and counted as a timeout. */
async function drain(inFlight: Set<Promise<void>>, tally: Tally, cancel: AbortController): Promise<void> {
  const timedOut = await Promise.race([Promise.all(inFlight).then(() => false), delay(DRAIN_MS).then(() => true)]);
  if (!timedOut) return;
  for (let i = 0; i < inFlight.size; i++) tally.fail("timeout");
  cancel.abort();
  await Promise.all(inFlight);
}
