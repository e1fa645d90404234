import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startArgoCdSimulator } from "./support/argocd-simulator.js";
import type { RunningArgoCdSimulator } from "./support/argocd-simulator.js";
import { errorOf } from "./support/calls.js";
import { proxyWithForgedOrbitHeaders } from "./support/forged-orbit-headers.js";
import type { RunningGateway } from "./support/gateway.js";
import { attemptsThatLeak } from "./support/leaks.js";
import type { RunningSidecar } from "./support/sidecar.js";
import { enableInWorkspaces, settingsChangeUnderTraffic, startStockStack, stockClients } from "./support/stock-stack.js";

// The stock Argo CD backend end to end: Connect call → gateway → sidecar → the workspace's own Backstage
// process running the unmodified @backstage-community/plugin-argocd-backend → Argo CD simulator.
// The catalogue id is `argocd`; the plugin mounts under its own id, /api/backstage-community-argocd.

const WS_A = "ws-argocd-a";
const WS_B = "ws-argocd-b";
const PLUGIN = "argocd";
const APP = (name: string) => `/argoInstance/orbit/applications/${name}`;
const SELECTOR = (selector: string) => `/argoInstance/orbit/applications/selector/${selector}`;
const REVISION = (app: string, revision: string) => `/argoInstance/orbit/applications/name/${app}/revisions/${revision}/metadata`;
const ACME_CHECKOUT_SHA = "2f1a9c04b6d3e8a7f5c2b1d0e9f8a7b6c5d4e3f2";
const ACME_PAYMENTS_SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

let acme: RunningArgoCdSimulator;
let globex: RunningArgoCdSimulator;
let sidecar: RunningSidecar;
let gw: RunningGateway;

const { client, asMember, asAdmin } = stockClients(() => gw);

interface Application {
  metadata: { name: string; instance: { name: string; url: string }; labels?: Record<string, string> };
  spec: { project: string; source: { repoURL: string } };
  status: { sync: { status: string; revision: string }; health: { status: string }; history: { revision: string }[] };
}

// A client deadline longer than the gateway's default (10 s): a workspace's first call waits for its
// plugin process to start, which can take longer than that on a loaded 2-core machine.
const COLD_START_DEADLINE_MS = 45_000;

async function call(workspaceId: string, endpointPath: string, extra: Record<string, unknown> = {}) {
  const response = await client().proxyPluginRequest(
    { workspaceId, pluginId: PLUGIN, endpointPath, ...extra },
    { ...(await asMember(workspaceId)), timeoutMs: COLD_START_DEADLINE_MS },
  );
  const text = new TextDecoder().decode(response.data);
  return {
    status: response.statusCode,
    text,
    get body() {
      return JSON.parse(text) as unknown;
    },
  };
}
const application = async (workspaceId: string, name: string, extra: Record<string, unknown> = {}) =>
  (await call(workspaceId, APP(name), extra)).body as Application;

/** Everything of A's Argo CD that must never reach workspace B. */
const leaksA = (seen: string) =>
  seen.includes(acme.url) ||
  seen.includes(acme.token) ||
  seen.includes("git.acme.example") ||
  seen.includes("Grace Hopper") ||
  seen.includes("Ada Lovelace");

beforeAll(async () => {
  [acme, globex] = await Promise.all([startArgoCdSimulator("acme"), startArgoCdSimulator("globex")]);
  ({ sidecar, gw } = await startStockStack([acme.url, globex.url]));
  await enableInWorkspaces(gw, PLUGIN, [
    { workspaceId: WS_A, config: { base_url: acme.url }, secrets: { token: acme.token } },
    { workspaceId: WS_B, config: { base_url: globex.url }, secrets: { token: globex.token } },
  ]);
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await Promise.all([sidecar?.stop(), acme?.stop(), globex?.stop()]);
});

