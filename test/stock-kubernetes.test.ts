import { get as httpsGet } from "node:https";
import { setTimeout as pause } from "node:timers/promises";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "./support/calls.js";
import { eventually } from "./support/eventually.js";
import { proxyWithForgedOrbitHeaders } from "./support/forged-orbit-headers.js";
import type { RunningGateway } from "./support/gateway.js";
import { attemptsThatLeak } from "./support/leaks.js";
import { startKubernetesSimulator } from "./support/kubernetes-simulator.js";
import type { RunningKubernetesSimulator } from "./support/kubernetes-simulator.js";
import type { RunningSidecar } from "./support/sidecar.js";
import { enableInWorkspaces, startStockStack, stockClients } from "./support/stock-stack.js";

// The stock Kubernetes backend end to end: Connect call → gateway → sidecar → the workspace's own Backstage
// process running @backstage/plugin-kubernetes-backend unmodified → the workspace's Kubernetes API (simulator).

const WS_A = "ws-k8s-a";
const WS_B = "ws-k8s-b";
const JSON_BODY = { "content-type": "application/json" };

let acme: RunningKubernetesSimulator;
let globex: RunningKubernetesSimulator;
let globexTls: RunningKubernetesSimulator;
let sidecar: RunningSidecar;
let gw: RunningGateway;

const { client, asMember, asAdmin } = stockClients(() => gw);

