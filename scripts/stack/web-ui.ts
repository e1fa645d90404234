/**
 * Builds the web UI for `npm run demo`: installs web/'s dependencies on first use and
 * runs Vite (about a second), so the served UI always matches the checked-out sources.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const webDir = fileURLToPath(new URL("../../web/", import.meta.url));

export function buildWebUi(): void {
  if (!existsSync(`${webDir}node_modules/.bin/vite`)) {
    process.stdout.write("Installing the web UI's dependencies (web/, first run only)…\n");
    run("npm", ["ci", "--no-audit", "--no-fund"], { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" });
  }
  run(`${webDir}node_modules/.bin/vite`, ["build", "--logLevel", "warn"]);
}

function run(command: string, args: string[], env: Record<string, string> = {}): void {
  const result = spawnSync(command, args, { cwd: webDir, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env } });
  if (result.status !== 0) {
    process.stderr.write(`building the web UI failed (${command} ${args.join(" ")}); see above\n`);
    process.exit(1);
  }
}
