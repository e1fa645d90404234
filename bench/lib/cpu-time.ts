import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { processTree } from "./process-tree.js";

/** Clock ticks per second of /proc/<pid>/stat times (almost always 100). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system) a process has used so far, in milliseconds; undefined once
 * it is gone. Unlike latency, CPU time per call hardly moves when other work shares
 * the machine, so it compares proxies even on a busy host.
 */
export function cpuMillis(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU time of a process and its descendants (a cluster's primary and workers), in milliseconds. */
export function treeCpuMillis(root: number): number | undefined {
  const times = processTree(root)
    .map(cpuMillis)
    .filter((time): time is number => time !== undefined);
  return times.length === 0 ? undefined : times.reduce((sum, time) => sum + time, 0);
}
