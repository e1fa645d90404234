import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../src/gen/health/v1/health_pb.js";
import { TRANSPORTS, bearer, pluginsClient, startGateway, transportFor } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";
import { LISTED_PLUGIN_IDS } from "./support/listed-plugins.js";

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({ CORS_ORIGINS: "https://orbit.example" });
});
afterAll(async () => gw.close());

describe("one port, every protocol", () => {
  it.each(TRANSPORTS)("ListPlugins answers over %s", async (kind) => {
    const token = await gw.token({ workspaceId: "ws-a" });
    const response = await pluginsClient(kind, gw.url).listPlugins({ workspaceId: "ws-a" }, bearer(token));
    expect(response.plugins.map((plugin) => plugin.id)).toEqual(LISTED_PLUGIN_IDS);
    expect(response.plugins.every((plugin) => plugin.enabled === false)).toBe(true);
  });

  it.each(TRANSPORTS)("grpc.health.v1.Health/Check answers without a token over %s", async (kind) => {
    const health = createClient(Health, transportFor(kind, gw.url));
    await expect(health.check({ service: "" })).resolves.toMatchObject({ status: HealthCheckResponse_ServingStatus.SERVING });
    await expect(health.check({ service: "idp.plugins.v1.PluginsService" })).resolves.toMatchObject({
      status: HealthCheckResponse_ServingStatus.SERVING,
    });
  });

  it("Health/Watch streams the current status first", async () => {
    const health = createClient(Health, transportFor("grpc", gw.url));
    const controller = new AbortController();
    for await (const update of health.watch({ service: "" }, { signal: controller.signal })) {
      expect(update.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      controller.abort();
      break;
    }
  });

  it("answers a browser's CORS preflight with Connect's header lists and Authorization", async () => {
    const response = await fetch(`${gw.url}/idp.plugins.v1.PluginsService/ListPlugins`, {
      method: "OPTIONS",
      headers: {
        origin: "https://orbit.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,connect-protocol-version",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://orbit.example");
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    expect(allowed).toContain("authorization");
    expect(allowed).toContain("connect-protocol-version");
  });

  it("exposes Retry-After and the rate-limit headers to browsers", async () => {
    const token = await gw.token({ workspaceId: "ws-cors" });
    const response = await fetch(`${gw.url}/idp.plugins.v1.PluginsService/ListPlugins`, {
      method: "POST",
      headers: { origin: "https://orbit.example", "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ workspaceId: "ws-cors" }),
    });
    expect(response.status).toBe(200);
    const exposed = (response.headers.get("access-control-expose-headers") ?? "").toLowerCase();
    for (const header of ["retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "grpc-status"]) {
      expect(exposed).toContain(header);
    }
    expect(response.headers.get("x-ratelimit-limit")).toBe("100");
  });

  it("serves liveness and readiness over plain HTTP without a token", async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready" });
  });
});
