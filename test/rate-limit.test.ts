import { randomUUID } from "node:crypto";
import { connect as http2Connect } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";
import { TRANSPORTS, bearer, pluginsClient, startGateway } from "./support/gateway.js";
import type { RunningGateway, TransportKind } from "./support/gateway.js";
import { outcomeOf } from "./support/calls.js";
import { startPrivateRedis } from "./support/redis-server.js";
import type { PrivateRedis } from "./support/redis-server.js";

const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

function codes(results: ("ok" | ConnectError)[]): (string | Code)[] {
  return results.map((result) => (result === "ok" ? "ok" : result.code));
}

async function listAs(gw: RunningGateway, workspaceId: string, kind: TransportKind = "connect-json") {
  const token = await gw.token({ workspaceId });
  return outcomeOf(pluginsClient(kind, gw.url).listPlugins({ workspaceId }, bearer(token)));
}

describe("per-workspace rate limits in memory", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway({
      RATE_LIMIT_MAX: "3",
      RATE_LIMIT_WINDOW: "1m",
      RATE_LIMIT_OVERRIDES: "ws-big=6",
      RATE_LIMIT_UNAUTHENTICATED_MAX: "2",
    });
  });
  afterAll(async () => gw.close());

  it("lets exactly RATE_LIMIT_MAX calls of a workspace through; another workspace is unaffected", async () => {
    const results: ("ok" | ConnectError)[] = [];
    for (let i = 0; i < 5; i++) results.push(await listAs(gw, "ws-one"));
    expect(codes(results)).toEqual(["ok", "ok", "ok", Code.ResourceExhausted, Code.ResourceExhausted]);
    expect(await listAs(gw, "ws-two")).toBe("ok");
  });

  it("applies per-workspace overrides", async () => {
    const results: ("ok" | ConnectError)[] = [];
    for (let i = 0; i < 7; i++) results.push(await listAs(gw, "ws-big"));
    expect(codes(results).filter((code) => code === "ok")).toHaveLength(6);
  });

  it.each(TRANSPORTS)("answers RESOURCE_EXHAUSTED with a RetryInfo delay over %s", async (kind) => {
    const workspaceId = `ws-${kind}`;
    for (let i = 0; i < 3; i++) expect(await listAs(gw, workspaceId, kind)).toBe("ok");
    const refused = await listAs(gw, workspaceId, kind);
    expect(refused).toBeInstanceOf(ConnectError);
    const error = refused as ConnectError;
    expect(error.code).toBe(Code.ResourceExhausted);
    const [retry] = error.findDetails(RetryInfoSchema);
    expect(Number(retry?.retryDelay?.seconds)).toBeGreaterThan(0);
    expect(Number(retry?.retryDelay?.seconds)).toBeLessThanOrEqual(60);
    expect(Number(error.metadata.get("retry-after"))).toBeGreaterThan(0);
  });

  it("uses HTTP 429 with a Connect JSON body and rate-limit headers for Connect", async () => {
    const token = await gw.token({ workspaceId: "ws-raw" });
    const call = () =>
      fetch(`${gw.url}/idp.plugins.v1.PluginsService/ListPlugins`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ workspaceId: "ws-raw" }),
      });
    for (let i = 0; i < 3; i++) expect((await call()).status).toBe(200);
    const response = await call();
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(response.headers.get("x-ratelimit-limit")).toBe("3");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
    const body = (await response.json()) as { code: string; details: { type: string }[] };
    expect(body.code).toBe("resource_exhausted");
    expect(body.details.map((detail) => detail.type)).toContain("google.rpc.RetryInfo");
  });

  it("uses HTTP 200 with grpc-status 8 for gRPC", async () => {
    const token = await gw.token({ workspaceId: "ws-raw-grpc" });
    for (let i = 0; i < 3; i++) expect(await listAs(gw, "ws-raw-grpc", "grpc")).toBe("ok");
    const session = http2Connect(gw.url);
    try {
      const { status, grpcStatus } = await new Promise<{ status: number; grpcStatus: string | undefined }>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": "/idp.plugins.v1.PluginsService/ListPlugins",
          "content-type": "application/grpc",
          te: "trailers",
          authorization: `Bearer ${token}`,
        });
        let status = 0;
        let grpcStatus: string | undefined;
        stream.on("response", (headers) => {
          status = Number(headers[":status"]);
          grpcStatus = headers["grpc-status"] as string | undefined;
        });
        stream.on("trailers", (trailers) => {
          grpcStatus ??= trailers["grpc-status"] as string | undefined;
        });
        stream.on("error", reject);
        stream.on("close", () => resolve({ status, grpcStatus }));
        stream.resume();
        // An empty ListPluginsRequest: no compression flag, zero length.
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
      });
      expect(status).toBe(200);
      expect(grpcStatus).toBe("8");
    } finally {
      session.close();
    }
  });

  it("throttles calls without a valid token per client address", async () => {
    const call = () => outcomeOf(pluginsClient("connect-json", gw.url).listPlugins({ workspaceId: "x" }, bearer("not.a.token")));
    expect(codes([await call(), await call(), await call()])).toEqual([Code.Unauthenticated, Code.Unauthenticated, Code.ResourceExhausted]);
  });

  it("never limits health checks", async () => {
    for (let i = 0; i < 10; i++) {
      expect(
        (
          await fetch(`${gw.url}/grpc.health.v1.Health/Check`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: "{}",
          })
        ).status,
      ).toBe(200);
    }
  });
});