describe("Argo CD (stock plugin), two workspaces with different settings", () => {
  it("answers each workspace from its own Argo CD with its own token", async () => {
    const a = await application(WS_A, "checkout");
    expect([a.status.sync.status, a.status.health.status, a.status.sync.revision]).toEqual(["Synced", "Healthy", ACME_CHECKOUT_SHA]);
    expect(a.metadata.instance).toEqual({ name: "orbit", url: acme.url });
    expect(a.spec.source.repoURL).toBe("https://git.acme.example/shop/checkout.git");

    const b = await application(WS_B, "checkout");
    expect([b.status.sync.status, b.status.health.status]).toEqual(["OutOfSync", "Progressing"]);
    expect(b.metadata.instance).toEqual({ name: "orbit", url: globex.url });

    const inventory = await application(WS_B, "inventory");
    expect(inventory.status.health.status).toBe("Healthy");

    expect((await acme.requests()).every((entry) => entry.token === acme.token && entry.status === 200)).toBe(true);
    expect((await globex.requests()).every((entry) => entry.token === globex.token && entry.status === 200)).toBe(true);
    expect(gw.logLines.join("\n")).not.toContain(acme.token);
  }, 90_000);

  it("serves the frontend's other routes: the backend probe, a label selector, a revision's commit", async () => {
    expect((await call(WS_A, "/check")).text).toBe("OK");

    const listed = (await call(WS_A, SELECTOR("backstage-name=payments"), { queryParams: { selector: "backstage-name=payments" } }))
      .body as { items: Application[] };
    expect(listed.items.map((item) => [item.metadata.name, item.status.health.status, item.metadata.instance.url])).toEqual([
      ["payments", "Degraded", acme.url],
    ]);
    const shop = (await call(WS_A, SELECTOR("team!=finance"))).body as { items: Application[] };
    expect(shop.items.map((item) => item.metadata.name)).toEqual(["checkout"]);

    const revision = await call(WS_A, REVISION("checkout", ACME_CHECKOUT_SHA), { queryParams: { sourceIndex: "0" } });
    expect(revision.body).toEqual({
      author: "Ada Lovelace <ada@acme.example>",
      date: "2026-11-30T10:00:00Z",
      message: "checkout: raise the cart limit",
      revisionID: ACME_CHECKOUT_SHA,
    });

    // Allowed query parameters reach Argo CD, as the plugin forwards them.
    const inProject = await application(WS_A, "checkout", { queryParams: { project: "default", appNamespace: "argocd" } });
    expect(inProject.metadata.name).toBe("checkout");
    const last = (await acme.requests()).at(-1);
    expect(last).toMatchObject({ path: "/api/v1/applications/checkout" });
    expect(new URLSearchParams(last?.query).get("project")).toBe("default");
    expect(new URLSearchParams(last?.query).get("appNamespace")).toBe("argocd");
  }, 60_000);

  it("maps an unknown application to NOT_FOUND and refuses what is off the allow-list before any upstream call", async () => {
    const unknown = await errorOf(call(WS_A, APP("no-such-app")));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.rawMessage).not.toContain(acme.token);
    const wrongProject = await errorOf(call(WS_A, APP("checkout"), { queryParams: { project: "finance" } }));
    expect(wrongProject.code).toBe(Code.NotFound);

    const before = (await acme.requests()).length;
    const refusals: [string, Record<string, unknown>][] = [
      ["/find/name/checkout", {}],
      ["/find/name/checkout", { queryParams: { expand: "applications" } }],
      ["/argoInstance/primary/applications/checkout", {}],
      ["/argoInstance/orbit/applications/Checkout", {}],
      ["/argoInstance/orbit/applications/name/checkout/revisions/../metadata", {}],
      [APP("checkout"), { queryParams: { refresh: "hard" } }],
      [APP("checkout"), { queryParams: { project: "a,b" } }],
      [REVISION("checkout", ACME_CHECKOUT_SHA), { queryParams: { sourceIndex: "-1" } }],
      [APP("checkout"), { httpMethod: "POST", body: new TextEncoder().encode("{}") }],
      ["/.backstage/actions/v1/actions", {}],
    ];
    for (const [endpointPath, extra] of refusals) {
      const refused = await errorOf(call(WS_A, endpointPath, extra));
      expect([Code.NotFound, Code.InvalidArgument], `${endpointPath} ${JSON.stringify(extra)}`).toContain(refused.code);
    }
    expect((await acme.requests()).length).toBe(before);
  }, 60_000);
});

