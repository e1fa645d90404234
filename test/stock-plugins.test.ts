import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue } from "../src/catalogue/catalogue.js";
import { errorOf } from "./support/calls.js";
import { proxyWithForgedOrbitHeaders } from "./support/forged-orbit-headers.js";
import type { RunningGateway } from "./support/gateway.js";
import { attemptsThatLeak } from "./support/leaks.js";
import type { RunningSidecar } from "./support/sidecar.js";
import { startSonarQubeSimulator } from "./support/sonarqube-simulator.js";
import type { RunningSonarQubeSimulator } from "./support/sonarqube-simulator.js";
import {
  COLD_START_SIDECAR_TIMEOUT,
  enableInWorkspaces,
  settingsChangeUnderTraffic,
  startStockStack,
  stockClients,
  untilProcessesReady,
} from "./support/stock-stack.js";

// The stock SonarQube plugin end to end: Connect call → gateway → sidecar → the workspace's own
// Backstage process running the unmodified community plugin → SonarQube simulator. Jenkins:
// test/stock-jenkins.test.ts.

const WS_A = "ws-stock-a";
const WS_B = "ws-stock-b";
const SUMMARY = (project: string) => `/entities/component/default/${project}/summary`;

let acme: RunningSonarQubeSimulator;
let globex: RunningSonarQubeSimulator;
let sidecar: RunningSidecar;
let gw: RunningGateway;

const { client, asMember, asAdmin } = stockClients(() => gw);

interface Summary {
  findings: { analysisDate: string; measures: { metric: string; value: string }[] } | null;
  instanceUrl: string;
  componentKey: string;
}

async function summary(workspaceId: string, endpointPath: string, extra: Record<string, unknown> = {}) {
  const response = await client().proxyPluginRequest(
    { workspaceId, pluginId: "sonarqube", endpointPath, ...extra },
    await asMember(workspaceId),
  );
  return { status: response.statusCode, body: JSON.parse(new TextDecoder().decode(response.data)) as Summary };
}

const measure = (body: Summary, metric: string) => body.findings?.measures.find((entry) => entry.metric === metric)?.value;

beforeAll(async () => {
  [acme, globex] = await Promise.all([startSonarQubeSimulator("acme"), startSonarQubeSimulator("globex")]);
  ({ sidecar, gw } = await startStockStack([acme.url, globex.url], COLD_START_SIDECAR_TIMEOUT));
  await enableInWorkspaces(gw, "sonarqube", [
    { workspaceId: WS_A, config: { base_url: acme.url }, secrets: { api_key: acme.token } },
    { workspaceId: WS_B, config: { base_url: globex.url }, secrets: { api_key: globex.token } },
  ]);
  // The updates prewarmed both processes (starting at once): the tests below call ready ones.
  await untilProcessesReady(sidecar, "sonarqube", [WS_A, WS_B]);
}, 240_000);

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
    const unknown = await errorOf(
      client().proxyPluginRequest(
        { workspaceId: WS_A, pluginId: "sonarqube", endpointPath: SUMMARY("no-such-project") },
        await asMember(WS_A),
      ),
    );
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.rawMessage).not.toContain(acme.token);
    const before = (await acme.requests()).length;
    for (const endpointPath of [
      "/findings",
      "/instanceUrl",
      "/entities/api/default/checkout/summary",
      "/entities/component/other/checkout/summary",
      "/.backstage/actions/v1/actions",
    ]) {
      const refused = await errorOf(
        client().proxyPluginRequest({ workspaceId: WS_A, pluginId: "sonarqube", endpointPath }, await asMember(WS_A)),
      );
      expect([Code.NotFound, Code.InvalidArgument], endpointPath).toContain(refused.code);
    }
    expect((await acme.requests()).length).toBe(before);
  }, 60_000);
});

describe("a workspace whose settings the plugin refuses at start-up", () => {
  it("gets UNAVAILABLE with the plugin's reason, and only its own health (sidecar and GetPlugin) turns bad", async () => {
    const WS_C = "ws-stock-c";
    // No API key: the SonarQube plugin refuses a partial config when it starts.
    await client().enablePlugin({ workspaceId: WS_C, pluginId: "sonarqube", config: { base_url: acme.url } }, await asAdmin(WS_C));
    const failed = await errorOf(
      client().proxyPluginRequest({ workspaceId: WS_C, pluginId: "sonarqube", endpointPath: SUMMARY("checkout") }, await asMember(WS_C)),
    );
    expect(failed.code).toBe(Code.Unavailable);
    expect(failed.rawMessage).toContain("All (or none) of baseUrl and apiKey must be provided");

    const health = async (workspaceId: string) => {
      const response = await fetch(`${sidecar.url}/api/sonarqube/health`, {
        headers: { authorization: `Bearer ${sidecar.token}`, "x-orbit-workspace-id": workspaceId },
      });
      return { status: response.status, body: (await response.json()) as { error?: { message: string } } };
    };
    const c = await health(WS_C);
    expect(c.status).toBe(503);
    expect(c.body.error?.message).toContain("failed to start");
    expect((await health(WS_A)).status).toBe(200);
    expect((await summary(WS_A, SUMMARY("checkout"))).status).toBe(200);

    // ListPlugins reports it for that workspace only, with the reason.
    const statusIn = async (workspaceId: string) =>
      (await client().getPlugin({ workspaceId, pluginId: "sonarqube" }, await asMember(workspaceId))).plugin?.status;
    const cStatus = await statusIn(WS_C);
    expect(cStatus?.healthy).toBe(false);
    expect(cStatus?.statusMessage).toContain("All (or none) of baseUrl and apiKey must be provided");
    expect((await statusIn(WS_A))?.healthy).toBe(true);
  }, 90_000);
});

