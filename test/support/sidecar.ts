import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { freePort } from "./redis-server.js";

const SIDECAR_DIR = fileURLToPath(new URL("../../sidecar/", import.meta.url));

/** A real Backstage sidecar process on its own port, which a test may kill and restart. */
export interface RunningSidecar {
  readonly url: string;
  readonly token: string;
  /** The running sidecar's process id (its stock plugin processes are its children). */
  readonly pid: number | undefined;
  /** How many requests reached plugin routes (the sidecar's own ledger). */
  requestCount(): Promise<number>;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** `env` adds settings for the sidecar process (e.g. tracing). */
export async function startSidecar(env: Record<string, string> = {}): Promise<RunningSidecar> {
  const port = await freePort();
  const token = randomBytes(32).toString("base64url");
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(process.execPath, ["--import", "tsx", "packages/backend/src/index.ts"], {
      cwd: SIDECAR_DIR,
      env: {
        ...process.env,
        SIDECAR_PORT: String(port),
        SIDECAR_HOST: "127.0.0.1",
        BACKSTAGE_SERVICE_TOKEN: token,
        LOG_LEVEL: "warn",
        ORBIT_SIDECAR_TEST_ROUTES: "true",
        ...env,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<never>((_, reject) =>
      child?.once("exit", (code) => reject(new Error(`sidecar exited with ${code}: ${stderr.slice(-2000)}`))),
    );
    await Promise.race([waitUntilReady(url), exited]);
  };
  const stopWith = (signal: NodeJS.Signals) => async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise((resolve) => {
      running.once("exit", resolve);
      running.kill(signal);
    });
  };

  await start();
  return {
    url,
    token,
    get pid() {
      return child?.pid;
    },
    async requestCount() {
      const response = await fetch(`${url}/.orbit/requests`, { headers: { authorization: `Bearer ${token}` } });
      return ((await response.json()) as { total: number }).total;
    },
    kill: stopWith("SIGKILL"),
    stop: stopWith("SIGTERM"),
    start,
  };
}

/** Polls Backstage's readiness endpoint until it answers 200, within a bounded deadline. */
async function waitUntilReady(url: string, deadlineMs = 60_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/.backstage/health/v1/readiness`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`the sidecar at ${url} did not become ready in ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // poll interval, bounded by the deadline
  }
}
