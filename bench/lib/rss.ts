import { readFileSync } from "node:fs";
import { processTree } from "./process-tree.js";

/** Resident set size of a process in MiB, from /proc/<pid>/status (VmRSS); undefined once it is gone. */
export function residentMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RSS of a process and its descendants (a cluster's primary and workers), summed: an
 * upper bound, since pages the processes share (the node binary) count once per process.
 */
export function treeResidentMiB(pids: readonly number[]): number | undefined {
  const sizes = pids.map(residentMiB).filter((size): size is number => size !== undefined);
  return sizes.length === 0 ? undefined : sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * Proportional set size of a process tree in MiB (/proc/<pid>/smaps_rollup): each shared
 * page counts once across the processes sharing it, so the sum is what the tree costs.
 */
export function treeProportionalMiB(pids: readonly number[]): number | undefined {
  const sizes = pids
    .map((pid) => {
      try {
        const match = /^Pss:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
        return match ? Number(match[1]) / 1024 : undefined;
      } catch {
        return undefined;
      }
    })
    .filter((size): size is number => size !== undefined);
  return sizes.length === 0 ? undefined : sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * Samples the summed RSS (and PSS) of a process tree every `intervalMs` until stopped;
 * reports the peaks and the last RSS sample.
 */
export function sampleRss(root: number, intervalMs = 100): { stop(): { peakMiB: number; lastMiB: number; peakPssMiB: number } } {
  const pids = processTree(root);
  let peak = treeResidentMiB(pids) ?? 0;
  let peakPss = treeProportionalMiB(pids) ?? 0;
  let last = peak;
  const timer = setInterval(() => {
    const now = treeResidentMiB(pids);
    if (now === undefined) return;
    last = now;
    peak = Math.max(peak, now);
    peakPss = Math.max(peakPss, treeProportionalMiB(pids) ?? 0);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakMiB: peak, lastMiB: last, peakPssMiB: peakPss };
    },
  };
}
