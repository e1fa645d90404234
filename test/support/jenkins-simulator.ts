import { startSimulatorProcess } from "./simulator-process.js";
import type { RunningSimulatorProcess } from "./simulator-process.js";

export interface JenkinsRequestLogEntry {
  method: string;
  path: string;
  user: string | null;
  status: number;
}

/** A Jenkins simulator (sidecar/packages/jenkins-simulator); `user` and `apiToken` are the account its API calls need (the seed's). */
export type RunningJenkinsSimulator = RunningSimulatorProcess<{ url: string; user: string; apiToken: string }, JenkinsRequestLogEntry>;

/** Starts the simulator with one of its seeds ("acme", "globex") on a free port. */
export function startJenkinsSimulator(seed: "acme" | "globex"): Promise<RunningJenkinsSimulator> {
  return startSimulatorProcess("jenkins-simulator", "Jenkins", ["--seed", seed]);
}
