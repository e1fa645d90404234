import { execFile } from "node:child_process";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT_DIR = fileURLToPath(new URL("../../", import.meta.url));

/** How the gateway process is started: node arguments, run from the repository root. */
export interface GatewayRuntime {
  readonly description: string;
  readonly nodeArgs: readonly string[];
  dispose(): Promise<void>;
}

/** Straight from the TypeScript sources (development; the transpiler stays in the process). */
export const tsxRuntime: GatewayRuntime = {
  description: "node --import tsx src/main.ts (development)",
  nodeArgs: ["--import", "tsx", "src/main.ts"],
  dispose: async () => undefined,
};

/**
 * As production runs it (the Dockerfile's `node dist/src/main.js`): src/ compiled with
 * tsconfig.build.json into a temp dir, never into the tree. The temp dir gets a
 * package.json marking it ESM and a link to the repository's node_modules.
 */
export async function compiledRuntime(): Promise<GatewayRuntime> {
  const dir = await mkdtemp(join(tmpdir(), "orbit-bench-gateway-"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  await symlink(join(ROOT_DIR, "node_modules"), join(dir, "node_modules"));
  const tsc = join(ROOT_DIR, "node_modules", "typescript", "bin", "tsc");
  const outDir = join(dir, "dist");
  try {
    await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", outDir], { cwd: ROOT_DIR });
  } catch (error) {
    // tsc still emits on type errors; a tree in the middle of an edit is reported, not fatal.
    const output = (error as { stdout?: string }).stdout ?? "";
    console.warn(`warning: tsc reported errors while compiling the gateway (it still emitted):\n${output.slice(0, 2_000)}`);
  }
  return {
    description: "node dist/src/main.js (src/ compiled with tsconfig.build.json, as in the Dockerfile)",
    nodeArgs: [join(outDir, "src", "main.js")],
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The same runtime with extra node flags in front (e.g. a heap limit), described as such. */
export function withNodeArgs(runtime: GatewayRuntime, nodeArgs: readonly string[]): GatewayRuntime {
  if (nodeArgs.length === 0) return runtime;
  return { ...runtime, description: `${runtime.description} with ${nodeArgs.join(" ")}`, nodeArgs: [...nodeArgs, ...runtime.nodeArgs] };
}
