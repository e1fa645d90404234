import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GC_PAUSE_RECORDER, explainSlowCalls, readGcPauses } from "../bench/lib/gc-pauses.js";

const dir = mkdtempSync(join(tmpdir(), "orbit-gc-pauses-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bench GC pause tracing (npm run bench:wait)", () => {
  it("a preloaded process writes its pauses with their kind", () => {
    const file = join(dir, "pauses.log");
    // The child collects twice, then waits until the observer has written (it delivers after the GC).
    const script = `gc(); gc({ type: "minor" });
      const started = Date.now();
      const timer = setInterval(() => {
        if (require("node:fs").existsSync(${JSON.stringify(file)}) || Date.now() - started > 10000) clearInterval(timer);
      }, 10);`;
    const run = spawnSync(process.execPath, ["--expose-gc", "--import", GC_PAUSE_RECORDER, "-e", script], {
      env: { ...process.env, ORBIT_BENCH_GC_FILE: file },
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    const pauses = readGcPauses(file);
    expect(pauses.map((pause) => pause.kind)).toContain("major");
    for (const pause of pauses) {
      expect(pause.durationMs).toBeGreaterThanOrEqual(0);
      expect(Math.abs(pause.startMs - Date.now())).toBeLessThan(60_000);
    }
  });

  it("tells which slow calls overlapped a pause of the server, of the client, or neither", () => {
    const calls = [
      { startMs: 1_000, durationMs: 2 },
      { startMs: 1_010, durationMs: 9 }, // server pause inside
      { startMs: 1_030, durationMs: 8 }, // client pause inside
      { startMs: 1_050, durationMs: 7 }, // no pause
    ];
    const lines = explainSlowCalls(calls, 5, {
      server: [
        { startMs: 1_012, durationMs: 4, kind: "minor" },
        { startMs: 5_000, durationMs: 30, kind: "major" }, // after the calls: not counted
      ],
      client: [{ startMs: 1_031, durationMs: 3, kind: "minor" }],
    });
    expect(lines).toEqual([
      "GC during the 4 calls: gateway 1 pauses, 4.0 ms in all, longest 4.00 ms; client (this process) 1 pauses, 3.0 ms in all, longest 3.00 ms",
      "calls over 5 ms: 3; overlapping a gateway GC pause 1, a client GC pause 1, neither 1",
    ]);
  });

  it("leaves the client out when its pauses were not recorded (a caller in another process)", () => {
    const calls = [
      { startMs: 1_000, durationMs: 9 },
      { startMs: 1_020, durationMs: 9 },
    ];
    const lines = explainSlowCalls(calls, 5, { server: [{ startMs: 1_001, durationMs: 2, kind: "minor" }] });
    expect(lines).toEqual([
      "GC during the 2 calls: gateway 1 pauses, 2.0 ms in all, longest 2.00 ms; client not recorded (another process)",
      "calls over 5 ms: 2; overlapping a gateway GC pause 1, neither 1",
    ]);
  });
});
