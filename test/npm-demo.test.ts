import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { DeploymentService, DeploymentState } from "../src/gen/idp/plugins/v1/deployments_pb.js";
import { trackProcessGroups, waitForOutput } from "./support/child-processes.js";
import { bearer, transportFor } from "./support/gateway.js";
import { freePort } from "./support/redis-server.js";

const run = promisify(execFile);
const groups = trackProcessGroups();

/** The printed `npx buf curl …` commands (each spans two lines joined by `\`), by RPC name. */
function printedCommands(output: string): Map<string, string> {
  const commands = new Map<string, string>();
  for (const match of output.matchAll(/^ {2}(npx buf curl[^\n]*\\\n[^\n]*)$/gm)) {
    const command = (match[1] as string).replace(/\\\n\s*/, "");
    // Deployment calls by RPC name; the stock plugins' ProxyPluginRequest calls by plugin id.
    const rpc = /DeploymentService\/(\w+)/.exec(command)?.[1] ?? /"plugin_id":"([\w-]+)"/.exec(command)?.[1];
    if (rpc && !commands.has(rpc)) commands.set(rpc, command);
  }
  return commands;
}

describe("npm run demo", () => {
  it("starts simulator, sidecar and gateway, configures the demo workspace and prints commands that work", async () => {
    const [port, sidecarPort, githubPort, webPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      PORT: String(port),
      SIDECAR_PORT: String(sidecarPort),
      DEMO_GITHUB_PORT: String(githubPort),
      DEMO_WEB_PORT: String(webPort),
      DEMO_RUN_STEP_MS: "100",
      PIPELINE_WATCH_INTERVAL: "200ms",
      NODE_ENV: "development",
    } as NodeJS.ProcessEnv;
    const child = spawn("npm", ["run", "demo", "--silent"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    groups.add(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(child, /Ctrl-C stops everything/);
    // The demo's guide comes after the gateway's own start-up banner; use its token.
    const guide = output.slice(output.indexOf("Orbit deployments demo"));
    const token = /export ORBIT_TOKEN='([^']+)'/.exec(guide)?.[1] ?? "";
    expect(token).not.toBe("");

    // The built UI is served from its own origin, which the gateway's CORS allows for what connect-web sends.
    const uiLink = /as the reviewer: +(\S+)/.exec(guide)?.[1] ?? "";
    const ui = new URL(uiLink);
    expect(ui.origin).toBe(`http://127.0.0.1:${webPort}`);
    expect(new URLSearchParams(ui.hash.slice(1)).get("github")).toBe("ghp_demo_release_manager");
    const page = await fetch(ui.origin);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect((await fetch(`${ui.origin}/${script}`)).headers.get("content-type")).toMatch(/javascript/);
    const preflight = await fetch(`http://127.0.0.1:${port}/idp.plugins.v1.DeploymentService/WatchPipeline`, {
      method: "OPTIONS",
      headers: {
        origin: ui.origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,connect-protocol-version,content-type,x-github-token",
      },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ui.origin);
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-github-token");

    const commands = printedCommands(output);
    expect([...commands.keys()]).toEqual(
      expect.arrayContaining([
        "ListVersions",
        "TriggerDeployment",
        "WatchPipeline",
        "GetPipeline",
        "ReviewDeployment",
        "ListDeploymentHistory",
        "RollbackDeployment",
        "sonarqube",
        "jenkins",
      ]),
    );
    const shell = async (rpc: string) =>
      JSON.parse(
        (await run("bash", ["-c", commands.get(rpc) as string], { env: { ...process.env, ORBIT_TOKEN: token } })).stdout,
      ) as Record<string, unknown>;

    const versions = (await shell("ListVersions")).versions as { name: string }[];
    expect(versions.map((version) => version.name)).toContain("v1.2.0");
    const triggered = (await shell("TriggerDeployment")).run as { runId: string; environment: string };
    expect(triggered.environment).toBe("staging");

    // The runs advance on their own; the pipeline stream shows staging succeed.
    const client = createClient(DeploymentService, transportFor("connect-json", `http://127.0.0.1:${port}`));
    const abort = new AbortController();
    for await (const update of client.watchPipeline(
      { workspaceId: "dev-workspace", service: "checkout" },
      { ...bearer(token), signal: abort.signal },
    )) {
      const staging = update.pipeline?.environments.find((environment) => environment.environment === "staging");
      if (staging?.state === DeploymentState.SUCCESS && staging.currentVersion === "v1.2.0") break;
    }
    abort.abort();

    // The stock SonarQube and Jenkins plugins, enabled for the workspace with the simulators' settings.
    const pluginData = async (pluginId: string) => {
      const answer = await shell(pluginId);
      expect(answer.statusCode).toBe(200);
      return JSON.parse(Buffer.from(answer.data as string, "base64").toString("utf8")) as Record<string, unknown>;
    };
    const sonar = (await pluginData("sonarqube")) as { componentKey: string; findings: { measures: { metric: string; value: string }[] } };
    expect(sonar.componentKey).toBe("checkout");
    expect(sonar.findings.measures.find((measure) => measure.metric === "alert_status")?.value).toBe("OK");
    const jenkins = (await pluginData("jenkins")) as { projects: { name: string; lastBuild: { number: number } | null }[] };
    expect(jenkins.projects.map((project) => [project.name, project.lastBuild?.number])).toEqual([["checkout", 42]]);

    // One signal to the group stops the whole stack (npm itself dies of the signal).
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid!, "SIGTERM");
    await exited;
  }, 240_000);
});