describe("rate limits shared through Redis", () => {
  let first: RunningGateway;
  let second: RunningGateway;
  beforeAll(async () => {
    const env = { REDIS_URL: redisUrl, RATE_LIMIT_MAX: "5", RATE_LIMIT_WINDOW: "1m" };
    first = await startGateway(env);
    second = await startGateway({ ...env, ORBIT_SVC_AUTH_SECRET: first.secret });
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it("lets exactly RATE_LIMIT_MAX calls of one workspace through across two instances", async () => {
    const workspaceId = `ws-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => listAs(i % 2 === 0 ? first : second, workspaceId, i % 3 === 0 ? "grpc" : "connect-json")),
    );
    expect(codes(results).filter((code) => code === "ok")).toHaveLength(5);
    expect(codes(results).filter((code) => code === Code.ResourceExhausted)).toHaveLength(7);
    expect(await listAs(second, `ws-${randomUUID()}`)).toBe("ok");
  });

  it("reports Redis in readiness", async () => {
    const response = await fetch(`${first.url}/readyz`);
    expect(await response.json()).toMatchObject({ status: "ready", dependencies: { redis: { ok: true } } });
  });
});

describe("when Redis is unreachable", () => {
  let redis: PrivateRedis;
  const gateways: RunningGateway[] = [];
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gw) => gw.close()));
    await redis.start().catch(() => undefined);
  });
  afterAll(async () => redis.stop());

  it("fails open by default: the call goes through, a warning is logged and counted", async () => {
    const gw = await startGateway({ REDIS_URL: redis.url, RATE_LIMIT_MAX: "1" });
    gateways.push(gw);
    expect(await listAs(gw, "ws-open")).toBe("ok");
    expect(((await listAs(gw, "ws-open")) as ConnectError).code).toBe(Code.ResourceExhausted);
    await redis.stop();
    for (let i = 0; i < 5; i++) expect(await listAs(gw, "ws-open")).toBe("ok");
    // Every call is counted; the log says it once, not once per call.
    expect(gw.logLines.filter((line) => line.includes("rate-limit store unreachable"))).toHaveLength(1);
    const metrics = await gw.gateway.metrics.registry.getSingleMetricAsString("plugins_rate_limit_store_errors_total");
    expect(metrics).toMatch(/policy="allow"} 5/);
    // Redis is reported, but with the fail-open policy the replica stays in rotation.
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "degraded", dependencies: { redis: { ok: false } } });
  });

  it("fails closed with UNAVAILABLE when RATE_LIMIT_FAIL_CLOSED=true, and recovers when Redis returns", async () => {
    const gw = await startGateway({ REDIS_URL: redis.url, RATE_LIMIT_FAIL_CLOSED: "true", RATE_LIMIT_MAX: "100" });
    gateways.push(gw);
    expect(await listAs(gw, "ws-closed")).toBe("ok");
    await redis.stop();
    expect(((await listAs(gw, "ws-closed")) as ConnectError).code).toBe(Code.Unavailable);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);
    await redis.start();
    const deadline = Date.now() + 10_000;
    let result = await listAs(gw, "ws-closed");
    while (result !== "ok" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // poll until the client has reconnected
      result = await listAs(gw, "ws-closed");
    }
    expect(result).toBe("ok");
  });
});
