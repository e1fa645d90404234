import { startSimulatorProcess } from "./simulator-process.js";
import type { RunningSimulatorProcess } from "./simulator-process.js";

export interface KubernetesRequestLogEntry {
  method: string;
  path: string;
  labelSelector: string | null;
  token: string | null;
  status: number;
}

/**
 * A Kubernetes API simulator (sidecar/packages/kubernetes-simulator); `token` is the service-account token it accepts
 * (the seed's); `caPem`, with TLS, the self-signed certificate it serves.
 */
export type RunningKubernetesSimulator = RunningSimulatorProcess<{ url: string; token: string; caPem?: string }, KubernetesRequestLogEntry>;

/** Starts the simulator with one of its seeds ("acme", "globex") on a free port; `tls`: HTTPS with a fresh certificate. */
export function startKubernetesSimulator(seed: "acme" | "globex", options: { tls?: boolean } = {}): Promise<RunningKubernetesSimulator> {
  return startSimulatorProcess("kubernetes-simulator", "Kubernetes", ["--seed", seed, ...(options.tls ? ["--tls"] : [])]);
}