describe("cross-workspace battery (workspace B aiming at workspace A's Argo CD)", () => {
  const aSettings = () =>
    Buffer.from(JSON.stringify({ config: { base_url: acme.url }, secrets: { token: acme.token } })).toString("base64url");
  const attempts: [string, () => Promise<unknown>][] = [
    ["A's application by path", () => call(WS_B, APP("payments"))],
    ["A's application's revision", () => call(WS_B, REVISION("payments", ACME_PAYMENTS_SHA))],
    ["A's workspace as the instance", () => call(WS_B, "/argoInstance/ws-argocd-a/applications/payments")],
    ["A's URL as the instance, encoded", () => call(WS_B, `/argoInstance/${encodeURIComponent(acme.url)}/applications/payments`)],
    ["find across every instance", () => call(WS_B, "/find/name/payments", { queryParams: { expand: "applications" } })],
    ["selector matching every application", () => call(WS_B, SELECTOR("team"))],
    ["encoded slash out of the instance", () => call(WS_B, "/argoInstance/orbit%2F..%2Fws-argocd-a/applications/payments")],
    ["traversal out of the plugin", () => call(WS_B, "/../sonarqube/entities/component/default/payments/summary")],
    ["instance in the query", () => call(WS_B, APP("payments"), { queryParams: { instanceName: WS_A, url: acme.url } })],
    [
      "instance in a JSON body",
      () =>
        call(WS_B, APP("payments"), {
          httpMethod: "POST",
          body: new TextEncoder().encode(JSON.stringify({ instanceName: WS_A, url: acme.url, token: acme.token })),
        }),
    ],
    ["X-Orbit-Workspace-Id as a forwarded header", () => call(WS_B, APP("payments"), { headers: { "X-Orbit-Workspace-Id": WS_A } })],
    [
      "X-Orbit-* headers as call metadata",
      () =>
        proxyWithForgedOrbitHeaders(
          gw,
          WS_B,
          { pluginId: PLUGIN, endpointPath: APP("payments") },
          { workspaceId: WS_A, settings: aSettings() },
        ),
    ],
    [
      "A's workspace id with B's token",
      async () => client().proxyPluginRequest({ workspaceId: WS_A, pluginId: PLUGIN, endpointPath: APP("payments") }, await asMember(WS_B)),
    ],
    [
      "the plugin's actions (find-applications)",
      () =>
        call(WS_B, "/.backstage/actions/v1/actions/backstage-community-argocd:argocd:find-applications/invoke", {
          httpMethod: "POST",
          body: new TextEncoder().encode(JSON.stringify({ input: { appName: "payments" } })),
        }),
    ],
  ];

  it(`leaks nothing in ${attempts.length} attempts and makes no call to A's Argo CD`, async () => {
    await application(WS_B, "checkout"); // B's process is up, so every attempt reaches it
    const acmeCallsBefore = (await acme.requests()).length;
    const leaks = await attemptsThatLeak(attempts, leaksA);
    expect(leaks).toEqual([]);
    expect((await acme.requests()).length).toBe(acmeCallsBefore);
    // B's own calls went to B's Argo CD with B's token only.
    expect((await globex.requests()).every((entry) => entry.token === globex.token)).toBe(true);
  }, 90_000);
});

