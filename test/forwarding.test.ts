import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRAVERSAL_BATTERY } from "../src/sidecar/endpoint-path.test-cases.js";
import { bearer, pluginsClient, startGateway } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";
import { errorOf, outcomeOf } from "./support/calls.js";
import { startSidecar } from "./support/sidecar.js";
import type { RunningSidecar } from "./support/sidecar.js";

let sidecar: RunningSidecar;
let gw: RunningGateway;

const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;

beforeAll(async () => {
  sidecar = await startSidecar();
  gw = await startGateway({
    BACKSTAGE_URL: sidecar.url,
    BACKSTAGE_SERVICE_TOKEN: sidecar.token,
    SIDECAR_TIMEOUT: "3s",
    RATE_LIMIT_MAX: "10000",
  });
  for (const workspaceId of ["ws-a", "ws-b"]) {
    const admin = bearer(await gw.token({ workspaceId, admin: true }));
    await pluginsClient("connect-json", gw.url).enablePlugin({ workspaceId, pluginId: "deployment", config: {} }, admin);
  }
}, 120_000);
afterAll(async () => {
  await gw?.close();
  await sidecar?.stop();
});

describe("forwarding to the sidecar", () => {
  it("reaches the plugin with the token's workspace, whatever workspace header the client sends", async () => {
    const token = await gw.token({ workspaceId: "ws-a", userId: "user-7" });
    const response = await pluginsClient("grpc", gw.url).proxyPluginRequest(
      { workspaceId: "ws-a", pluginId: "deployment", endpointPath: "/whoami" },
      { headers: { authorization: `Bearer ${token}`, "x-orbit-workspace-id": "ws-b", "x-orbit-user-id": "root" } },
    );
    expect(response.statusCode).toBe(200);
    expect(json(response.data)).toEqual({ workspaceId: "ws-a", userId: "user-7", hasGitHubToken: false });
  });

  it("refuses a client that tries to set identity headers through the headers map", async () => {
    const token = await gw.token({ workspaceId: "ws-a" });
    const error = await errorOf(
      pluginsClient("connect-json", gw.url).proxyPluginRequest(
        { workspaceId: "ws-a", pluginId: "deployment", endpointPath: "/whoami", headers: { "X-Orbit-Workspace-Id": "ws-b" } },
        bearer(token),
      ),
    );
    expect(error.code).toBe(Code.InvalidArgument);
  });

  it("passes the user's own GitHub token in its dedicated header, never back to the client", async () => {
    const token = await gw.token({ workspaceId: "ws-a", userId: "user-gh" });
    const response = await pluginsClient("connect-json", gw.url).proxyPluginRequest(
      { workspaceId: "ws-a", pluginId: "deployment", endpointPath: "/whoami" },
      { headers: { authorization: `Bearer ${token}`, "x-github-token": "gho_usertoken123" } },
    );
    expect(json(response.data)).toMatchObject({ hasGitHubToken: true });
    expect(new TextDecoder().decode(response.data)).not.toContain("gho_usertoken123");
    expect(gw.logLines.join("\n")).not.toContain("gho_usertoken123");
  });

  it("forwards a POST body and never caches writes", async () => {
    const token = await gw.token({ workspaceId: "ws-a" });
    const client = pluginsClient("connect-binary", gw.url);
    const call = () =>
      client.proxyPluginRequest(
        {
          workspaceId: "ws-a",
          pluginId: "deployment",
          endpointPath: "/echo",
          httpMethod: "POST",
          headers: { "content-type": "application/json" },
          body: new TextEncoder().encode(JSON.stringify({ hello: "world" })),
        },
        bearer(token),
      );
    const first = await call();
    expect(json(first.data)).toMatchObject({ workspaceId: "ws-a" });
    expect(new TextDecoder().decode(first.data)).toContain("world");
    expect((await call()).fromCache).toBe(false);
  });

  it("answers GetPluginData through the same path", async () => {
    const token = await gw.token({ workspaceId: "ws-b" });
    const response = await pluginsClient("grpc-web", gw.url).getPluginData(
      { workspaceId: "ws-b", pluginId: "deployment", params: { path: "/whoami" } },
      bearer(token),
    );
    expect(json(response.data)).toMatchObject({ workspaceId: "ws-b" });
  });

  it("maps an unknown plugin route to NOT_FOUND with the upstream message", async () => {
    const token = await gw.token({ workspaceId: "ws-a" });
    const error = await errorOf(
      pluginsClient("connect-json", gw.url).proxyPluginRequest(
        { workspaceId: "ws-a", pluginId: "deployment", endpointPath: "/no-such-route", httpMethod: "DELETE" },
        bearer(token),
      ),
    );
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toContain("HTTP 404");
  });

  it("refuses a traversal battery with INVALID_ARGUMENT before anything reaches the sidecar", async () => {
    expect(TRAVERSAL_BATTERY.length).toBeGreaterThanOrEqual(20);
    const token = await gw.token({ workspaceId: "ws-a" });
    const client = pluginsClient("connect-json", gw.url);
    const before = await sidecar.requestCount();
    for (const endpointPath of TRAVERSAL_BATTERY) {
      const error = await errorOf(client.proxyPluginRequest({ workspaceId: "ws-a", pluginId: "deployment", endpointPath }, bearer(token)));
      expect(error.code, endpointPath).toBe(Code.InvalidArgument);
    }
    expect(await sidecar.requestCount()).toBe(before);
  });
});

