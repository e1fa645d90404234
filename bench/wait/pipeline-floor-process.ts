import { spawn } from "node:child_process";
import { benchChildEnv, stopChild, watchAnnouncement } from "../lib/child-process.js";
import type { CompiledFloor } from "../overhead/floor-process.js";

/** The pipeline floor (pipeline-floor.ts, compiled) as its own process, so its CPU time is its own. */
export interface PipelineFloorProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startPipelineFloor(options: {
  floor: CompiledFloor;
  /** A GetPipelineResponse in protobuf binary: the answer to every call. */
  answerFile: string;
  /** The origin a browser caller's page is served from ("" = no CORS). */
  allowOrigin: string;
}): Promise<PipelineFloorProcess> {
  const child = spawn(process.execPath, [options.floor.entry], {
    env: benchChildEnv({ FLOOR_PIPELINE_FILE: options.answerFile, FLOOR_ALLOW_ORIGIN: options.allowOrigin }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { url } = await watchAnnouncement<{ url: string }>(child).announced;
  return { url, pid: child.pid ?? 0, stop: () => stopChild(child) };
}
