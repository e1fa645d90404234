/**
 * `npm test`'s first step (npm's `pretest`): on a fresh clone, after `npm ci` at the root, installs
 * the sidecar's and the web UI's own dependencies on first use, so that the README's two commands
 * are all a newcomer needs. Browser tests need Debian's Chromium; say so before the suite finds out.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const installs = [
  { name: "the sidecar's", dir: fileURLToPath(new URL("../sidecar/", import.meta.url)), env: {} },
  { name: "the web UI's", dir: fileURLToPath(new URL("../web/", import.meta.url)), env: { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" } },
];

for (const { name, dir, env } of installs) {
  if (existsSync(`${dir}node_modules/.package-lock.json`)) continue;
  process.stderr.write(`Installing ${name} dependencies (${dir}, first run only)...\n`);
  const install = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir, stdio: "inherit", env: { ...process.env, ...env } });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

// As web/test/support/browser.ts (not imported: playwright-core may not be installed yet).
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM_PATH)) {
  process.stderr.write(
    `The web UI's browser tests drive Debian's Chromium at ${CHROMIUM_PATH}; install it first (apt-get install chromium) or set CHROMIUM_PATH\n`,
  );
  process.exit(1);
}
