import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { stopChild, watchAnnouncement } from "../lib/child-process.js";

const SIMULATOR_DIR = fileURLToPath(new URL("../../sidecar/packages/github-simulator/", import.meta.url));

/** The simulator's metered-call counters (GET /_simulator/counters). */
export interface SimulatorCounters {
  readonly metered: number;
  readonly notModified: number;
  readonly requests: number;
  readonly byIdentity: Readonly<Record<string, number>>;
  readonly byEndpoint: Readonly<Record<string, number>>;
}

/** A run as the control API reports it (the fields this benchmark reads). */
export interface SimulatorRun {
  readonly id: number;
  readonly status: string;
  readonly conclusion: string | null;
  readonly waitingFor: readonly string[];
}

/** The GitHub simulator as its own process, and the parts of its control API this benchmark uses. */
export interface SimulatorProcess {
  /** REST API base URL (what a workspace configures as `github_api_url`). */
  readonly apiUrl: string;
  readonly pid: number;
  counters(): Promise<SimulatorCounters>;
  /** The token of a seeded user, from GET /_simulator. */
  tokenOf(login: string): Promise<string>;
  /** One step of one run (POST /_simulator/runs/advance). */
  advance(runId: number): Promise<SimulatorRun>;
  /** Steps a run until it completes or waits for a reviewer (POST /_simulator/runs/settle). */
  settle(runId: number): Promise<SimulatorRun>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx src/main.ts --port 0 --seed demo` in the simulator's
 * package, without --auto-advance: runs move only when this benchmark says so, so
 * every counted call has a known cause. `latencyMs` holds every REST answer back that long
 * (--latency). Resolves once it printed its JSON line.
 */
export async function startSimulatorProcess(options: { latencyMs?: number } = {}): Promise<SimulatorProcess> {
  const latency = options.latencyMs ? ["--latency", String(options.latencyMs)] : [];
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "--port", "0", "--seed", "demo", ...latency], {
    cwd: SIMULATOR_DIR,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const watched = watchAnnouncement<{ url: string; apiUrl: string }>(child);
  const { url, apiUrl } = await watched.announced;

  const control = async <T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/_simulator${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`simulator ${method} /_simulator${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const onlyRun = (runs: SimulatorRun[], runId: number): SimulatorRun => {
    const run = runs.find((each) => each.id === runId);
    if (!run) throw new Error(`the simulator did not report run ${runId}`);
    return run;
  };

  return {
    apiUrl,
    pid: child.pid ?? 0,
    counters: () => control<SimulatorCounters>("GET", "/counters"),
    async tokenOf(login) {
      const { users } = await control<{ users: Array<{ login: string; tokens: string[] }> }>("GET", "");
      const token = users.find((user) => user.login === login)?.tokens[0];
      if (!token) throw new Error(`the simulator's seed has no token for ${login}`);
      return token;
    },
    advance: async (runId) => onlyRun(await control<SimulatorRun[]>("POST", "/runs/advance", { runId }), runId),
    settle: async (runId) => onlyRun(await control<SimulatorRun[]>("POST", "/runs/settle", { runId }), runId),
    output: watched.output,
    stop: () => stopChild(child),
  };
}
