import { formatTable } from "../lib/table.js";
import type { FaultRecord } from "./faults.js";
import { KINDS } from "./ledger.js";
import type { Ledger } from "./ledger.js";

/** The drill's goals, from the issue. */
export const DRILL_GOALS = { recoveryMs: 5_000 } as const;

export interface WriteCheck {
  readonly workspaces: number;
  readonly acknowledgedWrites: number;
  /** Workspaces whose stored value is below their last acknowledged one. */
  readonly lost: ReadonlyArray<{ workspaceId: string; acknowledged: number; stored: string }>;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export function callsTable(ledger: Ledger): string {
  const counts = ledger.countsByKind();
  const results = [...new Set(ledger.outcomes.map((outcome) => outcome.result))].sort((a, b) =>
    a === "ok" ? -1 : b === "ok" ? 1 : a.localeCompare(b),
  );
  const rows = KINDS.map((kind) => {
    const byResult = counts.get(kind) ?? new Map<string, number>();
    const total = [...byResult.values()].reduce((sum, count) => sum + count, 0);
    return [kind, ...results.map((result) => String(byResult.get(result) ?? 0)), String(total)];
  });
  return formatTable(["RPC", ...results, "total"], rows);
}

export function longestTable(ledger: Ledger, deadlineMs: number): string {
  const rows = KINDS.map((kind) => {
    const longest = ledger.longest(kind);
    if (!longest) return [kind, "-", "-"];
    const duration = longest.endedAt - longest.startedAt;
    return [kind, `${duration.toFixed(0)} ms (${longest.result})`, `${((duration / deadlineMs) * 100).toFixed(0)}%`];
  });
  return formatTable(["RPC", "longest call", `of the ${deadlineMs} ms deadline`], rows);
}

/**
 * Recovery after a restart: for every RPC that failed while the dependency was away,
 * how long after it answered again the first call started after that moment succeeded.
 */
export function recoveryOf(ledger: Ledger, fault: FaultRecord): { perKind: Map<string, number | undefined>; worstMs: number | undefined } {
  const failed = ledger.failuresBetween(fault.stoppedAt, fault.backAt);
  const perKind = new Map<string, number | undefined>();
  let worst: number | undefined = 0;
  for (const kind of failed.keys()) {
    const first = ledger.firstSuccessSince(kind, fault.backAt);
    const recovery = first === undefined ? undefined : first - fault.backAt;
    perKind.set(kind, recovery);
    worst = worst === undefined || recovery === undefined ? undefined : Math.max(worst, recovery);
  }
  if (fault.inUseAt !== undefined) worst = worst === undefined ? undefined : Math.max(worst, fault.inUseAt - fault.backAt);
  return { perKind, worstMs: worst };
}

export function faultLines(ledger: Ledger, faults: readonly FaultRecord[]): string[] {
  return faults.flatMap((fault) => {
    const failures = ledger.failuresBetween(fault.stoppedAt, fault.backAt);
    const failureText =
      [...failures.entries()].map(([kind, byResult]) => `${kind} ${[...byResult].map(([r, n]) => `${n} ${r}`).join("/")}`).join("; ") ||
      "none";
    const { perKind, worstMs } = recoveryOf(ledger, fault);
    const recoveryText = [...perKind].map(([kind, ms]) => `${kind} ${ms === undefined ? "never" : seconds(ms)}`).join(", ");
    const lines = [
      `${fault.name} (${fault.how}): down ${seconds(fault.backAt - fault.stoppedAt)} (restart took ${seconds(fault.backAt - fault.restartedAt)})`,
      `  failed calls while away: ${failureText}`,
    ];
    if (fault.inUseAt !== undefined)
      lines.push(`  gateway using ${fault.name} again ${seconds(fault.inUseAt - fault.backAt)} after it answered`);
    if (recoveryText) lines.push(`  first success after it answered: ${recoveryText}`);
    lines.push(`  recovery: ${worstMs === undefined ? "NOT within the observation window" : seconds(worstMs)}`);
    return lines;
  });
}

export function goalLines(
  ledger: Ledger,
  faults: readonly FaultRecord[],
  deadlineMs: number,
  writes: WriteCheck,
  lateGraceMs: number,
): string[] {
  const late = ledger.outcomes.filter((o) => o.result === "hang" || o.endedAt - o.startedAt > deadlineMs + lateGraceMs);
  const verdict = (met: boolean) => (met ? "GOAL MET   " : "GOAL MISSED");
  const lines = [
    `${verdict(late.length === 0)} 0 hangs past the deadline: ${late.length} call(s) took longer than ${deadlineMs} + ${lateGraceMs} ms (${late.filter((o) => o.result === "hang").length} never answered)`,
    `${verdict(writes.lost.length === 0)} 0 lost writes: ${writes.lost.length} of ${writes.workspaces} workspaces lost an acknowledged write (${writes.acknowledgedWrites} acknowledged)`,
  ];
  for (const lost of writes.lost) lines.push(`  lost: ${lost.workspaceId} acknowledged ${lost.acknowledged}, stored ${lost.stored}`);
  for (const fault of faults) {
    const { worstMs } = recoveryOf(ledger, fault);
    lines.push(
      `${verdict(worstMs !== undefined && worstMs <= DRILL_GOALS.recoveryMs)} recovery <= ${DRILL_GOALS.recoveryMs / 1000} s after ${fault.name} returns: ${worstMs === undefined ? "not recovered" : seconds(worstMs)}`,
    );
  }
  return lines;
}
