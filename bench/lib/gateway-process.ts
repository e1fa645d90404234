import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { mintServiceToken } from "../../src/auth/dev-token.js";
import type { TokenClaims } from "../../src/auth/dev-token.js";
import { freePort } from "../../test/support/redis-server.js";
import { exitedEarly, stopChild } from "./child-process.js";
import type { CommandLine } from "./cpu.js";
import { tsxRuntime } from "./gateway-runtime.js";
import type { GatewayRuntime } from "./gateway-runtime.js";
import { waitFor } from "./wait.js";

const ROOT_DIR = fileURLToPath(new URL("../../", import.meta.url));

/** The gateway as its own OS process (as in production), so its RSS is its own. */
export interface GatewayProcess {
  readonly url: string;
  readonly pid: number;
  /** Mints an Orbit service token this gateway accepts. */
  token(claims: TokenClaims): Promise<string>;
  /** The last few kilobytes the process printed, for diagnosing a failed run. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the gateway (by default from its TypeScript sources) with a clean
 * environment — only PATH/HOME/TMPDIR/LANG are inherited, so a DATABASE_URL or
 * REDIS_URL of the caller's shell cannot leak into a run — plus the given settings,
 * and waits until GET /healthz answers.
 */
export async function startGatewayProcess(
  settings: Record<string, string>,
  launch: { runtime?: GatewayRuntime; wrap?: (argv: readonly string[]) => CommandLine } = {},
): Promise<GatewayProcess> {
  const runtime = launch.runtime ?? tsxRuntime;
  const argv = [process.execPath, ...runtime.nodeArgs];
  const { command, args } = launch.wrap ? launch.wrap(argv) : { command: process.execPath, args: argv.slice(1) };
  const port = await freePort();
  const secret = randomBytes(32).toString("base64");
  const env: Record<string, string> = {
    ...inherited(["PATH", "HOME", "TMPDIR", "LANG"]),
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    ORBIT_SVC_AUTH_SECRET: secret,
    LOG_LEVEL: "warn",
    // SIGINT stops at once; SIGTERM would first wait for load balancers.
    SHUTDOWN_DRAIN_TIMEOUT: "2s",
    ...settings,
  };
  const child = spawn(command, args, { cwd: ROOT_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `the gateway at ${url}`,
    60_000,
    async () => (await fetch(`${url}/healthz`)).ok,
    exitedEarly(child, () => output),
  );
  return {
    url,
    pid: child.pid ?? 0,
    token: (claims) => mintServiceToken(secret, claims),
    output: () => output,
    stop: () => stopChild(child),
  };
}

function inherited(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
}
