/**
 * `npm start`: the local stack on embedded defaults — the Backstage sidecar and the
 * gateway as two processes, one command, one Ctrl-C. The sidecar's dependencies are
 * installed on first use. A random service token links the two for this run unless
 * BACKSTAGE_SERVICE_TOKEN is set.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const sidecarDir = fileURLToPath(new URL("../sidecar/", import.meta.url));

if (!existsSync(`${sidecarDir}node_modules/.package-lock.json`)) {
  process.stderr.write("Installing the sidecar's dependencies (first run only; builds better-sqlite3)...\n");
  const install = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: sidecarDir, stdio: "inherit" });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

const serviceToken = process.env.BACKSTAGE_SERVICE_TOKEN ?? randomBytes(32).toString("base64url");
const sidecarPort = process.env.SIDECAR_PORT ?? "7007";
const sidecarUrl = `http://127.0.0.1:${sidecarPort}`;
const children: ChildProcess[] = [];
let stopping = false;

function run(name: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd, env, stdio: ["ignore", "inherit", "inherit"] });
  children.push(child);
  child.once("exit", (code, signal) => {
    if (stopping) return;
    process.stderr.write(`${name} exited (${signal ?? code}); stopping the stack\n`);
    stop(code === 0 ? 1 : (code ?? 1));
  });
  return child;
}

function stop(exitCode: number): void {
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
}

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

run("sidecar", ["packages/backend/src/index.ts"], sidecarDir, {
  ...process.env,
  BACKSTAGE_SERVICE_TOKEN: serviceToken,
  SIDECAR_PORT: sidecarPort,
  SIDECAR_HOST: "127.0.0.1",
  LOG_LEVEL: process.env.SIDECAR_LOG_LEVEL ?? "warn",
});

await waitUntilReady(`${sidecarUrl}/.backstage/health/v1/readiness`);
if (!stopping) {
  run("gateway", ["src/main.ts"], root, { ...process.env, BACKSTAGE_URL: sidecarUrl, BACKSTAGE_SERVICE_TOKEN: serviceToken });
}

async function waitUntilReady(url: string, deadlineMs = 120_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!stopping) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      process.stderr.write(`the sidecar did not become ready at ${url} within ${deadlineMs / 1000}s\n`);
      stop(1);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
