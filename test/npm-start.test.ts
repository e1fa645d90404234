import { spawn, execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { trackProcessGroups, waitForOutput } from "./support/child-processes.js";
import { LISTED_PLUGIN_IDS } from "./support/listed-plugins.js";
import { freePort } from "./support/redis-server.js";

const run = promisify(execFile);

/** A README example: the sh block after `<!-- quickstart-NAME -->`. */
function readmeExample(name: string): string {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const match = new RegExp(`<!-- quickstart-${name} -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match?.[1]) throw new Error(`README.md has no quickstart-${name} example`);
  return match[1];
}

const groups = trackProcessGroups();
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

describe("npm start", () => {
  it("runs gateway and sidecar, serving the README's buf curl examples with the token it prints", async () => {
    const port = await freePort();
    const sidecarPort = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), "gateway-start-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = {
      ...process.env,
      PORT: String(port),
      SIDECAR_PORT: String(sidecarPort),
      NODE_ENV: "development",
      ORBIT_DATA_DIR: dataDir,
    } as NodeJS.ProcessEnv;
    delete env.BACKSTAGE_SERVICE_TOKEN;
    delete env.ORBIT_SVC_AUTH_SECRET;
    const child = spawn("npm", ["start", "--silent"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    groups.add(child);
    const token = await waitForOutput(child, /export ORBIT_TOKEN='([^']+)'/);

    const shell = (name: string) =>
      run("bash", ["-c", readmeExample(name).replaceAll("50053", String(port))], { env: { ...process.env, ORBIT_TOKEN: token } });
    const listed = JSON.parse((await shell("call")).stdout) as { plugins: { id: string }[] };
    expect(listed.plugins.map((plugin) => plugin.id)).toEqual(LISTED_PLUGIN_IDS);
    // Two JSON documents: EnablePlugin's answer, then ProxyPluginRequest's.
    const proxied = (await shell("proxy")).stdout;
    const data = /"data":\s*"([^"]+)"/.exec(proxied)?.[1] ?? "";
    // The deployment plugin's services of the workspace: none configured yet.
    expect(JSON.parse(Buffer.from(data, "base64").toString("utf8"))).toEqual({ services: [] });

    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid!, "SIGTERM");
    await exited;
  }, 240_000);

  it("refuses to start in production without ORBIT_SVC_AUTH_SECRET, naming it", async () => {
    const env = { ...process.env, NODE_ENV: "production" } as NodeJS.ProcessEnv;
    delete env.ORBIT_SVC_AUTH_SECRET;
    const failure = await run("npx", ["tsx", "src/main.ts"], { env }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("ORBIT_SVC_AUTH_SECRET: required in production");
  });
});
