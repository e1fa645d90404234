import { setTimeout as delay } from "node:timers/promises";
import type { SimulatorCounters } from "./simulator-process.js";

/** What one measured step cost upstream. */
export interface Cost {
  /** GitHub calls that counted against a primary rate limit (the simulator's counter). */
  readonly metered: number;
  /** Conditional GETs answered 304: sent to GitHub, not counted against the limit. */
  readonly notModified: number;
  /** Every request GitHub received (metered, 304s, refusals). */
  readonly requests: number;
  /** Requests that reached the sidecar's plugin routes (undefined where no sidecar is involved). */
  readonly sidecar?: number;
  /** Metered calls per endpoint, for the reader who wants to see where they went. */
  readonly byEndpoint: Readonly<Record<string, number>>;
}

export interface Meter {
  /**
   * Runs `step` and returns its result with the upstream calls counted while it ran.
   * Correct only while nothing else talks to GitHub: the benchmark keeps the stack
   * quiet between steps (no auto-advancing runs, no open watches unless measured).
   */
  measure<T>(step: () => Promise<T>): Promise<{ result: T; cost: Cost }>;
}

export function createMeter(sources: { counters(): Promise<SimulatorCounters>; sidecarRequests(): Promise<number> }): Meter {
  return {
    async measure(step) {
      const [before, sidecarBefore] = await Promise.all([sources.counters(), sources.sidecarRequests()]);
      const result = await step();
      const [after, sidecarAfter] = await Promise.all([sources.counters(), sources.sidecarRequests()]);
      return { result, cost: { ...difference(before, after), sidecar: sidecarAfter - sidecarBefore } };
    },
  };
}

/**
 * Waits until GitHub has received no request for `stillMs` (e.g. a poll that was in
 * flight when its watchers left), so the next measurement counts only its own calls.
 */
export async function waitForQuiet(counters: () => Promise<SimulatorCounters>, stillMs = 300, deadlineMs = 15_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = (await counters()).requests;
  for (;;) {
    await delay(stillMs); // the stillness being checked is measured in time
    const now = (await counters()).requests;
    if (now === last) return;
    if (Date.now() > until) throw new Error(`GitHub still received requests after ${deadlineMs} ms; something keeps polling`);
    last = now;
  }
}

/** Upstream calls between two counter snapshots. */
export function difference(before: SimulatorCounters, after: SimulatorCounters): Cost {
  const byEndpoint: Record<string, number> = {};
  for (const [endpoint, count] of Object.entries(after.byEndpoint)) {
    const delta = count - (before.byEndpoint[endpoint] ?? 0);
    if (delta > 0) byEndpoint[endpoint] = delta;
  }
  return {
    metered: after.metered - before.metered,
    notModified: after.notModified - before.notModified,
    requests: after.requests - before.requests,
    byEndpoint,
  };
}

/** "GET /repos/{owner}/{repo}/actions/runs/{run_id} ×3, …": where metered calls went. */
export function describeEndpoints(cost: Cost): string {
  const entries = Object.entries(cost.byEndpoint).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return "none";
  return entries.map(([endpoint, count]) => `${endpoint.replace(/^(\w+) \/repos\/\{owner\}\/\{repo\}/, "$1 …")} ×${count}`).join(", ");
}
