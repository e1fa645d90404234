import { loadavg } from "node:os";
import type { LoadGenerator } from "../lib/load/load-generator.js";
import type { LatencySummary, PhaseResult, TargetSpec } from "../lib/load/job.js";
import { treeCpuMillis } from "../lib/cpu-time.js";
import { processTree } from "../lib/process-tree.js";
import { sampleRss, treeResidentMiB } from "../lib/rss.js";
import { summarize } from "../lib/stats.js";

export interface RunShape {
  readonly warmupSeconds: number;
  readonly rate: number;
  /** Per path, summed over the rounds. */
  readonly rateSeconds: number;
  readonly concurrency: number;
  /** Per path, summed over the rounds. */
  readonly saturateSeconds: number;
  /** Each path's measurement is split into this many slices, taken in turn with the other paths'. */
  readonly rounds: number;
}

export interface BenchPath {
  readonly label: string;
  readonly target: TargetSpec;
  /** The proxy process of this path (gateway or nginx), whose CPU time and RSS are sampled, its child processes included (a cluster's workers). */
  readonly proxyPid?: number;
}

export interface MergedPhase {
  readonly ok: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly latencyMs: LatencySummary;
  readonly lagMs?: LatencySummary;
  readonly throughput: number;
}

export interface PathResult {
  readonly label: string;
  readonly atRate: MergedPhase;
  readonly saturated: MergedPhase;
  /** Sidecar requests per successful call, over both measured phases (cached paths: ~0). */
  readonly sidecarCallsPerCall: number;
  /**
   * The proxy's RSS (summed over its processes): before its first load, and the peak during each
   * kind of phase; and its PSS peak at saturation (shared pages counted once).
   */
  readonly proxyRss?: {
    readonly idleMiB: number;
    readonly atRatePeakMiB: number;
    readonly saturatedPeakMiB: number;
    readonly saturatedPeakPssMiB: number;
    readonly processes: number;
  };
  /** The proxy's CPU time per successful call, over both measured phases. */
  readonly proxyCpuMsPerCall?: number;
  /**
   * The same, per phase. Two proxies compared over both phases together are weighted
   * differently (the cheaper one answers more calls at saturation, where a call costs less
   * than at a fixed rate), so comparisons are made phase by phase.
   */
  readonly proxyCpuMsPerCallByPhase?: { readonly atRate: number; readonly saturated: number };
  /** The mean 1-minute load average at the end of the path's phases (our own load included), for context. */
  readonly loadAverage: number;
}

/** Everything measured of one path, over all rounds. */
class PathAccount {
  readonly rate: PhaseResult[] = [];
  readonly saturated: PhaseResult[] = [];
  sidecarCalls = 0;
  rateCpuMs = 0;
  saturatedCpuMs = 0;
  idleMiB = Number.NaN;
  ratePeakMiB = 0;
  saturatedPeakMiB = 0;
  saturatedPeakPssMiB = 0;
  processes = 0;
  readonly loads: number[] = [];
}

/**
 * Measures every path the same way, interleaved: after a warm-up of each path, the
 * fixed-rate measurement of every path is cut into `rounds` slices taken in turn
 * (path A, B, C, then B, C, A, …), then saturation likewise. A burst of other work on
 * a shared machine thus lands on every path alike instead of on whichever ran then.
 */
