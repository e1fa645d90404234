/**
 * Child processes of a local stack (`npm start`, `npm run demo`): started with tsx,
 * stopped together — one Ctrl-C stops them all, a second one kills them — and the
 * whole stack stops when any of them exits on its own.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess, StdioOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const rootDir = fileURLToPath(new URL("../../", import.meta.url));
export const sidecarDir = fileURLToPath(new URL("../../sidecar/", import.meta.url));

export interface Stack {
  /** Starts `node --import tsx <args>` in `cwd`. */
  run(name: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, stdio?: StdioOptions): ChildProcess;
  stop(exitCode: number): void;
  readonly stopping: boolean;
}

export function createStack(): Stack {
  const children: ChildProcess[] = [];
  let stopping = false;

  const stop = (exitCode: number): void => {
    if (stopping) return;
    stopping = true;
    const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
    let left = running.length;
    if (left === 0) process.exit(exitCode);
    for (const child of running) {
      child.once("exit", () => {
        left -= 1;
        if (left === 0) process.exit(exitCode);
      });
      child.kill("SIGTERM");
    }
  };

  let signals = 0;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      signals += 1;
      if (signals > 1) {
        for (const child of children) child.kill("SIGKILL");
        process.exit(1);
      }
      stop(0);
    });
  }

  return {
    run(name, args, cwd, env, stdio = ["ignore", "inherit", "inherit"]) {
      const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd, env, stdio });
      children.push(child);
      child.once("exit", (code, signal) => {
        if (stopping) return;
        process.stderr.write(`${name} exited (${signal ?? code}); stopping the stack\n`);
        stop(code === 0 ? 1 : (code ?? 1));
      });
      return child;
    },
    stop,
    get stopping() {
      return stopping;
    },
  };
}

/** Installs the sidecar's dependencies on first use (they build better-sqlite3). */
export function ensureSidecarInstalled(): void {
  if (existsSync(`${sidecarDir}node_modules/.package-lock.json`)) return;
  process.stderr.write("Installing the sidecar's dependencies (first run only; builds better-sqlite3)...\n");
  const install = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: sidecarDir, stdio: "inherit" });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

/** Polls `url` until it answers 200; stops the stack when the deadline passes. */
export async function waitUntilReady(stack: Stack, name: string, url: string, deadlineMs = 120_000): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (!stack.stopping) {
    try {
      if ((await fetch(url)).status === 200) return true;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      process.stderr.write(`${name} did not become ready at ${url} within ${deadlineMs / 1000}s\n`);
      stack.stop(1);
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/**
 * Starts the Backstage sidecar on 127.0.0.1:`port` and waits until Backstage reports ready.
 * `env` adds to the inherited environment (e.g. the demo's egress allowance); the
 * egress settings (ORBIT_EGRESS_*) otherwise come from the environment, as for the gateway.
 */
export async function startSidecar(
  stack: Stack,
  options: { port: string; serviceToken: string; env?: NodeJS.ProcessEnv },
): Promise<string | undefined> {
  const url = `http://127.0.0.1:${options.port}`;
  stack.run("sidecar", ["packages/backend/src/index.ts"], sidecarDir, {
    ...process.env,
    BACKSTAGE_SERVICE_TOKEN: options.serviceToken,
    SIDECAR_PORT: options.port,
    SIDECAR_HOST: "127.0.0.1",
    LOG_LEVEL: process.env.SIDECAR_LOG_LEVEL ?? "warn",
    ...options.env,
  });
  return (await waitUntilReady(stack, "the sidecar", `${url}/.backstage/health/v1/readiness`)) ? url : undefined;
}
