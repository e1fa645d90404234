import { startSimulatorProcess } from "./simulator-process.js";
import type { RunningSimulatorProcess } from "./simulator-process.js";

export interface SonarRequestLogEntry {
  path: string;
  query: string;
  token: string | null;
  status: number;
}

/** A SonarQube simulator (sidecar/packages/sonarqube-simulator); `token` is the one its API calls need (the seed's). */
export type RunningSonarQubeSimulator = RunningSimulatorProcess<{ url: string; token: string }, SonarRequestLogEntry>;

/** Starts the simulator with one of its seeds ("acme", "globex") on a free port. */
export function startSonarQubeSimulator(seed: "acme" | "globex"): Promise<RunningSonarQubeSimulator> {
  return startSimulatorProcess("sonarqube-simulator", "SonarQube", ["--seed", seed]);
}
