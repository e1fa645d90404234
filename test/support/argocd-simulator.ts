import { startSimulatorProcess } from "./simulator-process.js";
import type { RunningSimulatorProcess } from "./simulator-process.js";

export interface ArgoRequestLogEntry {
  method: string;
  path: string;
  query: string;
  token: string | null;
  status: number;
}

/** An Argo CD simulator (sidecar/packages/argocd-simulator); `token` is the API token its calls need (the seed's). */
export type RunningArgoCdSimulator = RunningSimulatorProcess<{ url: string; token: string }, ArgoRequestLogEntry>;

/** Starts the simulator with one of its seeds ("acme", "globex") on a free port. */
export function startArgoCdSimulator(seed: "acme" | "globex"): Promise<RunningArgoCdSimulator> {
  return startSimulatorProcess("argocd-simulator", "Argo CD", ["--seed", seed]);
}