describe("a workspace whose settings the plugin cannot use", () => {
  it("gets UNAVAILABLE with an actionable reason, and only its own health (sidecar and GetPlugin) turns bad", async () => {
    const WS_C = "ws-argocd-c";
    // No API token yet: the definition refuses to start the plugin (it would try admin/"password" otherwise).
    await client().enablePlugin({ workspaceId: WS_C, pluginId: PLUGIN, config: { base_url: acme.url } }, await asAdmin(WS_C));
    const failed = await errorOf(call(WS_C, APP("checkout")));
    expect(failed.code).toBe(Code.Unavailable);
    expect(failed.rawMessage).toContain('missing Argo CD API token: set the secret "token" of the argocd plugin');

    const health = async (workspaceId: string) =>
      (
        await fetch(`${sidecar.url}/api/backstage-community-argocd/health`, {
          headers: { authorization: `Bearer ${sidecar.token}`, "x-orbit-workspace-id": workspaceId },
        })
      ).status;
    expect(await health(WS_C)).toBe(503);
    expect(await health(WS_A)).toBe(200);

    const statusIn = async (workspaceId: string) =>
      (await client().getPlugin({ workspaceId, pluginId: PLUGIN }, await asMember(workspaceId))).plugin?.status;
    const cStatus = await statusIn(WS_C);
    expect(cStatus?.healthy).toBe(false);
    expect(cStatus?.statusMessage).toContain("missing Argo CD API token");
    expect((await statusIn(WS_A))?.healthy).toBe(true);
    expect((await application(WS_A, "checkout")).metadata.instance.url).toBe(acme.url);
  }, 90_000);

  it("a token Argo CD refuses is PERMISSION_DENIED for that workspace only, saying so without the token", async () => {
    const WS_D = "ws-argocd-d";
    const admin = await asAdmin(WS_D);
    await client().enablePlugin({ workspaceId: WS_D, pluginId: PLUGIN, config: { base_url: globex.url } }, admin);
    await client().updatePluginConfig({ workspaceId: WS_D, pluginId: PLUGIN, secrets: { token: "argocd-not-the-right-token" } }, admin);
    const refused = await errorOf(call(WS_D, APP("checkout")));
    // The plugin answers 401 (Argo CD refused its credentials); the gateway passes it on as the plugin's refusal.
    expect(refused.code).toBe(Code.PermissionDenied);
    expect(refused.rawMessage).toContain("Invalid credentials for ArgoCD server");
    expect(refused.rawMessage).not.toContain("argocd-not-the-right-token");
    expect((await application(WS_B, "checkout")).status.health.status).toBe("Progressing");
  }, 90_000);
});

describe("a settings change under steady traffic", () => {
  it("takes effect for that workspace within seconds, with no failed call in either workspace", async () => {
    const { effectiveAt, timeToEffectMs, ok, failed } = await settingsChangeUnderTraffic({
      workspaces: [WS_A, WS_B],
      call: (workspaceId) => application(workspaceId, "checkout"),
      changed: WS_A,
      tookEffect: (app) => app.metadata.instance.url === globex.url,
      change: async () => {
        await client().updatePluginConfig(
          { workspaceId: WS_A, pluginId: PLUGIN, config: { base_url: globex.url }, secrets: { token: globex.token } },
          await asAdmin(WS_A),
        );
      },
    });
    console.info(
      `argocd settings change: ${JSON.stringify({ timeToEffectMs, calls: { a: ok[WS_A], b: ok[WS_B] }, failed: { a: failed[WS_A]!.length, b: failed[WS_B]!.length } })}`,
    );
    expect(effectiveAt).toBeGreaterThan(0);
    expect(failed[WS_A]).toEqual([]);
    expect(failed[WS_B]).toEqual([]);
    expect(timeToEffectMs).toBeLessThan(30_000);
    const after = await application(WS_A, "checkout");
    expect([after.metadata.instance.url, after.status.health.status]).toEqual([globex.url, "Progressing"]);
  }, 120_000);
});