describe("cross-workspace battery (workspace B aiming at workspace A's SonarQube)", () => {
  const aSettings = () =>
    Buffer.from(JSON.stringify({ config: { base_url: acme.url }, secrets: { api_key: acme.token } })).toString("base64url");
  const attempts: [string, () => Promise<unknown>][] = [
    ["A's project by path", async () => summary(WS_B, SUMMARY("payments"))],
    ["A's workspace as namespace", async () => summary(WS_B, "/entities/component/ws-stock-a/payments/summary")],
    ["instance-prefixed name, encoded slash", async () => summary(WS_B, "/entities/component/default/ws-stock-a%2Fpayments/summary")],
    ["traversal out of the plugin", async () => summary(WS_B, "/../jira/issues")],
    [
      "instanceKey in the query",
      async () => summary(WS_B, SUMMARY("payments"), { queryParams: { instanceKey: WS_A, componentKey: "payments" } }),
    ],
    [
      "deprecated /findings with a component",
      async () => summary(WS_B, "/findings", { queryParams: { componentKey: "payments", instanceKey: WS_A } }),
    ],
    [
      "POST with an instance in the body",
      async () =>
        summary(WS_B, SUMMARY("payments"), {
          httpMethod: "POST",
          body: new TextEncoder().encode(JSON.stringify({ instanceKey: WS_A, baseUrl: acme.url })),
        }),
    ],
    [
      "X-Orbit-Workspace-Id as a forwarded header",
      async () => summary(WS_B, SUMMARY("payments"), { headers: { "X-Orbit-Workspace-Id": WS_A } }),
    ],
    [
      "X-Orbit-* headers as call metadata",
      () =>
        proxyWithForgedOrbitHeaders(
          gw,
          WS_B,
          { pluginId: "sonarqube", endpointPath: SUMMARY("payments") },
          { workspaceId: WS_A, settings: aSettings() },
        ),
    ],
    [
      "A's workspace id with B's token",
      async () =>
        client().proxyPluginRequest({ workspaceId: WS_A, pluginId: "sonarqube", endpointPath: SUMMARY("payments") }, await asMember(WS_B)),
    ],
  ];

  it(`leaks nothing in ${attempts.length} attempts and makes no call to A's SonarQube`, async () => {
    await summary(WS_B, SUMMARY("checkout")); // B's process is up, so every attempt reaches it
    const acmeCallsBefore = (await acme.requests()).length;
    const leaks = await attemptsThatLeak(
      attempts,
      (seen) =>
        seen.includes(acme.url) || seen.includes("Payments") || seen.includes("2026-11-29T08:30:00+0000") || seen.includes(acme.token),
    );
    expect(leaks).toEqual([]);
    expect((await acme.requests()).length).toBe(acmeCallsBefore);
  }, 90_000);
});

describe("a settings change under steady traffic", () => {
  it("takes effect for that workspace within seconds, with no failed call in either workspace", async () => {
    const { effectiveAt, timeToEffectMs, ok, failed } = await settingsChangeUnderTraffic({
      workspaces: [WS_A, WS_B],
      call: async (workspaceId) => (await summary(workspaceId, SUMMARY("checkout"))).body,
      changed: WS_A,
      tookEffect: (body) => body.instanceUrl === globex.url,
      change: async () => {
        await client().updatePluginConfig(
          { workspaceId: WS_A, pluginId: "sonarqube", config: { base_url: globex.url }, secrets: { api_key: globex.token } },
          await asAdmin(WS_A),
        );
      },
    });
    console.info(
      `sonarqube settings change: ${JSON.stringify({ timeToEffectMs, calls: { a: ok[WS_A], b: ok[WS_B] }, failed: { a: failed[WS_A]!.length, b: failed[WS_B]!.length } })}`,
    );
    expect(effectiveAt).toBeGreaterThan(0);
    expect(failed[WS_A]).toEqual([]);
    expect(failed[WS_B]).toEqual([]);
    expect(timeToEffectMs).toBeLessThan(30_000);
    const after = await summary(WS_A, SUMMARY("checkout"));
    expect([after.body.instanceUrl, measure(after.body, "bugs")]).toEqual([globex.url, "7"]);
  }, 120_000);
});

// The static checks of every catalogue entry (schema, hosting package and version, isolation mapping,
// endpoints against routes, accessRestrictions) are the sidecar's catalogue coverage check,
// sidecar/packages/stock-host/src/catalogueCoverage.test.ts; this one asks the running sidecar.
describe("every catalogue entry", () => {
  const entries = loadCatalogue().entries;

  it.each(entries.map((entry) => [entry.id, entry] as const))(
    "%s is hosted by the sidecar behind the workspace gate",
    async (_id, entry) => {
      const health = (headers: Record<string, string>) => fetch(`${sidecar.url}${entry.apiBasePath}/health`, { headers });
      expect((await health({ authorization: `Bearer ${sidecar.token}`, "x-orbit-workspace-id": "ws-coverage" })).status).toBe(200);
      expect((await health({ authorization: `Bearer ${sidecar.token}` })).status).toBe(400); // no workspace: isolation refuses
      expect((await health({ "x-orbit-workspace-id": "ws-coverage" })).status).toBe(401); // no service token
    },
  );
});
