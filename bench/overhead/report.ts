import { formatTable, ms, signedMs } from "../lib/table.js";
import type { PathResult } from "./measure.js";

/** The figures the goals are measured against. */
const GOALS = { rate: 1_000, addedP50Ms: 1, addedP99Ms: 5, nginxFactor: 2, cachedCallsPerSecond: 3_000, rssMB: 150 } as const;
const RSS_GOAL_MIB = (GOALS.rssMB * 1e6) / 2 ** 20;
/** Below this, an added latency is indistinguishable from run-to-run noise. */
const NGINX_NOISE_FLOOR_MS = 0.05;

function errorText(errors: Readonly<Record<string, number>>): string {
  const entries = Object.entries(errors);
  return entries.length === 0 ? "0" : entries.map(([reason, count]) => `${count} ${reason}`).join(", ");
}

export function resultsTable(results: readonly PathResult[], baseline: PathResult, rate: number): string {
  const rows = results.map((result) => {
    const rss = result.proxyRss;
    return [
      result.label,
      ms(result.atRate.latencyMs.p50),
      ms(result.atRate.latencyMs.p99),
      ms(result.atRate.latencyMs.p999),
      signedMs(result.atRate.latencyMs.p50 - baseline.atRate.latencyMs.p50),
      signedMs(result.atRate.latencyMs.p99 - baseline.atRate.latencyMs.p99),
      errorText(result.atRate.errors),
      result.saturated.throughput.toFixed(0),
      ms(result.saturated.latencyMs.p50),
      errorText(result.saturated.errors),
      result.sidecarCallsPerCall.toFixed(2),
      result.proxyCpuMsPerCall === undefined ? "-" : result.proxyCpuMsPerCall.toFixed(3),
      rss ? `${rss.idleMiB.toFixed(0)}/${rss.atRatePeakMiB.toFixed(0)}/${rss.saturatedPeakMiB.toFixed(0)}` : "-",
      rss ? rss.saturatedPeakPssMiB.toFixed(0) : "-",
      result.loadAverage.toFixed(1),
    ];
  });
  return formatTable(
    [
      "path",
      `p50@${rate}/s`,
      "p99",
      "p99.9",
      "+p50",
      "+p99",
      "errors",
      "sat req/s",
      "sat p50",
      "sat errors",
      "sidecar/call",
      "proxy CPU ms/call",
      "proxy RSS MiB idle/rate/sat",
      "PSS sat",
      "load",
    ],
    rows,
  );
}

export function pacingLine(results: readonly PathResult[]): string {
  const worst = Math.max(...results.map((result) => result.atRate.lagMs?.p99 ?? 0));
  const achieved = results.map((result) => result.atRate.throughput.toFixed(0)).join(", ");
  return `pacing: worst p99 send lag ${worst.toFixed(2)} ms; achieved rates ${achieved} req/s`;
}

/** One line per goal, MET or MISSED, with the figure it was judged on. */
export function goalLines(results: readonly PathResult[], baseline: PathResult, nginx: PathResult, rate: number): string[] {
  const added = (result: PathResult, p: "p50" | "p99") => result.atRate.latencyMs[p] - baseline.atRate.latencyMs[p];
  const verdict = (met: boolean) => (met ? "MET   " : "MISSED");
  const lines: string[] = [];
  if (rate !== GOALS.rate) lines.push(`NOTE: the latency goals are stated at ${GOALS.rate} req/s; this run used ${rate} req/s`);
  for (const result of results.filter((r) => r.label.startsWith("gateway") && r.label.includes("uncached"))) {
    for (const p of ["p50", "p99"] as const) {
      const gateway = added(result, p);
      const nginxAdded = added(nginx, p);
      const absoluteGoal = p === "p50" ? GOALS.addedP50Ms : GOALS.addedP99Ms;
      lines.push(`${verdict(gateway <= absoluteGoal)} added ${p} <= ${absoluteGoal} ms: ${result.label} ${signedMs(gateway)} ms`);
      // nginx's own added latency can be within noise of zero (or below it); a floor keeps the comparison meaningful.
      const limit = GOALS.nginxFactor * Math.max(nginxAdded, NGINX_NOISE_FLOOR_MS);
      lines.push(
        `${verdict(gateway <= limit)} added ${p} within ${GOALS.nginxFactor}x nginx's (${signedMs(nginxAdded)} ms, limit ${limit.toFixed(2)} ms): ${result.label} ${signedMs(gateway)} ms`,
      );
    }
  }
  for (const result of results.filter((r) => r.label.startsWith("gateway") && !r.label.includes("uncached"))) {
    const rate = result.saturated.throughput;
    lines.push(`${verdict(rate >= GOALS.cachedCallsPerSecond)} >= ${GOALS.cachedCallsPerSecond} cached calls/s: ${result.label} ${rate.toFixed(0)}/s`);
    const rss = result.proxyRss;
    const peak = rss?.saturatedPeakMiB ?? Number.NaN;
    const processes = rss && rss.processes > 1 ? ` summed over ${rss.processes} processes (PSS ${rss.saturatedPeakPssMiB.toFixed(0)} MiB)` : "";
    lines.push(
      `${verdict(peak <= RSS_GOAL_MIB)} gateway RSS <= ${GOALS.rssMB} MB (${RSS_GOAL_MIB.toFixed(0)} MiB) at saturation: ${result.label} peak ${peak.toFixed(0)} MiB${processes}`,
    );
  }
  return lines;
}
