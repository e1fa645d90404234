import { randomBytes } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "./support/calls.js";
import { egressAllowing } from "./support/egress.js";
import { bearer, pluginsClient, startGateway } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";
import { startSidecar } from "./support/sidecar.js";
import type { RunningSidecar } from "./support/sidecar.js";
import { startSonarQubeSimulator } from "./support/sonarqube-simulator.js";
import type { RunningSonarQubeSimulator } from "./support/sonarqube-simulator.js";

// Stock SonarQube plugin end to end: Connect call → gateway → sidecar → the workspace's own
// Backstage process running @backstage-community/plugin-sonarqube-backend → SonarQube simulator.

const WS_A = "ws-stock-a";
const WS_B = "ws-stock-b";
const SUMMARY = (project: string) => `/entities/component/default/${project}/summary`;

let acme: RunningSonarQubeSimulator;
let globex: RunningSonarQubeSimulator;
let sidecar: RunningSidecar;
let gw: RunningGateway;

const client = () => pluginsClient("connect-json", gw.url);
const asMember = async (workspaceId: string) => bearer(await gw.token({ workspaceId }));
const asAdmin = async (workspaceId: string) => bearer(await gw.token({ workspaceId, admin: true }));

interface Summary {
  findings: { analysisDate: string; measures: { metric: string; value: string }[] } | null;
  instanceUrl: string;
  componentKey: string;
}

async function summary(workspaceId: string, endpointPath: string, extra: Record<string, unknown> = {}) {
  const response = await client().proxyPluginRequest({ workspaceId, pluginId: "sonarqube", endpointPath, ...extra }, await asMember(workspaceId));
  return { status: response.statusCode, body: JSON.parse(new TextDecoder().decode(response.data)) as Summary };
}

const measure = (body: Summary, metric: string) => body.findings?.measures.find((entry) => entry.metric === metric)?.value;

beforeAll(async () => {
  [acme, globex] = await Promise.all([startSonarQubeSimulator("acme"), startSonarQubeSimulator("globex")]);
  const egress = egressAllowing(acme.url, globex.url);
  sidecar = await startSidecar(egress);
  gw = await startGateway({
    ...egress,
    BACKSTAGE_URL: sidecar.url,
    BACKSTAGE_SERVICE_TOKEN: sidecar.token,
    ORBIT_SECRETS_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    RATE_LIMIT_MAX: "100000",
  });
  for (const [workspaceId, server] of [
    [WS_A, acme],
    [WS_B, globex],
  ] as const) {
    await client().enablePlugin({ workspaceId, pluginId: "sonarqube", config: { base_url: server.url } }, await asAdmin(workspaceId));
    await client().updatePluginConfig({ workspaceId, pluginId: "sonarqube", secrets: { api_key: server.token } }, await asAdmin(workspaceId));
  }
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await Promise.all([sidecar?.stop(), acme?.stop(), globex?.stop()]);
});

describe("SonarQube (stock plugin), two workspaces with different settings", () => {
  it("answers each workspace from its own SonarQube with its own token", async () => {
    const a = await summary(WS_A, SUMMARY("checkout"));
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ componentKey: "checkout", instanceUrl: acme.url });
    expect(a.body.findings?.analysisDate).toBe("2026-11-30T10:00:00+0000");
    expect([measure(a.body, "bugs"), measure(a.body, "coverage"), measure(a.body, "alert_status")]).toEqual(["3", "81.5", "OK"]);

    const b = await summary(WS_B, SUMMARY("checkout"));
    expect(b.body).toMatchObject({ componentKey: "checkout", instanceUrl: globex.url });
    expect([measure(b.body, "bugs"), measure(b.body, "alert_status")]).toEqual(["7", "WARN"]);

    expect((await acme.requests()).every((entry) => entry.token === acme.token)).toBe(true);
    expect((await globex.requests()).every((entry) => entry.token === globex.token)).toBe(true);
    expect(gw.logLines.join("\n")).not.toContain(acme.token);
  }, 90_000);

  it("maps an unknown project to NOT_FOUND and refuses routes off the allow-list before any upstream call", async () => {
    const unknown = await errorOf(client().proxyPluginRequest({ workspaceId: WS_A, pluginId: "sonarqube", endpointPath: SUMMARY("no-such-project") }, await asMember(WS_A)));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.rawMessage).not.toContain(acme.token);
    const before = (await acme.requests()).length;
    for (const endpointPath of ["/findings", "/instanceUrl", "/entities/api/default/checkout/summary", "/entities/component/other/checkout/summary", "/.backstage/actions/v1/actions"]) {
      const refused = await errorOf(client().proxyPluginRequest({ workspaceId: WS_A, pluginId: "sonarqube", endpointPath }, await asMember(WS_A)));
      expect([Code.NotFound, Code.InvalidArgument], endpointPath).toContain(refused.code);
    }
    expect((await acme.requests()).length).toBe(before);
  }, 60_000);
});
