// Preloaded into a benchmarked process (`node --import`): appends each of its garbage-collection
// pauses to $ORBIT_BENCH_GC_FILE as "<start, ms since the epoch> <duration ms> <kind>", so that the
// harness can tell whether a slow call overlapped one. One observer, one append per batch of pauses.
import { appendFileSync } from "node:fs";
import { PerformanceObserver, constants, performance } from "node:perf_hooks";

const file = process.env.ORBIT_BENCH_GC_FILE;
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
};
if (file) {
  new PerformanceObserver((list) => {
    const lines = list
      .getEntries()
      .map(
        (entry) =>
          `${(performance.timeOrigin + entry.startTime).toFixed(3)} ${entry.duration.toFixed(3)} ${KINDS[entry.detail?.kind] ?? "other"}\n`,
      );
    appendFileSync(file, lines.join(""));
  }).observe({ entryTypes: ["gc"] });
}
