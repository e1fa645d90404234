import { formatTable } from "../lib/table.js";
import type { FuzzCall } from "./calls.js";
import type { Verdict } from "./leak-check.js";
import type { CallOutcome } from "./runner.js";

interface Sample {
  readonly template: string;
  readonly code: string;
  readonly what: string;
}

/** Counts by template and code, and the verdicts that matter. */
export class FuzzTally {
  readonly #codes = new Map<string, Map<string, number>>();
  readonly #samples: Sample[] = [];
  /** Answers carrying another workspace's data, or acting for another workspace. */
  leaks = 0;
  secretExposures = 0;
  otherUserAnswers = 0;
  echoesChecked = 0;

  add(call: FuzzCall, outcome: CallOutcome, verdict: Verdict): void {
    const byCode = this.#codes.get(call.template) ?? new Map<string, number>();
    byCode.set(outcome.code, (byCode.get(outcome.code) ?? 0) + 1);
    this.#codes.set(call.template, byCode);
    if (outcome.code === "ok" && call.echoes && outcome.data !== undefined) this.echoesChecked++;
    if (verdict.leakedFrom.length > 0 || verdict.wrongWorkspace) {
      this.leaks++;
      this.#sample(
        call,
        outcome,
        verdict.wrongWorkspace ? "answer acted for another workspace" : `values of ${verdict.leakedFrom.join(", ")}`,
      );
    }
    if (verdict.secretExposed) {
      this.secretExposures++;
      this.#sample(call, outcome, "a secret in the answer");
    }
    if (verdict.otherUserOfSameWorkspace) this.otherUserAnswers++;
  }

  #sample(call: FuzzCall, outcome: CallOutcome, what: string): void {
    if (this.#samples.length < 10) this.#samples.push({ template: call.template, code: outcome.code, what });
  }

  codesTable(): string {
    const codes = [...new Set([...this.#codes.values()].flatMap((byCode) => [...byCode.keys()]))].sort((a, b) =>
      a === "ok" ? -1 : b === "ok" ? 1 : a.localeCompare(b),
    );
    const rows = [...this.#codes.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([template, byCode]) => [template, ...codes.map((code) => String(byCode.get(code) ?? 0))]);
    const totals = codes.map((code) => String([...this.#codes.values()].reduce((sum, byCode) => sum + (byCode.get(code) ?? 0), 0)));
    return formatTable(["call", ...codes], [...rows, ["total", ...totals]]);
  }

  summaryLines(): string[] {
    return [
      `answers carrying another workspace's data: ${this.leaks}`,
      `answers carrying a secret: ${this.secretExposures}`,
      `successful echo answers checked against the caller's workspace: ${this.echoesChecked}`,
      `echo answers naming another user of the caller's own workspace (shared cache entry; not cross-workspace): ${this.otherUserAnswers}`,
      ...this.#samples.map((sample) => `  sample: ${sample.template} -> ${sample.code}: ${sample.what}`),
    ];
  }
}
