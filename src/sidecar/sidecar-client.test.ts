import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SidecarClient, SidecarRequest } from "./sidecar-client.js";
import { createTestSidecarClient } from "./test-support/test-sidecar-client.js";

/**
 * A Backstage sidecar while it starts can hardly be held in that state, so this HTTP
 * server answers as the real one was observed to (test/support/sidecar.ts starts, probed
 * during start-up): readiness 503 {"message":"Backend has not started yet"} and a bare
 * 404 for every plugin route until it has started; afterwards readiness 200, its routes,
 * and the same bare 404 for a path no route serves.
 */
function startingBackstage() {
  let started = false;
  const server = createServer((request, response) => {
    if (request.url === "/.backstage/health/v1/readiness") {
      if (started) response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
      else
        response.writeHead(503, { "content-type": "application/json" }).end('{"message":"Backend has not started yet","status":"error"}');
      return;
    }
    if (started && request.url === "/api/deployment/whoami") {
      response.writeHead(200, { "content-type": "application/json" }).end('{"workspaceId":"ws-a"}');
      return;
    }
    response.writeHead(404).end();
  });
  return {
    server,
    finishStarting: () => {
      started = true;
    },
  };
}

describe("sidecar client against a starting sidecar", () => {
  const backstage = startingBackstage();
  let client: SidecarClient;
  beforeAll(async () => {
    await new Promise<void>((resolve) => backstage.server.listen(0, "127.0.0.1", resolve));
    const { port } = backstage.server.address() as AddressInfo;
    client = await createTestSidecarClient(`http://127.0.0.1:${port}`, { getRetries: 1 });
  });
  afterAll(async () => {
    await client.close();
    await new Promise((resolve) => backstage.server.close(resolve));
  });

  const get = (path: string): SidecarRequest => ({
    pluginId: "deployment",
    method: "GET",
    path,
    caller: { workspaceId: "ws-a", userId: "user-1" },
    signal: new AbortController().signal,
  });

  it("turns the bare 404 of a sidecar that has not mounted its plugins yet into a retryable UNAVAILABLE", async () => {
    const failure = await client.request(get("/api/deployment/whoami")).then(
      () => undefined,
      (error: unknown) => ConnectError.from(error),
    );
    expect(failure?.code).toBe(Code.Unavailable);
    expect(failure?.rawMessage).toMatch(/still starting/);
  });

  it("passes a started sidecar's 404 through, so the caller gets NOT_FOUND for a path nobody serves", async () => {
    backstage.finishStarting();
    expect((await client.request(get("/api/deployment/whoami"))).status).toBe(200);
    expect((await client.request(get("/api/deployment/no-such-route"))).status).toBe(404);
  });
});
