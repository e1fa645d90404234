import { readFileSync } from "node:fs";

/** Resident set size of a process in MiB, from /proc/<pid>/status (VmRSS); undefined once it is gone. */
export function residentMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `intervalMs` until stopped; reports the peak and the last sample. */
export function sampleRss(pid: number, intervalMs = 100): { stop(): { peakMiB: number; lastMiB: number } } {
  let peak = residentMiB(pid) ?? 0;
  let last = peak;
  const timer = setInterval(() => {
    const now = residentMiB(pid);
    if (now === undefined) return;
    last = now;
    peak = Math.max(peak, now);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakMiB: peak, lastMiB: last };
    },
  };
}