interface FetchResponse {
  type: string;
  resources: {
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec?: unknown;
    status?: Record<string, unknown>;
  }[];
}
interface ObjectsByEntity {
  items: {
    cluster: { name: string };
    podMetrics: {
      pod: { metadata: { name: string } };
      cpu: { currentUsage: number | string };
      memory: { currentUsage: number | string };
    }[];
    resources: FetchResponse[];
    errors: unknown[];
  }[];
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (data: Uint8Array) => new TextDecoder().decode(data);

/** A call of the kubernetes plugin as workspace `workspaceId`; `body` is sent as JSON. */
async function call(workspaceId: string, endpointPath: string, options: { body?: unknown; extra?: Record<string, unknown> } = {}) {
  const response = await client().proxyPluginRequest(
    {
      workspaceId,
      pluginId: "kubernetes",
      endpointPath,
      ...(options.body === undefined ? {} : { httpMethod: "POST", headers: JSON_BODY, body: encode(options.body) }),
      ...options.extra,
    },
    await asMember(workspaceId),
  );
  return { status: response.statusCode, text: decode(response.data) };
}

const entityOf = (name: string) => ({ apiVersion: "backstage.io/v1alpha1", kind: "Component", metadata: { name, namespace: "default" } });
const services = async (workspaceId: string, name: string) =>
  JSON.parse((await call(workspaceId, `/services/${name}`, { body: { entity: entityOf(name) } })).text) as ObjectsByEntity;
const objectsOf = (answer: ObjectsByEntity, type: string) =>
  answer.items.flatMap((item) => item.resources.filter((entry) => entry.type === type).flatMap((entry) => entry.resources));
/** Until the workspace's process answers (its first call starts it). */
const untilAnswering = (workspaceId: string) =>
  eventually(
    () =>
      call(workspaceId, "/clusters").then(
        () => true,
        () => false,
      ),
    (ok) => ok,
    `the kubernetes process of ${workspaceId} answering`,
    90_000,
  );

beforeAll(async () => {
  [acme, globex, globexTls] = await Promise.all([
    startKubernetesSimulator("acme"),
    startKubernetesSimulator("globex"),
    startKubernetesSimulator("globex", { tls: true }),
  ]);
  ({ sidecar, gw } = await startStockStack([acme.url, globex.url, globexTls.url]));
  await enableInWorkspaces(gw, "kubernetes", [
    { workspaceId: WS_A, config: { cluster_url: acme.url }, secrets: { service_account_token: acme.token } },
    { workspaceId: WS_B, config: { cluster_url: globex.url }, secrets: { service_account_token: globex.token } },
  ]);
  // Each workspace's process starts with its first call and may take longer than the gateway's sidecar timeout on a busy machine.
  await Promise.all([untilAnswering(WS_A), untilAnswering(WS_B)]);
}, 180_000);

afterAll(async () => {
  await gw?.close();
  await Promise.all([sidecar?.stop(), acme?.stop(), globex?.stop(), globexTls?.stop()]);
});

describe("Kubernetes (stock plugin), two workspaces with different clusters", () => {
  it("answers each workspace's entity from its own cluster, with its own token and the entity's label selector", async () => {
    const a = await services(WS_A, "checkout");
    expect(a.items.map((item) => item.cluster.name)).toEqual(["workspace"]);
    expect(a.items[0]?.errors).toEqual([]);
    const deployments = objectsOf(a, "deployments");
    expect(deployments.map((object) => [object.metadata.name, object.metadata.namespace, object.status?.readyReplicas])).toEqual([
      ["checkout", "shop", 3],
    ]);
    expect(objectsOf(a, "pods")).toHaveLength(3);
    expect(objectsOf(a, "services").map((object) => object.metadata.name)).toEqual(["checkout"]);
    expect(objectsOf(a, "horizontalpodautoscalers")).toHaveLength(1);
    // Pod metrics (metrics.k8s.io) joined with the pods' requests and limits by the plugin.
    expect(a.items[0]?.podMetrics).toHaveLength(3);
    expect(Number(a.items[0]?.podMetrics[0]?.cpu.currentUsage)).toBeCloseTo(0.037);

    const b = await services(WS_B, "checkout");
    expect(objectsOf(b, "deployments").map((object) => [object.metadata.namespace, object.status?.readyReplicas])).toEqual([["store", 2]]);
    expect(objectsOf(b, "pods")).toHaveLength(2);
    const inventory = await services(WS_B, "inventory");
    expect(objectsOf(inventory, "cronjobs").map((object) => object.metadata.name)).toEqual(["inventory"]);
    expect(objectsOf(inventory, "jobs")).toHaveLength(1);

    const acmeCalls = await acme.requests();
    expect(acmeCalls.length).toBeGreaterThan(0);
    expect(acmeCalls.every((entry) => entry.token === acme.token && entry.status === 200 && entry.method === "GET")).toBe(true);
    expect(new Set(acmeCalls.map((entry) => entry.labelSelector))).toEqual(new Set(["backstage.io/kubernetes-id=checkout"]));
    // The object types of the definition, cluster-wide, then pods and their metrics in the pods' namespace.
    expect(acmeCalls.map((entry) => entry.path)).toEqual(
      expect.arrayContaining(["/api/v1/pods", "/apis/apps/v1/deployments", "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods"]),
    );
    expect(acmeCalls.some((entry) => entry.path.endsWith("/secrets"))).toBe(false);
    expect((await globex.requests()).every((entry) => entry.token === globex.token)).toBe(true);
    expect(gw.logLines.join("\n")).not.toContain(acme.token);
  }, 90_000);

  it("answers the frontend's workloads query and the cluster list without the cluster's URL or token", async () => {
    const workloads = JSON.parse(
      (await call(WS_A, "/resources/workloads/query", { body: { entityRef: "component:default/checkout", auth: {} } })).text,
    ) as ObjectsByEntity;
    expect(objectsOf(workloads, "deployments").map((object) => object.metadata.namespace)).toEqual(["shop"]);

    const clusters = await call(WS_A, "/clusters");
    expect(JSON.parse(clusters.text)).toEqual({ items: [{ name: "workspace", authProvider: "serviceAccount" }] });
    expect(clusters.text).not.toContain(acme.url);
    expect(clusters.text).not.toContain(acme.token);
  }, 60_000);

  it("refuses bodies that name another entity, namespace or credentials, and the routes off the allow-list", async () => {
    const before = (await acme.requests()).length;
    const refusals: [string, string, Record<string, unknown>][] = [
      ["/services/checkout", "another name in the body", { body: { entity: entityOf("payments") } }],
      [
        "/services/checkout",
        "another namespace",
        { body: { entity: { kind: "Component", metadata: { name: "checkout", namespace: "ops" } } } },
      ],
      ["/services/checkout", "another kind", { body: { entity: { kind: "Resource", metadata: { name: "checkout" } } } }],
      ["/services/checkout", "credentials in auth", { body: { entity: entityOf("checkout"), auth: { serviceAccount: "t" } } }],
      ["/services/checkout", "an unknown field", { body: { entity: entityOf("checkout"), cluster: "other" } }],
      ["/services/checkout", "no body", { extra: { httpMethod: "POST" } }],
      ["/resources/workloads/query", "a group's ref", { body: { entityRef: "group:default/checkout" } }],
      ["/resources/workloads/query", "a ref in another namespace", { body: { entityRef: "component:ops/checkout" } }],
    ];
    for (const [endpointPath, what, options] of refusals) {
      const refused = await errorOf(call(WS_A, endpointPath, options));
      expect(refused.code, what).toBe(Code.InvalidArgument);
    }
    for (const [endpointPath, options] of [
      ["/proxy/api/v1/namespaces/shop/secrets", {}],
      ["/resources/custom/query", { body: { entityRef: "component:default/checkout", customResources: [] } }],
      ["/clusters", { extra: { queryParams: { cluster: "workspace" } } }],
      ["/services/checkout", {}], // GET
      ["/.backstage/actions/v1/actions", {}],
    ] as [string, Record<string, unknown>][]) {
      const refused = await errorOf(call(WS_A, endpointPath, options));
      expect([Code.NotFound, Code.InvalidArgument], endpointPath).toContain(refused.code);
    }
    expect((await acme.requests()).length).toBe(before);
  }, 60_000);
});

describe("cross-workspace battery (workspace B aiming at workspace A's cluster)", () => {
  const aSettings = () =>
    Buffer.from(JSON.stringify({ config: { cluster_url: acme.url }, secrets: { service_account_token: acme.token } })).toString(
      "base64url",
    );
  const attempts: [string, () => Promise<unknown>][] = [
    ["A's component by path", () => call(WS_B, "/services/payments", { body: {} })],
    ["A's component by entity ref", () => call(WS_B, "/resources/workloads/query", { body: { entityRef: "component:default/payments" } })],
    ["A's workspace as namespace", () => call(WS_B, "/resources/workloads/query", { body: { entityRef: `component:${WS_A}/payments` } })],
    [
      "annotations naming A's cluster and selector",
      () =>
        call(WS_B, "/services/checkout", {
          body: {
            entity: {
              kind: "Component",
              metadata: {
                name: "checkout",
                annotations: { "backstage.io/kubernetes-cluster": "acme", "backstage.io/kubernetes-label-selector": "app=payments" },
              },
            },
          },
        }),
    ],
    ["A's token in the body's auth", () => call(WS_B, "/services/checkout", { body: { auth: { serviceAccount: acme.token } } })],
    ["A's cluster URL in the body", () => call(WS_B, "/services/checkout", { body: { entity: entityOf("checkout"), url: acme.url } })],
    [
      "the proxy with a cluster header",
      () => call(WS_B, "/proxy/api/v1/pods", { extra: { headers: { "Backstage-Kubernetes-Cluster": "workspace" } } }),
    ],
    [
      "the proxy with a cluster header, straight to the sidecar",
      async () => {
        const response = await fetch(`${sidecar.url}/api/kubernetes/proxy/api/v1/pods`, {
          headers: { authorization: `Bearer ${sidecar.token}`, "x-orbit-workspace-id": WS_B, "backstage-kubernetes-cluster": "workspace" },
        });
        return { status: response.status, text: await response.text() };
      },
    ],
    ["the proxy, plain", () => call(WS_B, "/proxy/api/v1/namespaces/payments/pods")],
    [
      "custom resources",
      () => call(WS_B, "/resources/custom/query", { body: { entityRef: "component:default/payments", customResources: [] } }),
    ],
    ["traversal out of the plugin", () => call(WS_B, "/../sonarqube/entities/component/default/payments/summary")],
    ["encoded traversal", () => call(WS_B, "/services/..%2Fclusters", { body: {} })],
    ["a query on the clusters route", () => call(WS_B, "/clusters", { extra: { queryParams: { cluster: "acme", url: acme.url } } })],
    ["actions", () => call(WS_B, "/.backstage/actions/v1/actions/get-kubernetes-resources-for-entity/invoke", { body: {} })],
    ["X-Orbit-Workspace-Id as a forwarded header", () => call(WS_B, "/clusters", { extra: { headers: { "X-Orbit-Workspace-Id": WS_A } } })],
    [
      "X-Orbit-* headers as call metadata",
      () =>
        proxyWithForgedOrbitHeaders(
          gw,
          WS_B,
          { pluginId: "kubernetes", endpointPath: "/services/payments", httpMethod: "POST", headers: JSON_BODY, body: encode({}) },
          { workspaceId: WS_A, settings: aSettings() },
        ),
    ],
    [
      "A's workspace id with B's token",
      async () =>
        client().proxyPluginRequest(
          {
            workspaceId: WS_A,
            pluginId: "kubernetes",
            endpointPath: "/services/payments",
            httpMethod: "POST",
            headers: JSON_BODY,
            body: encode({}),
          },
          await asMember(WS_B),
        ),
    ],
  ];

  it(`leaks nothing in ${attempts.length} attempts and makes no call to A's cluster`, async () => {
    await services(WS_B, "checkout"); // B's process is up, so every attempt reaches it
    const acmeCallsBefore = (await acme.requests()).length;
    const leaks = await attemptsThatLeak(attempts, (seen) =>
      ["registry.acme.example", acme.url, acme.token, '\\"namespace\\":\\"shop\\"', "payments-"].some((mark) => seen.includes(mark)),
    );
    expect(leaks).toEqual([]);
    expect((await acme.requests()).length).toBe(acmeCallsBefore);
    expect((await globex.requests()).every((entry) => entry.token === globex.token)).toBe(true);
  }, 90_000);
});

describe("a settings change and a bad configuration", () => {
  it("UpdatePluginConfig moves workspace A to another cluster within seconds, with no failed call in A or B", async () => {
    const tally: Record<string, { ok: number; failed: string[] }> = { [WS_A]: { ok: 0, failed: [] }, [WS_B]: { ok: 0, failed: [] } };
    let running = true;
    const traffic = async (workspaceId: string) => {
      while (running) {
        try {
          await services(workspaceId, "checkout");
          tally[workspaceId]!.ok++;
        } catch (error) {
          tally[workspaceId]!.failed.push((error as Error).message);
        }
        await pause(25); // pacing of the steady traffic, not synchronisation
      }
    };
    const loops = [traffic(WS_A), traffic(WS_B)];
    const changedAt = Date.now();
    await client().updatePluginConfig(
      {
        workspaceId: WS_A,
        pluginId: "kubernetes",
        config: { cluster_url: globex.url },
        secrets: { service_account_token: globex.token },
      },
      await asAdmin(WS_A),
    );
    const after = await eventually(
      () => services(WS_A, "checkout"),
      (answer) => objectsOf(answer, "deployments")[0]?.metadata.namespace === "store",
      "workspace A answered from the new cluster",
      60_000, // the new process's start, which a loaded 2-core machine stretches (see docs/stock-plugins.md)
    );
    const timeToEffectMs = Date.now() - changedAt;
    running = false;
    await Promise.all(loops);
    console.info(
      `kubernetes settings change: ${JSON.stringify({ timeToEffectMs, calls: { a: tally[WS_A]!.ok, b: tally[WS_B]!.ok }, failed: { a: tally[WS_A]!.failed.length, b: tally[WS_B]!.failed.length } })}`,
    );
    expect(tally[WS_A]!.failed).toEqual([]);
    expect(tally[WS_B]!.failed).toEqual([]);
    expect(tally[WS_B]!.ok).toBeGreaterThan(0);
    expect(objectsOf(after, "pods")).toHaveLength(2);
    expect(objectsOf(await services(WS_B, "checkout"), "deployments")[0]?.metadata.namespace).toBe("store");
  }, 120_000);

  it("a workspace without a token gets UNAVAILABLE with the reason, and only its own plugin turns unhealthy", async () => {
    const WS_C = "ws-k8s-c";
    await client().enablePlugin({ workspaceId: WS_C, pluginId: "kubernetes", config: { cluster_url: acme.url } }, await asAdmin(WS_C));
    const failed = await errorOf(call(WS_C, "/services/checkout", { body: {} }));
    expect(failed.code).toBe(Code.Unavailable);
    expect(failed.rawMessage).toContain("needs the service_account_token secret");

    const WS_D = "ws-k8s-d";
    const admin = await asAdmin(WS_D);
    await client().enablePlugin(
      { workspaceId: WS_D, pluginId: "kubernetes", config: { cluster_url: acme.url, ca_data: "not a certificate" } },
      admin,
    );
    await client().updatePluginConfig({ workspaceId: WS_D, pluginId: "kubernetes", secrets: { service_account_token: acme.token } }, admin);
    const badCa = await errorOf(call(WS_D, "/clusters"));
    expect(badCa.code).toBe(Code.Unavailable);
    expect(badCa.rawMessage).toContain("ca_data is not a PEM certificate");
    expect(badCa.rawMessage).not.toContain(acme.token);

    const statusIn = async (workspaceId: string) =>
      (await client().getPlugin({ workspaceId, pluginId: "kubernetes" }, await asMember(workspaceId))).plugin?.status;
    const cStatus = await statusIn(WS_C);
    expect(cStatus?.healthy).toBe(false);
    expect(cStatus?.statusMessage).toContain("service_account_token");
    expect((await statusIn(WS_D))?.statusMessage).not.toContain(acme.token);
    expect((await statusIn(WS_B))?.healthy).toBe(true);
    expect((await call(WS_B, "/clusters")).status).toBe(200);
  }, 90_000);
});

describe("a cluster behind TLS", () => {
  /** The TLS simulator's request log, read trusting its certificate (the shared helper's fetch would not). */
  const tlsCalls = () =>
    new Promise<number>((resolve, reject) => {
      httpsGet(`${globexTls.url}/_simulator/requests`, { ca: globexTls.caPem }, (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => resolve((JSON.parse(text) as unknown[]).length));
      }).on("error", reject);
    });

  it("is reached with the workspace's ca_data through the plugin's own https agent, and refused without it", async () => {
    const enable = async (workspaceId: string, config: Record<string, string>) => {
      await enableInWorkspaces(gw, "kubernetes", [{ workspaceId, config, secrets: { service_account_token: globexTls.token } }]);
      await untilAnswering(workspaceId);
    };
    await enable("ws-k8s-tls", { cluster_url: globexTls.url, ca_data: globexTls.caPem! });
    const trusted = await services("ws-k8s-tls", "checkout");
    expect(trusted.items[0]?.errors).toEqual([]);
    expect(objectsOf(trusted, "deployments").map((object) => object.metadata.namespace)).toEqual(["store"]);
    const calls = await tlsCalls();
    expect(calls).toBeGreaterThan(0);

    // Without the CA the certificate is not trusted (TLS is always verified): no request reaches the API server.
    await enable("ws-k8s-tls-no-ca", { cluster_url: globexTls.url });
    const untrusted = await services("ws-k8s-tls-no-ca", "checkout");
    expect(objectsOf(untrusted, "deployments")).toEqual([]);
    expect(JSON.stringify(untrusted.items[0]?.errors)).toContain("FETCH_ERROR");
    expect(await tlsCalls()).toBe(calls);
  }, 240_000);
});
