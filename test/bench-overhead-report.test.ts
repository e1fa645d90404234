import { describe, expect, it } from "vitest";
import type { MergedPhase, PathResult } from "../bench/overhead/measure.js";
import { goalLines } from "../bench/overhead/report.js";

const phase = (ok: number): MergedPhase => ({
  ok,
  errors: {},
  latencyMs: { count: ok, p50: 1, p90: 1, p99: 1, p999: 1, max: 1, mean: 1 },
  throughput: ok / 10,
});

/** A path whose CPU per call is `rateMs` over `rateCalls` calls at the fixed rate and `satMs` over `satCalls` at saturation. */
function path(label: string, rateCalls: number, rateMs: number, satCalls: number, satMs: number): PathResult {
  return {
    label,
    atRate: phase(rateCalls),
    saturated: phase(satCalls),
    sidecarCallsPerCall: 1,
    proxyCpuMsPerCall: (rateCalls * rateMs + satCalls * satMs) / (rateCalls + satCalls),
    proxyCpuMsPerCallByPhase: { atRate: rateMs, saturated: satMs },
    loadAverage: 1,
  };
}

describe("proxy overhead goal lines (npm run bench)", () => {
  const nginx = path("nginx", 3000, 0.06, 15_000, 0.05);

  it("judges CPU per call against the floor phase by phase, the pooled figure only reported", () => {
    // 1.9x in each phase; pooled over each one's own call counts the gateway is 2.11x (the floor answered twice the saturated calls).
    const floor = path("floor connect-node Connect JSON h1", 3000, 1.0, 12_000, 0.5);
    const gateway = path("gateway Connect JSON h1 uncached", 3000, 1.9, 6_000, 0.95);
    const [line] = goalLines([floor, gateway], nginx, 200);
    expect(line).toMatch(
      /^MET {4}CPU\/call <= 2x the connect-node floor at 200 req\/s and at saturation: gateway Connect JSON h1 uncached/,
    );
    expect(line).toContain("1.900 ms / 1.000 ms = 1.90x at 200 req/s, 0.950 ms / 0.500 ms = 1.90x at saturation");
    expect(line).toContain("both phases pooled 2.11x, reported only");
  });

  it("misses when either phase is over the goal", () => {
    const floor = path("floor connect-node gRPC h2c", 3000, 1.0, 12_000, 0.5);
    const gateway = path("gateway gRPC h2c cached", 3000, 1.2, 12_000, 0.8);
    const [line] = goalLines([floor, gateway], nginx, 200);
    expect(line).toMatch(/^MISSED CPU\/call <= 1.5x/);
    expect(line).toContain("= 1.20x at 200 req/s, 0.800 ms / 0.500 ms = 1.60x at saturation");
  });
});