export async function measureInterleaved(
  load: LoadGenerator,
  paths: readonly BenchPath[],
  shape: RunShape,
  sidecarRequests: () => Promise<number>,
  progress: (line: string) => void,
): Promise<PathResult[]> {
  const accounts = new Map(paths.map((path) => [path, new PathAccount()]));
  for (const path of paths) {
    const account = accounts.get(path) as PathAccount;
    // Idle: started and set up, before this path's first load (a process shared by two paths was warmed by the first).
    if (path.proxyPid) {
      const tree = processTree(path.proxyPid);
      account.idleMiB = treeResidentMiB(tree) ?? Number.NaN;
      account.processes = tree.length;
    }
    await load.run(path.target, { kind: "rate", rate: shape.rate, seconds: shape.warmupSeconds });
  }
  progress(`warmed up ${paths.length} paths`);

  const slice = async (path: BenchPath, kind: "rate" | "saturate") => {
    const account = accounts.get(path) as PathAccount;
    const before = await sidecarRequests();
    const cpuBefore = path.proxyPid ? treeCpuMillis(path.proxyPid) : undefined;
    const rss = path.proxyPid ? sampleRss(path.proxyPid) : undefined;
    const result =
      kind === "rate"
        ? await load.run(path.target, { kind, rate: shape.rate, seconds: shape.rateSeconds / shape.rounds, raw: true })
        : await load.run(path.target, { kind, concurrency: shape.concurrency, seconds: shape.saturateSeconds / shape.rounds, raw: true });
    const sampled = rss?.stop();
    const peak = sampled?.peakMiB ?? 0;
    const cpuAfter = path.proxyPid ? treeCpuMillis(path.proxyPid) : undefined;
    const cpuMs = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : 0;
    account.sidecarCalls += (await sidecarRequests()) - before;
    account.loads.push(loadavg()[0] ?? Number.NaN);
    if (kind === "rate") {
      account.rateCpuMs += cpuMs;
      account.rate.push(result);
      account.ratePeakMiB = Math.max(account.ratePeakMiB, peak);
    } else {
      account.saturatedCpuMs += cpuMs;
      account.saturated.push(result);
      account.saturatedPeakMiB = Math.max(account.saturatedPeakMiB, peak);
      account.saturatedPeakPssMiB = Math.max(account.saturatedPeakPssMiB, sampled?.peakPssMiB ?? 0);
    }
  };
  for (const kind of ["rate", "saturate"] as const) {
    for (let round = 0; round < shape.rounds; round++) {
      for (let i = 0; i < paths.length; i++) await slice(paths[(i + round) % paths.length] as BenchPath, kind);
      progress(`${kind === "rate" ? `fixed rate ${shape.rate} req/s` : "saturation"}: round ${round + 1} of ${shape.rounds} done`);
    }
  }

  return paths.map((path) => {
    const account = accounts.get(path) as PathAccount;
    const atRate = merge(account.rate);
    const saturated = merge(account.saturated);
    return {
      label: path.label,
      atRate,
      saturated,
      sidecarCallsPerCall: account.sidecarCalls / Math.max(1, atRate.ok + saturated.ok),
      ...(path.proxyPid
        ? {
            proxyRss: {
              idleMiB: account.idleMiB,
              atRatePeakMiB: account.ratePeakMiB,
              saturatedPeakMiB: account.saturatedPeakMiB,
              saturatedPeakPssMiB: account.saturatedPeakPssMiB,
              processes: account.processes,
            },
            proxyCpuMsPerCall: (account.rateCpuMs + account.saturatedCpuMs) / Math.max(1, atRate.ok + saturated.ok),
            proxyCpuMsPerCallByPhase: {
              atRate: account.rateCpuMs / Math.max(1, atRate.ok),
              saturated: account.saturatedCpuMs / Math.max(1, saturated.ok),
            },
          }
        : {}),
      loadAverage: account.loads.reduce((sum, value) => sum + value, 0) / Math.max(1, account.loads.length),
    };
  });
}

function merge(phases: readonly PhaseResult[]): MergedPhase {
  const errors: Record<string, number> = {};
  for (const phase of phases) for (const [reason, count] of Object.entries(phase.errors)) errors[reason] = (errors[reason] ?? 0) + count;
  const ok = phases.reduce((sum, phase) => sum + phase.ok, 0);
  const seconds = phases.reduce((sum, phase) => sum + phase.elapsedSeconds, 0);
  const lags = phases.flatMap((phase) => phase.lags ?? []);
  return {
    ok,
    errors,
    latencyMs: summarize(phases.flatMap((phase) => phase.latencies ?? [])),
    ...(lags.length > 0 ? { lagMs: summarize(lags) } : {}),
    throughput: ok / Math.max(seconds, Number.EPSILON),
  };
}
