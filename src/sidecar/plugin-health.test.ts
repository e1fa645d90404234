import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue } from "../catalogue/catalogue.js";
import { createPluginCounters } from "./plugin-counters.js";
import { createPluginHealth } from "./plugin-health.js";
import type { SidecarClient } from "./sidecar-client.js";
import { createTestSidecarClient } from "./test-support/test-sidecar-client.js";

// The per-workspace health probes are bounded: a real HTTP server stands in for the sidecar's
// health routes (in Backstage's error shape when down) and counts the probes each workspace gets, so forgetting one shows as a new probe.

const probesOf = new Map<string, number>();
const server = createServer((request, response) => {
  const workspace = String(request.headers["x-orbit-workspace-id"]);
  probesOf.set(workspace, (probesOf.get(workspace) ?? 0) + 1);
  response.writeHead(workspace === "ws-down" ? 503 : 200, { "content-type": "application/json" });
  response.end(
    workspace === "ws-down"
      ? '{"error":{"name":"ServiceUnavailableError","message":"failed to start"},"response":{"statusCode":503}}'
      : '{"status":"ok"}',
  );
});
let client: SidecarClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  client = await createTestSidecarClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { getRetries: 0 });
});

afterAll(async () => {
  await client.close();
  await new Promise((resolve) => server.close(resolve));
});

describe("plugin health probes", () => {
  const entry = loadCatalogue().get("sonarqube")!;
  const caller = (workspaceId: string) => ({ workspaceId, userId: "user-1" });

  it("keeps at most maxEntries (workspace, plugin) probes, forgetting the least recently asked for first", async () => {
    const health = createPluginHealth(client, createPluginCounters(), 60_000, 2_000, 3);
    for (const workspace of ["ws-1", "ws-2", "ws-3"]) expect((await health.statusOf(entry, caller(workspace))).healthy).toBe(true);
    expect(health.size).toBe(3);
    await health.statusOf(entry, caller("ws-1")); // ws-1 is now the most recently used: ws-2 is the oldest
    expect(probesOf.get("ws-1")).toBe(1); // answered from the kept probe

    const down = await health.statusOf(entry, caller("ws-down"));
    expect([down.healthy, down.statusMessage]).toEqual([false, "the sidecar answered HTTP 503 for /api/sonarqube/health: failed to start"]);
    expect(health.size).toBe(3);

    await health.statusOf(entry, caller("ws-1"));
    await health.statusOf(entry, caller("ws-3"));
    expect([probesOf.get("ws-1"), probesOf.get("ws-3")]).toEqual([1, 1]); // still kept
    await health.statusOf(entry, caller("ws-2"));
    expect(probesOf.get("ws-2")).toBe(2); // it had been forgotten: probed afresh
    expect(health.size).toBe(3);
  });
});
