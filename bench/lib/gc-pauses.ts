import { existsSync, readFileSync } from "node:fs";
import { PerformanceObserver, constants, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

/** One garbage-collection pause of a process, on the wall clock (ms since the epoch). */
export interface GcPause {
  readonly startMs: number;
  readonly durationMs: number;
  readonly kind: string;
}

/** A timed call, on the same clock. */
export interface TimedCall {
  readonly startMs: number;
  readonly durationMs: number;
}

/** `node --import` this into a process to record its pauses (env ORBIT_BENCH_GC_FILE names the file). */
export const GC_PAUSE_RECORDER = fileURLToPath(new URL("./gc-pause-recorder.mjs", import.meta.url));

/** The pauses a process preloaded with GC_PAUSE_RECORDER has written so far. */
export function readGcPauses(file: string): GcPause[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [start, duration, kind] = line.split(" ");
      return { startMs: Number(start), durationMs: Number(duration), kind: kind ?? "other" };
    });
}

const KINDS: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
};

/** Records this process's own pauses from now on (the same kinds as the recorder writes). */
export function recordOwnGcPauses(): { pauses(): GcPause[]; stop(): void } {
  const pauses: GcPause[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      pauses.push({ startMs: performance.timeOrigin + entry.startTime, durationMs: entry.duration, kind: KINDS[kind ?? -1] ?? "other" });
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  return { pauses: () => pauses, stop: () => observer.disconnect() };
}

const overlaps = (call: TimedCall, pauses: readonly GcPause[]) =>
  pauses.some((pause) => pause.startMs < call.startMs + call.durationMs && pause.startMs + pause.durationMs > call.startMs);

/**
 * Which of the calls slower than `thresholdMs` overlapped a pause of the server or of the client,
 * and the pauses of each during the calls: the tail explained, or not, by garbage collection.
 * `client` is undefined when the caller is another process whose pauses were not recorded.
 */
export function explainSlowCalls(
  calls: readonly TimedCall[],
  thresholdMs: number,
  pauses: { server: readonly GcPause[]; client?: readonly GcPause[] },
): string[] {
  const first = calls[0];
  const last = calls.at(-1);
  if (!first || !last) return [];
  const during = (list: readonly GcPause[]) =>
    list.filter((p) => p.startMs >= first.startMs && p.startMs <= last.startMs + last.durationMs);
  const server = during(pauses.server);
  const client = pauses.client ? during(pauses.client) : undefined;
  const slow = calls
    .filter((call) => call.durationMs > thresholdMs)
    .map((call) => ({ server: overlaps(call, server), client: client ? overlaps(call, client) : false }));
  const describe = (list: readonly GcPause[]) => {
    const total = list.reduce((sum, p) => sum + p.durationMs, 0);
    const longest = list.reduce((max, p) => Math.max(max, p.durationMs), 0);
    return `${list.length} pauses, ${total.toFixed(1)} ms in all, longest ${longest.toFixed(2)} ms`;
  };
  const count = (test: (call: { server: boolean; client: boolean }) => boolean) => slow.filter(test).length;
  return [
    `GC during the ${calls.length} calls: gateway ${describe(server)}; ${client ? `client (this process) ${describe(client)}` : "client not recorded (another process)"}`,
    `calls over ${thresholdMs} ms: ${slow.length}; overlapping a gateway GC pause ${count((c) => c.server)}${client ? `, a client GC pause ${count((c) => c.client)}` : ""}, neither ${count((c) => !c.server && !c.client)}`,
  ];
}
