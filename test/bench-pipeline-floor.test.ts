import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, equals, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFloor } from "../bench/overhead/floor-process.js";
import type { CompiledFloor } from "../bench/overhead/floor-process.js";
import { startPipelineFloor } from "../bench/wait/pipeline-floor-process.js";
import type { PipelineFloorProcess } from "../bench/wait/pipeline-floor-process.js";
import { connectNodeCaller, plainHttpCaller } from "../bench/wait/warm-callers.js";
import { GetPipelineResponseSchema } from "../src/gen/idp/plugins/v1/deployments_pb.js";

const ORIGIN = "http://127.0.0.1:9";
const answer = create(GetPipelineResponseSchema, {
  pipeline: {
    service: "checkout",
    environments: [
      { environment: "staging", order: 1, currentVersion: "v1.2.0" },
      { environment: "production", order: 2 },
    ],
  },
});
const dir = mkdtempSync(join(tmpdir(), "orbit-pipeline-floor-"));
let compiled: CompiledFloor;
let floor: PipelineFloorProcess;

beforeAll(async () => {
  const answerFile = join(dir, "answer.bin");
  writeFileSync(answerFile, toBinary(GetPipelineResponseSchema, answer));
  compiled = await compileFloor("bench/wait/pipeline-floor.ts");
  floor = await startPipelineFloor({ floor: compiled, answerFile, allowOrigin: ORIGIN });
}, 120_000);

afterAll(async () => {
  await floor?.stop();
  await compiled?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("the warm GetPipeline floor (npm run bench:wait)", () => {
  it("answers every caller with the answer it was given, timing each call", async () => {
    for (const caller of [connectNodeCaller(), plainHttpCaller()]) {
      const calls = await caller.calls({ url: floor.url, token: "any" }, 3);
      await caller.close();
      expect(calls).toHaveLength(3);
      for (const call of calls) expect(call.durationMs).toBeGreaterThan(0);
    }
    const client = (await import("../bench/economy/workspace.js")).deploymentsClient(floor.url);
    const got = await client.getPipeline({ workspaceId: "w", service: "checkout" });
    expect(equals(GetPipelineResponseSchema, got, answer)).toBe(true);
  });

  it("answers a browser's CORS preflight for its page's origin", async () => {
    const preflight = await fetch(`${floor.url}/idp.plugins.v1.DeploymentService/GetPipeline`, {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
  });
});