describe("the sidecar on its own", () => {
  it("refuses a call without the service token (401) and without a workspace (400)", async () => {
    const noToken = await fetch(`${sidecar.url}/api/deployment/whoami`, { headers: { "x-orbit-workspace-id": "ws-a" } });
    expect(noToken.status).toBe(401);
    const noWorkspace = await fetch(`${sidecar.url}/api/deployment/whoami`, { headers: { authorization: `Bearer ${sidecar.token}` } });
    expect(noWorkspace.status).toBe(400);
    expect(await noWorkspace.json()).toMatchObject({ error: { name: "InputError" } });
  });
});

describe("caching and coalescing", () => {
  it("serves a repeated GET from the cache and says so", async () => {
    const token = await gw.token({ workspaceId: "ws-a" });
    const client = pluginsClient("connect-json", gw.url);
    const request = { workspaceId: "ws-a", pluginId: "deployment", endpointPath: "/health", queryParams: { probe: "cache-1" } };
    const first = await client.proxyPluginRequest(request, bearer(token));
    const second = await client.proxyPluginRequest(request, bearer(token));
    expect([first.fromCache, second.fromCache]).toEqual([false, true]);
    expect(second.data).toEqual(first.data);
  });

  it("makes one upstream request for 50 concurrent identical calls; another workspace is fetched separately", async () => {
    const tokenA = await gw.token({ workspaceId: "ws-a" });
    const tokenB = await gw.token({ workspaceId: "ws-b" });
    const client = pluginsClient("grpc", gw.url);
    const request = (workspaceId: string) => ({
      workspaceId,
      pluginId: "deployment",
      endpointPath: "/whoami",
      queryParams: { probe: "burst" },
    });
    const before = await sidecar.requestCount();
    const answers = await Promise.all(Array.from({ length: 50 }, () => client.proxyPluginRequest(request("ws-a"), bearer(tokenA))));
    expect(await sidecar.requestCount()).toBe(before + 1);
    expect(new Set(answers.map((answer) => json(answer.data).workspaceId))).toEqual(new Set(["ws-a"]));
    const other = await client.proxyPluginRequest(request("ws-b"), bearer(tokenB));
    expect(json(other.data)).toMatchObject({ workspaceId: "ws-b" });
    expect(other.fromCache).toBe(false);
    expect(await sidecar.requestCount()).toBe(before + 2);
  });

  it("never serves one user's GitHub-token answer to another user", async () => {
    const client = pluginsClient("connect-json", gw.url);
    const call = async (userId: string, githubToken: string) =>
      client.proxyPluginRequest(
        { workspaceId: "ws-a", pluginId: "deployment", endpointPath: "/whoami", queryParams: { probe: "users" } },
        { headers: { authorization: `Bearer ${await gw.token({ workspaceId: "ws-a", userId })}`, "x-github-token": githubToken } },
      );
    const first = await call("user-1", "gho_one");
    const second = await call("user-2", "gho_two");
    expect(json(first.data)).toMatchObject({ userId: "user-1" });
    expect(json(second.data)).toMatchObject({ userId: "user-2" });
    expect(second.fromCache).toBe(false);
    expect((await call("user-1", "gho_one")).fromCache).toBe(true);
  });

  it("never serves one user's answer to another user of the same workspace, token or not", async () => {
    const client = pluginsClient("connect-json", gw.url);
    const call = async (userId: string) =>
      client.proxyPluginRequest(
        { workspaceId: "ws-a", pluginId: "deployment", endpointPath: "/whoami", queryParams: { probe: "colleagues" } },
        bearer(await gw.token({ workspaceId: "ws-a", userId })),
      );
    const first = await call("colleague-1");
    const second = await call("colleague-2");
    expect(json(first.data)).toMatchObject({ workspaceId: "ws-a", userId: "colleague-1" });
    expect(json(second.data)).toMatchObject({ workspaceId: "ws-a", userId: "colleague-2" });
    expect(second.fromCache).toBe(false);
    expect((await call("colleague-1")).fromCache).toBe(true);
  });
});

