import { readFileSync, readdirSync } from "node:fs";
import http from "node:http";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "./support/calls.js";
import { egressAllowing } from "./support/egress.js";
import { eventually } from "./support/eventually.js";
import type { RunningGateway } from "./support/gateway.js";
import { startSidecar } from "./support/sidecar.js";
import type { RunningSidecar } from "./support/sidecar.js";
import { startSonarQubeSimulator } from "./support/sonarqube-simulator.js";
import type { RunningSonarQubeSimulator } from "./support/sonarqube-simulator.js";
import { startStockStack, stockClients } from "./support/stock-stack.js";

// Stock plugin process operations end to end (gateway → sidecar → the workspace's own Backstage
// process): prewarm after EnablePlugin / UpdatePluginConfig, stop after DisablePlugin, idle stop.
// Waits poll a condition (the sidecar's per-workspace health, its child processes), never a pause.
// The main sidecar keeps idle processes (the default 900 s), so its child count changes only by what a
// test does; the idle stop runs on a second sidecar of its own with a short ORBIT_STOCK_IDLE_SECONDS.

const IDLE_SECONDS = 3;
const SUMMARY = "/entities/component/default/checkout/summary";

let acme: RunningSonarQubeSimulator;
let globex: RunningSonarQubeSimulator;
let sidecar: RunningSidecar;
let gw: RunningGateway;

const { client, asMember, asAdmin } = stockClients(() => gw);

async function summary(workspaceId: string) {
  const response = await client().proxyPluginRequest(
    { workspaceId, pluginId: "sonarqube", endpointPath: SUMMARY },
    await asMember(workspaceId),
  );
  return JSON.parse(new TextDecoder().decode(response.data)) as { instanceUrl: string };
}

