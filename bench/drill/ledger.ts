/** The RPCs the drill's traffic mixes. */
export const KINDS = ["ProxyPluginRequest", "GetPluginData", "ListPlugins", "UpdatePluginConfig"] as const;
export type Kind = (typeof KINDS)[number];

/** "ok", a Connect code name ("unavailable", …), or "hang" when the harness had to give up waiting. */
export interface Outcome {
  readonly kind: Kind;
  readonly result: string;
  /** Milliseconds since the drill started. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The error message of a failed call. */
  readonly message?: string;
}

/** Results a dependency outage is expected to produce; anything else deserves a look. */
const EXPECTED_FAILURES = new Set(["unavailable", "deadline_exceeded", "resource_exhausted"]);

/** Every call's outcome, and the questions the report asks of them. */
export class Ledger {
  readonly outcomes: Outcome[] = [];

  record(outcome: Outcome): void {
    this.outcomes.push(outcome);
  }

  /** Counts by RPC, then by result. */
  countsByKind(): Map<Kind, Map<string, number>> {
    const counts = new Map<Kind, Map<string, number>>(KINDS.map((kind) => [kind, new Map()]));
    for (const { kind, result } of this.outcomes) {
      const byResult = counts.get(kind);
      byResult?.set(result, (byResult.get(result) ?? 0) + 1);
    }
    return counts;
  }

  /** The first call of each RPC and unexpected result (not ok, not an outage's code), with its message. */
  unexpected(): Outcome[] {
    const seen = new Map<string, Outcome>();
    for (const outcome of this.outcomes) {
      if (outcome.result === "ok" || EXPECTED_FAILURES.has(outcome.result)) continue;
      const key = `${outcome.kind} ${outcome.result}`;
      if (!seen.has(key)) seen.set(key, outcome);
    }
    return [...seen.values()];
  }

  longest(kind?: Kind): Outcome | undefined {
    let longest: Outcome | undefined;
    for (const outcome of this.outcomes) {
      if (kind && outcome.kind !== kind) continue;
      if (!longest || outcome.endedAt - outcome.startedAt > longest.endedAt - longest.startedAt) longest = outcome;
    }
    return longest;
  }

  /** Non-ok results of calls that ended in [from, to), by RPC. */
  failuresBetween(from: number, to: number): Map<Kind, Map<string, number>> {
    const failures = new Map<Kind, Map<string, number>>();
    for (const { kind, result, endedAt } of this.outcomes) {
      if (result === "ok" || endedAt < from || endedAt >= to) continue;
      const byResult = failures.get(kind) ?? new Map<string, number>();
      byResult.set(result, (byResult.get(result) ?? 0) + 1);
      failures.set(kind, byResult);
    }
    return failures;
  }

  /** When the first call of this RPC that started at or after `since` succeeded; undefined if none did. */
  firstSuccessSince(kind: Kind, since: number): number | undefined {
    let first: number | undefined;
    for (const outcome of this.outcomes) {
      if (outcome.kind !== kind || outcome.result !== "ok" || outcome.startedAt < since) continue;
      if (first === undefined || outcome.endedAt < first) first = outcome.endedAt;
    }
    return first;
  }
}

/**
 * Configuration writes per workspace: values only grow, and one write per workspace
 * is in flight at a time, so "the last acknowledged value or a later one" is exactly
 * "at least the highest acknowledged value".
 */
export class WriteBook {
  readonly #attempted = new Map<string, number>();
  readonly #acknowledged = new Map<string, number>();
  readonly #inFlight = new Set<string>();
  #acknowledgedWrites = 0;

  /** The next value to write to the workspace, or undefined while a write to it is in flight. */
  begin(workspaceId: string): number | undefined {
    if (this.#inFlight.has(workspaceId)) return undefined;
    this.#inFlight.add(workspaceId);
    const value = (this.#attempted.get(workspaceId) ?? 0) + 1;
    this.#attempted.set(workspaceId, value);
    return value;
  }

  end(workspaceId: string, value: number, acknowledged: boolean): void {
    this.#inFlight.delete(workspaceId);
    if (!acknowledged) return;
    this.#acknowledgedWrites++;
    this.#acknowledged.set(workspaceId, Math.max(value, this.#acknowledged.get(workspaceId) ?? 0));
  }

  acknowledged(workspaceId: string): number {
    return this.#acknowledged.get(workspaceId) ?? 0;
  }

  attempted(workspaceId: string): number {
    return this.#attempted.get(workspaceId) ?? 0;
  }

  get acknowledgedWrites(): number {
    return this.#acknowledgedWrites;
  }
}
