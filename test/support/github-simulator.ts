import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const SIMULATOR_DIR = fileURLToPath(new URL("../../sidecar/packages/github-simulator/", import.meta.url));

/** Tokens of the simulator's demo seed (sidecar/packages/github-simulator/src/seed.ts). */
export const GITHUB_TOKENS = {
  /** write access */
  dev: "ghp_demo_dev",
  /** write access, required reviewer of `production` */
  releaseManager: "ghp_demo_release_manager",
  /** read access */
  viewer: "ghp_demo_viewer",
  /** write access; the workspace's shared credential in the tests */
  orbitBot: "ghp_demo_orbit_bot",
} as const;

export interface SimulatorRun {
  id: number;
  repo: string;
  status: "queued" | "in_progress" | "waiting" | "completed";
  conclusion: string | null;
  inputs: Record<string, string>;
  waitingFor: string[];
}

export interface SimulatorCounters {
  metered: number;
  byIdentity: Record<string, number>;
  byEndpoint: Record<string, number>;
  notModified: number;
  rateLimited: number;
  requests: number;
}

/** The GitHub API simulator as a child process, driven through its HTTP control API. */
export interface RunningGitHubSimulator {
  readonly url: string;
  /** REST base URL: `url`, or `url/api/v3` in GHES mode. */
  readonly apiUrl: string;
  counters(): Promise<SimulatorCounters>;
  runs(repo?: string): Promise<SimulatorRun[]>;
  /** One step of a run: queued → in_progress → (waiting) → completed. */
  advance(runId: number): Promise<SimulatorRun[]>;
  /** Steps a run until it completes or waits for a review. */
  settle(runId: number): Promise<SimulatorRun[]>;
  /** Exhausts the primary rate limit of an identity (a login), until clearRateLimits. */
  forceRateLimit(identity: string): Promise<void>;
  clearRateLimits(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `sidecar/packages/github-simulator` with the demo seed on a free port (runs
 * move only through the control API). `ghes` serves the API under `/api/v3` like
 * GitHub Enterprise Server 3.20 (no `return_run_details` on dispatch).
 */
export async function startGitHubSimulator(options: { ghes?: boolean } = {}): Promise<RunningGitHubSimulator> {
  const args = ["--import", "tsx", "src/main.ts", "--port", "0", "--seed", "demo", ...(options.ghes ? ["--ghes", "3.20"] : [])];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: SIMULATOR_DIR, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const { url, apiUrl } = await new Promise<{ url: string; apiUrl: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      try {
        resolve(JSON.parse(line) as { url: string; apiUrl: string });
      } catch {
        reject(new Error(`the GitHub simulator printed ${line} instead of its JSON line`));
      }
    });
    child.once("exit", (code) => reject(new Error(`the GitHub simulator exited with ${code}: ${stderr.slice(-2000)}`)));
  });
  child.stdout?.resume(); // the human summary that follows is not needed

  const control = async <T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/_simulator${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`simulator ${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  };

  return {
    url,
    apiUrl,
    counters: () => control("GET", "/counters"),
    runs: (repo) => control("GET", `/runs${repo ? `?repo=${encodeURIComponent(repo)}` : ""}`),
    advance: (runId) => control("POST", "/runs/advance", { runId }),
    settle: (runId) => control("POST", "/runs/settle", { runId }),
    forceRateLimit: (identity) => control("POST", "/rate-limit", { identity }),
    clearRateLimits: () => control("POST", "/rate-limit/clear"),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill("SIGTERM");
      });
    },
  };
}
