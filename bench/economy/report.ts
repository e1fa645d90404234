import { formatTable } from "../lib/table.js";
import type { Cost } from "./meter.js";
import { describeEndpoints } from "./meter.js";

/** One line of the measurements table: a measured step, or a figure computed from measured ones. */
export interface Row {
  readonly step: string;
  readonly cost: Cost;
  /** Computed (e.g. 100 × a measured view), not issued. */
  readonly computed?: boolean;
}

export function measurementsTable(rows: readonly Row[]): string {
  return formatTable(
    ["step", "metered", "304s", "GitHub requests", "sidecar calls"],
    rows.map(({ step, cost, computed }) => [
      computed ? `${step} [computed]` : step,
      String(cost.metered),
      computed ? "-" : String(cost.notModified),
      computed ? "-" : String(cost.requests),
      cost.sidecar === undefined || computed ? "-" : String(cost.sidecar),
    ]),
  );
}

/** Where each measured step's metered calls went. */
export function endpointLines(rows: readonly Row[]): string[] {
  return rows.filter((row) => !row.computed && row.cost.metered > 0).map((row) => `  ${row.step}: ${describeEndpoints(row.cost)}`);
}

/** Orbit's figure next to the browser-side model's, and the factor between them. */
export interface Comparison {
  readonly what: string;
  readonly orbit: number | string;
  readonly browserPage: number | string;
  readonly browserPerCard: number | string;
}

export function comparisonTable(rows: readonly Comparison[]): string {
  return formatTable(
    ["metered GitHub calls", "Orbit gateway", "browser model: page", "browser model: per-card"],
    rows.map((row) => [row.what, String(row.orbit), String(row.browserPage), String(row.browserPerCard)]),
  );
}

/** A costed step with no metered calls at all. */
export const NOTHING: Cost = { metered: 0, notModified: 0, requests: 0, byEndpoint: {} };

/** `factor` × a measured cost, for figures derived from measured steps. */
export function times(cost: Cost, factor: number): Cost {
  return { metered: cost.metered * factor, notModified: cost.notModified * factor, requests: cost.requests * factor, byEndpoint: {} };
}

export function add(...costs: Cost[]): Cost {
  return costs.reduce(
    (total, cost) => ({
      metered: total.metered + cost.metered,
      notModified: total.notModified + cost.notModified,
      requests: total.requests + cost.requests,
      sidecar: (total.sidecar ?? 0) + (cost.sidecar ?? 0),
      byEndpoint: mergeCounts(total.byEndpoint, cost.byEndpoint),
    }),
    NOTHING,
  );
}

function mergeCounts(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const merged: Record<string, number> = { ...a };
  for (const [key, count] of Object.entries(b)) merged[key] = (merged[key] ?? 0) + count;
  return merged;
}