/** A GET to the sidecar on a connection of its own (no keep-alive reuse racing the server's idle close). */
function sidecarGet(of: RunningSidecar, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${of.url}${path}`, { agent: false, headers: { authorization: `Bearer ${of.token}`, ...headers } }, (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

/** What the sidecar says of a workspace's SonarQube process ("ready", "starting", "not running (…)"). */
async function processState(workspaceId: string, of: RunningSidecar = sidecar): Promise<string> {
  const response = await sidecarGet(of, "/api/sonarqube/health", { "x-orbit-workspace-id": workspaceId });
  const body = JSON.parse(response.body) as { message?: string; error?: { message: string } };
  return body.message ?? body.error?.message ?? "";
}

/** The sidecar's child processes (its stock plugin processes), by pid. */
function sidecarChildren(of: RunningSidecar = sidecar): number[] {
  const pid = of.pid;
  if (!pid) return [];
  return readdirSync(`/proc/${pid}/task`)
    .flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number))
    .filter(isStockChild);
}

/** A stock plugin process (`child/main`), not another child of the sidecar's (tsx's esbuild service, say). */
function isStockChild(pid: number): boolean {
  try {
    return /child[/\\]main\.(cjs|ts)/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
  } catch {
    return false; // it has exited
  }
}

async function enableSonarQube(workspaceId: string, server: RunningSonarQubeSimulator) {
  const admin = await asAdmin(workspaceId);
  await client().enablePlugin({ workspaceId, pluginId: "sonarqube", config: { base_url: server.url } }, admin);
  const started = Date.now();
  await client().updatePluginConfig({ workspaceId, pluginId: "sonarqube", secrets: { api_key: server.token } }, admin);
  return started;
}

beforeAll(async () => {
  [acme, globex] = await Promise.all([startSonarQubeSimulator("acme"), startSonarQubeSimulator("globex")]);
  ({ sidecar, gw } = await startStockStack([acme.url, globex.url]));
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await Promise.all([sidecar?.stop(), acme?.stop(), globex?.stop()]);
});

describe("prewarm after EnablePlugin / UpdatePluginConfig", () => {
  it("starts the workspace's process before any call, so the first call does not wait for a start", async () => {
    // Before: a workspace's first call without prewarm (straight to the sidecar) waits for the cold start.
    const coldSettings = Buffer.from(JSON.stringify({ config: { base_url: acme.url }, secrets: { api_key: acme.token } })).toString(
      "base64url",
    );
    const coldStarted = Date.now();
    const cold = await sidecarGet(sidecar, `/api/sonarqube${SUMMARY}`, {
      "x-orbit-workspace-id": "ws-ops-cold",
      "x-orbit-plugin-config": coldSettings,
    });
    expect(cold.status).toBe(200);
    const coldFirstCallMs = Date.now() - coldStarted;

    // After: the admin's UpdatePluginConfig has the sidecar start the process; it is ready with no call made.
    const configuredAt = await enableSonarQube("ws-ops-warm", acme);
    await eventually(
      () => processState("ws-ops-warm"),
      (state) => state === "ready",
      "the prewarmed process to be ready",
      60_000,
    );
    const readyAfterMs = Date.now() - configuredAt;
    const before = (await acme.requests()).length;
    const firstCallStarted = Date.now();
    expect((await summary("ws-ops-warm")).instanceUrl).toBe(acme.url);
    const prewarmedFirstCallMs = Date.now() - firstCallStarted;
    expect((await acme.requests()).length).toBeGreaterThan(before);

    // A settings change with no traffic: green starts at UpdatePluginConfig; the first call after it has taken over sees it.
    const changedAt = Date.now();
    await client().updatePluginConfig(
      { workspaceId: "ws-ops-warm", pluginId: "sonarqube", config: { base_url: globex.url }, secrets: { api_key: globex.token } },
      await asAdmin("ws-ops-warm"),
    );
    const processes = sidecarChildren().length;
    await eventually(
      async () => sidecarChildren().length,
      (count) => count < processes,
      "blue to stop once green, prewarmed, has taken over",
      60_000,
    );
    const takenOverAfterMs = Date.now() - changedAt;
    const afterChangeStarted = Date.now();
    expect((await summary("ws-ops-warm")).instanceUrl).toBe(globex.url);
    const firstCallAfterChangeMs = Date.now() - afterChangeStarted;

    console.info(
      `stock prewarm: ${JSON.stringify({ coldFirstCallMs, readyAfterMs, prewarmedFirstCallMs, takenOverAfterMs, firstCallAfterChangeMs })}`,
    );
    expect(prewarmedFirstCallMs).toBeLessThan(coldFirstCallMs);
  }, 180_000);
});

describe("DisablePlugin", () => {
  it("stops the workspace's process promptly; clients cannot reach the control routes", async () => {
    // Both processes running first (prewarmed), so that no call below waits for a start: on a loaded
    // machine a start can outlast the gateway's 10 s sidecar deadline, and this test is about stopping.
    await enableSonarQube("ws-ops-off", acme);
    await enableSonarQube("ws-ops-on", globex);
    for (const workspaceId of ["ws-ops-off", "ws-ops-on"]) {
      await eventually(
        () => processState(workspaceId),
        (state) => state === "ready",
        `${workspaceId}'s process ready`,
        60_000,
      );
    }
    expect((await summary("ws-ops-off")).instanceUrl).toBe(acme.url);
    expect((await summary("ws-ops-on")).instanceUrl).toBe(globex.url);

    // A member cannot stop (or start) processes through ProxyPluginRequest: the control header is not forwardable,
    // and without it /instance is no route of the plugin.
    const member = await asMember("ws-ops-off");
    const withHeader = await errorOf(
      client().proxyPluginRequest(
        {
          workspaceId: "ws-ops-off",
          pluginId: "sonarqube",
          httpMethod: "DELETE",
          endpointPath: "/instance",
          headers: { "x-orbit-instance-control": "1" },
        },
        member,
      ),
    );
    expect(withHeader.code).toBe(Code.InvalidArgument);
    const without = await errorOf(
      client().proxyPluginRequest(
        { workspaceId: "ws-ops-off", pluginId: "sonarqube", httpMethod: "DELETE", endpointPath: "/instance" },
        member,
      ),
    );
    expect(without.code).toBe(Code.NotFound);
    expect(await processState("ws-ops-off")).toBe("ready");

    const running = sidecarChildren().length;
    const disabledAt = Date.now();
    await client().disablePlugin({ workspaceId: "ws-ops-off", pluginId: "sonarqube" }, await asAdmin("ws-ops-off"));
    expect(await processState("ws-ops-off")).toBe("not running (starts with the next call)");
    await eventually(
      async () => sidecarChildren().length,
      (count) => count === running - 1,
      "the disabled workspace's process to exit",
      10_000,
    );
    console.info(`stock disable: process exited ${Date.now() - disabledAt} ms after DisablePlugin was called`);
    expect(await processState("ws-ops-on")).toBe("ready");
    expect((await summary("ws-ops-on")).instanceUrl).toBe(globex.url);
  }, 180_000);
});

describe(`idle stop (ORBIT_STOCK_IDLE_SECONDS=${IDLE_SECONDS})`, () => {
  it("stops a process with no call for that long; the next call starts it again", async () => {
    const idleSidecar = await startSidecar({ ...egressAllowing(acme.url), ORBIT_STOCK_IDLE_SECONDS: String(IDLE_SECONDS) });
    try {
      const settings = Buffer.from(JSON.stringify({ config: { base_url: acme.url }, secrets: { api_key: acme.token } })).toString(
        "base64url",
      );
      const call = () =>
        sidecarGet(idleSidecar, `/api/sonarqube${SUMMARY}`, { "x-orbit-workspace-id": "ws-ops-idle", "x-orbit-plugin-config": settings });
      expect((await call()).status).toBe(200);
      const lastCallAt = Date.now();
      const [pid] = sidecarChildren(idleSidecar);
      expect(pid).toBeGreaterThan(0);
      await eventually(
        async () => sidecarChildren(idleSidecar),
        (children) => children.length === 0,
        "the idle process to exit",
        (IDLE_SECONDS + 30) * 1000,
      );
      // Stopped no earlier than IDLE_SECONDS after the call (some slack: the call's last use precedes its answer).
      expect(Date.now() - lastCallAt).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000 - 500);
      expect(await processState("ws-ops-idle", idleSidecar)).toBe("not running (starts with the next call)");
      expect((await call()).status).toBe(200);
      expect(sidecarChildren(idleSidecar)).toHaveLength(1);
      expect(sidecarChildren(idleSidecar)[0]).not.toBe(pid);
    } finally {
      await idleSidecar.stop();
    }
  }, 180_000);
});
