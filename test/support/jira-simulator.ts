import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const SIMULATOR_DIR = fileURLToPath(new URL("../../sidecar/packages/jira-simulator/", import.meta.url));

/** The service account of the simulator's demo site (sidecar/packages/jira-simulator/src/seed.ts). */
export const JIRA_DEMO_ACCOUNT = { email: "orbit-bot@acme.example", apiToken: "ATATT3xDemoOrbitBotToken0001" } as const;

export interface JiraRequestLogEntry {
  method: string;
  url: string;
  account: string | null;
  status: number;
}

/** The Jira Cloud simulator as a child process, driven through its HTTP control API. */
export interface RunningJiraSimulator {
  readonly url: string;
  requests(): Promise<JiraRequestLogEntry[]>;
  /** Answers the next API request(s) with this status (Jira's error body), with Retry-After when given. */
  failNext(status: number, options?: { count?: number; retryAfterSeconds?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `sidecar/packages/jira-simulator` with its demo seed on a free port. */
export async function startJiraSimulator(): Promise<RunningJiraSimulator> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "--port", "0", "--seed", "demo"], {
    cwd: SIMULATOR_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => {
      try {
        resolve(JSON.parse(line) as { url: string });
      } catch {
        reject(new Error(`the Jira simulator printed ${line} instead of its JSON line`));
      }
    });
    child.once("exit", (code) => reject(new Error(`the Jira simulator exited with ${code}: ${stderr.slice(-2000)}`)));
  });
  child.stdout?.resume();

  const control = async <T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/_simulator${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`jira simulator ${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  };

  return {
    url,
    requests: () => control("GET", "/requests"),
    failNext: (status, options = {}) => control("POST", "/fail-next", { status, ...options }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill("SIGTERM");
      });
    },
  };
}
