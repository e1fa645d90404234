import { formatTable, ms, signedMs } from "../lib/table.js";
import type { PathResult } from "./measure.js";

/** The figures the goals are measured against (issue 17). */
const GOALS = { cachedCpuFactor: 1.5, uncachedCpuFactor: 2, rssMiB: 120 } as const;

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
      cpuCell(result),
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
      "proxy CPU ms/call all (rate/sat)",
      "proxy RSS MiB idle/rate/sat",
      "PSS sat",
      "load",
    ],
    rows,
  );
}

function cpuCell(result: PathResult): string {
  const phases = result.proxyCpuMsPerCallByPhase;
  if (result.proxyCpuMsPerCall === undefined || !phases) return "-";
  return `${result.proxyCpuMsPerCall.toFixed(3)} (${phases.atRate.toFixed(3)}/${phases.saturated.toFixed(3)})`;
}

export function pacingLine(results: readonly PathResult[]): string {
  const worst = Math.max(...results.map((result) => result.atRate.lagMs?.p99 ?? 0));
  const achieved = results.map((result) => result.atRate.throughput.toFixed(0)).join(", ");
  return `pacing: worst p99 send lag ${worst.toFixed(2)} ms; achieved rates ${achieved} req/s`;
}

/** The protocol a path's label names, to pair a gateway row with the floor row of the same protocol. */
function protocolOf(label: string): "Connect JSON" | "gRPC" | undefined {
  return label.includes("Connect JSON") ? "Connect JSON" : label.includes("gRPC") ? "gRPC" : undefined;
}

/**
 * One line per goal, MET or MISSED, with the figures it was judged on: the gateway's CPU per call
 * against the connect-node floor of the same protocol (and, reported only, against nginx), and the
 * gateway's RSS idle (before its first load) and at the fixed rate.
 */
export function goalLines(results: readonly PathResult[], nginx: PathResult, rate: number): string[] {
  const verdict = (met: boolean) => (met ? "MET   " : "MISSED");
  const floors = results.filter((r) => r.label.startsWith("floor"));
  const lines: string[] = [];
  for (const result of results.filter((r) => r.label.startsWith("gateway"))) {
    const floor = floors.find((f) => protocolOf(f.label) === protocolOf(result.label));
    const cached = !result.label.includes("uncached");
    const goal = cached ? GOALS.cachedCpuFactor : GOALS.uncachedCpuFactor;
    const own = result.proxyCpuMsPerCallByPhase;
    const least = floor?.proxyCpuMsPerCallByPhase;
    const atRate = (own?.atRate ?? Number.NaN) / (least?.atRate ?? Number.NaN);
    const saturated = (own?.saturated ?? Number.NaN) / (least?.saturated ?? Number.NaN);
    const overall = (result.proxyCpuMsPerCall ?? Number.NaN) / (floor?.proxyCpuMsPerCall ?? Number.NaN);
    const nginxCpu = nginx.proxyCpuMsPerCall ?? Number.NaN;
    const ratio = (mine: number | undefined, theirs: number | undefined, factor: number) =>
      `${(mine ?? Number.NaN).toFixed(3)} ms / ${(theirs ?? Number.NaN).toFixed(3)} ms = ${factor.toFixed(2)}x`;
    lines.push(
      `${verdict(atRate <= goal && saturated <= goal)} CPU/call <= ${goal}x the connect-node floor at ${rate} req/s and at saturation: ${result.label} ` +
        `${ratio(own?.atRate, least?.atRate, atRate)} at ${rate} req/s, ${ratio(own?.saturated, least?.saturated, saturated)} at saturation` +
        ` (both phases pooled ${overall.toFixed(2)}x, reported only: pooling weights each proxy's phases by its own call counts, and the faster one answers more calls at saturation;` +
        ` nginx ${nginxCpu.toFixed(3)} ms pooled: ${((result.proxyCpuMsPerCall ?? Number.NaN) / nginxCpu).toFixed(1)}x, reported only)`,
    );
  }
  for (const result of results.filter((r) => r.label.startsWith("gateway"))) {
    const rss = result.proxyRss;
    if (!rss) continue;
    const worst = Math.max(rss.idleMiB, rss.atRatePeakMiB);
    const each = rss.processes > 1 ? ` (summed over ${rss.processes} processes)` : "";
    lines.push(
      `${verdict(worst / rss.processes <= GOALS.rssMiB)} RSS <= ${GOALS.rssMiB} MiB per gateway process idle and at ${rate} req/s: ${result.label} ` +
        `idle ${rss.idleMiB.toFixed(0)} MiB, peak at rate ${rss.atRatePeakMiB.toFixed(0)} MiB${each} (at saturation ${rss.saturatedPeakMiB.toFixed(0)} MiB, reported only)`,
    );
  }
  return lines;
}
