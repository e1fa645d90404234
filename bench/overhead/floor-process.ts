import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { benchChildEnv, stopChild, watchAnnouncement } from "../lib/child-process.js";
import type { CommandLine } from "../lib/cpu.js";

const ROOT_DIR = fileURLToPath(new URL("../../", import.meta.url));

/** The floor proxy compiled to plain JavaScript, so that it runs as the compiled gateway does (no transpiler in the process). */
export interface CompiledFloor {
  readonly entry: string;
  dispose(): Promise<void>;
}

/**
 * Compiles a floor (by default floor-proxy.ts; bench/wait/pipeline-floor.ts for the warm
 * GetPipeline) and what it imports with tsc into a temp dir (never into the tree), as
 * compiledRuntime() does for the gateway.
 */
export async function compileFloor(source = "bench/overhead/floor-proxy.ts"): Promise<CompiledFloor> {
  const dir = await mkdtemp(join(tmpdir(), "orbit-bench-floor-"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  await symlink(join(ROOT_DIR, "node_modules"), join(dir, "node_modules"));
  const tsc = join(ROOT_DIR, "node_modules", "typescript", "bin", "tsc");
  const flags = ["--target", "ES2022", "--module", "NodeNext", "--moduleResolution", "NodeNext", "--types", "node", "--skipLibCheck"];
  await promisify(execFile)(process.execPath, [tsc, ...flags, "--rootDir", ROOT_DIR, "--outDir", dir, join(ROOT_DIR, source)], {
    cwd: ROOT_DIR,
  });
  return { entry: join(dir, source.replace(/\.ts$/, ".js")), dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** The floor proxy (floor-proxy.ts) as its own process. */
export interface FloorProcess {
  /** Origin of its HTTP/1.1 listener (Connect JSON). */
  readonly http1Url: string;
  /** Origin of its h2c listener (gRPC). */
  readonly h2cUrl: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startFloorProcess(options: {
  floor: CompiledFloor;
  upstreamUrl: string;
  serviceToken: string;
  nodeArgs: readonly string[];
  wrap?: (argv: readonly string[]) => CommandLine;
}): Promise<FloorProcess> {
  const argv = [process.execPath, ...options.nodeArgs, options.floor.entry];
  const { command, args } = options.wrap ? options.wrap(argv) : { command: process.execPath, args: argv.slice(1) };
  const child = spawn(command, args, {
    cwd: ROOT_DIR,
    env: benchChildEnv({ FLOOR_UPSTREAM_URL: options.upstreamUrl, FLOOR_SERVICE_TOKEN: options.serviceToken }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { http1, h2c } = await watchAnnouncement<{ http1: string; h2c: string }>(child).announced;
  return { http1Url: http1, h2cUrl: h2c, pid: child.pid ?? 0, stop: () => stopChild(child) };
}