describe("the cache in Redis", () => {
  it("is shared by two gateways: the second answers from the first one's entry", async () => {
    const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
    const env = { BACKSTAGE_URL: sidecar.url, BACKSTAGE_SERVICE_TOKEN: sidecar.token, REDIS_URL: redisUrl, RATE_LIMIT_MAX: "10000" };
    const first = await startGateway(env);
    const second = await startGateway({ ...env, ORBIT_SVC_AUTH_SECRET: first.secret });
    try {
      const workspaceId = `ws-redis-${Date.now()}`;
      const admin = bearer(await first.token({ workspaceId, admin: true }));
      for (const gateway of [first, second]) {
        await pluginsClient("connect-json", gateway.url).enablePlugin({ workspaceId, pluginId: "deployment", config: {} }, admin);
      }
      const request = { workspaceId, pluginId: "deployment", endpointPath: "/whoami" };
      const before = await sidecar.requestCount();
      const fromFirst = await pluginsClient("grpc", first.url).proxyPluginRequest(request, admin);
      const fromSecond = await pluginsClient("grpc", second.url).proxyPluginRequest(request, admin);
      expect([fromFirst.fromCache, fromSecond.fromCache]).toEqual([false, true]);
      expect(json(fromSecond.data)).toMatchObject({ workspaceId });
      expect(await sidecar.requestCount()).toBe(before + 1);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe("plugin status", () => {
  it("reports the sidecar's health of each plugin and this gateway's counts", async () => {
    const token = await gw.token({ workspaceId: "ws-a" });
    const { plugins } = await pluginsClient("connect-json", gw.url).listPlugins({ workspaceId: "ws-a" }, bearer(token));
    const deployment = plugins.find((plugin) => plugin.id === "deployment");
    const jira = plugins.find((plugin) => plugin.id === "jira");
    expect(deployment?.status).toMatchObject({ healthy: true, statusMessage: "ok" });
    expect(deployment?.status?.requestCount).toBeGreaterThan(0);
    expect(Number(deployment?.status?.lastCheckedAt)).toBeGreaterThan(0);
    expect(jira?.status).toMatchObject({ healthy: true, statusMessage: "ok" });
  });
});

describe("tracing", () => {
  it("continues the caller's trace through the gateway to the sidecar call, with the trace id in the log", async () => {
    const exported: unknown[] = [];
    const collector = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        exported.push(JSON.parse(body));
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    const { port } = collector.address() as AddressInfo;
    const traced = await startGateway({
      BACKSTAGE_URL: sidecar.url,
      BACKSTAGE_SERVICE_TOKEN: sidecar.token,
      TRACING_ENABLED: "true",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
    });
    try {
      const admin = bearer(await traced.token({ workspaceId: "ws-a", admin: true }));
      const client = pluginsClient("connect-json", traced.url);
      await client.enablePlugin({ workspaceId: "ws-a", pluginId: "deployment", config: {} }, admin);
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      await client.proxyPluginRequest(
        { workspaceId: "ws-a", pluginId: "deployment", endpointPath: "/whoami", queryParams: { probe: "trace" } },
        { headers: { ...admin.headers, traceparent: `00-${traceId}-00f067aa0ba902b7-01` } },
      );
      await traced.close(); // flushes the span batch
      const spans = (
        exported as {
          resourceSpans: {
            scopeSpans: { spans: { traceId: string; name: string; kind: number; parentSpanId?: string; spanId: string }[] }[];
          }[];
        }[]
      )
        .flatMap((batch) => batch.resourceSpans)
        .flatMap((resource) => resource.scopeSpans)
        .flatMap((scope) => scope.spans)
        .filter((span) => span.traceId === traceId);
      const server = spans.find((span) => span.name === "/idp.plugins.v1.PluginsService/ProxyPluginRequest");
      const upstream = spans.find((span) => span.name === "sidecar GET deployment");
      expect(server?.parentSpanId).toBe("00f067aa0ba902b7");
      expect(upstream?.parentSpanId).toBe(server?.spanId);
      expect(traced.logLines.some((line) => line.includes(`"traceId":"${traceId}"`) && line.includes('"msg":"rpc"'))).toBe(true);
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});

describe.sequential("when the sidecar dies", () => {
  it("fails fast with UNAVAILABLE, and succeeds again after a restart without restarting the gateway", async () => {
    const token = await gw.token({ workspaceId: "ws-a" });
    const client = pluginsClient("connect-json", gw.url);
    const call = (probe: string) =>
      client.proxyPluginRequest(
        { workspaceId: "ws-a", pluginId: "deployment", endpointPath: "/whoami", queryParams: { probe } },
        { ...bearer(token), timeoutMs: 5_000 },
      );
    await sidecar.kill();
    for (let i = 0; i < 8; i++) {
      const started = performance.now();
      const error = await errorOf(call(`down-${i}`));
      expect(error.code).toBe(Code.Unavailable);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
    expect(await (await fetch(`${gw.url}/metrics`)).text()).toContain('plugins_sidecar_circuit_state{state="open"} 1');
    await sidecar.start();
    const deadline = Date.now() + 15_000;
    let answer: Awaited<ReturnType<typeof call>> | undefined;
    const failures = new Set<string>();
    while (!answer && Date.now() < deadline) {
      // Several at once: while the circuit is half-open one call probes and the others are refused.
      const outcomes = await Promise.all(Array.from({ length: 4 }, (_, n) => outcomeOf(call(`up-${Date.now()}-${n}`))));
      for (const outcome of outcomes) {
        if (outcome === "ok") continue;
        failures.add(Code[outcome.code]);
      }
      const ok = outcomes.find((outcome) => outcome !== "ok") === undefined;
      if (ok) answer = await call(`up-${Date.now()}`);
      else await new Promise((resolve) => setTimeout(resolve, 200)); // wait for the circuit's half-open probe
    }
    expect(answer && json(answer.data)).toMatchObject({ workspaceId: "ws-a" });
    // Refused or failed while it came back: always UNAVAILABLE (retryable), never INTERNAL.
    expect([...failures].filter((code) => code !== "Unavailable")).toEqual([]);
  }, 120_000);
});
