import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScratchPostgres } from "../src/store/test-support/test-databases.js";
import type { ScratchDatabase } from "../src/store/test-support/test-databases.js";
import { TcpRelay } from "../src/store/test-support/tcp-relay.js";
import { errorOf } from "./support/calls.js";
import { bearer, pluginsClient, startGateway } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";

// The real PostgreSQL behind a TCP relay the test can cut: a network outage without
// stopping the machine's shared server.

/** A gateway on its own scratch database, reached through a relay. */
function gatewayBehindRelay(env: Record<string, string>) {
  const state: { scratch?: ScratchDatabase; relay?: TcpRelay; gw?: RunningGateway } = {};
  beforeAll(async () => {
    state.scratch = await createScratchPostgres();
    const relayed = TcpRelay.forUrl(state.scratch.url);
    state.relay = relayed.relay;
    await state.relay.open();
    state.gw = await startGateway({ DATABASE_URL: relayed.relayedUrl(), ...env });
  }, 60_000);
  afterAll(async () => {
    await state.gw?.close();
    await state.relay?.cut().catch(() => undefined);
    await state.scratch?.drop();
  });
  return state as Required<typeof state>;
}

const readiness = async (gw: RunningGateway) => {
  const response = await fetch(`${gw.url}/readyz`);
  const body = (await response.json()) as { status: string; dependencies: { database: { ok: boolean } } };
  return { status: response.status, state: body.status, database: body.dependencies.database.ok };
};

describe("PostgreSQL unreachable, no grace period (PLUGIN_STATE_STALE_GRACE=0)", () => {
  const stack = gatewayBehindRelay({ PLUGIN_STATE_STALE_GRACE: "0" });

  it("answers UNAVAILABLE (retryable, with an actionable message), reports not ready, and recovers when it returns", async () => {
    const { gw, relay } = stack;
    const client = pluginsClient("connect-json", gw.url);
    const token = await gw.token({ workspaceId: "ws-db" });
    const list = () => client.listPlugins({ workspaceId: "ws-db" }, bearer(token));
    const getPlugin = () => client.getPlugin({ workspaceId: "ws-db", pluginId: "jira" }, bearer(token));
    expect((await list()).plugins.length).toBeGreaterThan(0);
    await getPlugin();

    await relay.cut();
    const refused = await errorOf(list());
    expect(refused.code).toBe(Code.Unavailable);
    expect(refused.rawMessage).toMatch(/cannot reach its plugin state database/);
    expect(refused.rawMessage).not.toMatch(/postgres:\/\/|ECONNREFUSED|at .*\.ts/);
    expect((await errorOf(getPlugin())).code).toBe(Code.Unavailable);
    expect(await readiness(gw)).toMatchObject({ status: 503, database: false });

    await relay.open(); // same port: the pool reconnects on the next call
    expect((await list()).plugins.length).toBeGreaterThan(0);
    expect((await readiness(gw)).status).toBe(200);
  });
});

describe("PostgreSQL unreachable, within the grace period (default PLUGIN_STATE_STALE_GRACE)", () => {
  const stack = gatewayBehindRelay({});

  it("keeps answering about plugins it read, fails the rest with UNAVAILABLE, stays in rotation, and sees changes after", async () => {
    const { gw, relay } = stack;
    const client = pluginsClient("connect-json", gw.url);
    const admin = await gw.token({ workspaceId: "ws-grace", admin: true });
    const enable = await client.enablePlugin(
      { workspaceId: "ws-grace", pluginId: "deployment", config: { github_api_url: "https://api.github.com" } },
      bearer(admin),
    );
    expect(enable.plugin?.enabled).toBe(true);
    const getPlugin = () => client.getPlugin({ workspaceId: "ws-grace", pluginId: "deployment" }, bearer(admin));
    expect((await getPlugin()).plugin?.enabled).toBe(true);

    await relay.cut();
    // Read before the outage: still answered, as last read.
    expect((await getPlugin()).plugin).toMatchObject({ enabled: true, configVersion: 1 });
    // Never read, listed, or written: nothing to fall back on.
    expect((await errorOf(client.getPlugin({ workspaceId: "ws-grace", pluginId: "jira" }, bearer(admin)))).code).toBe(Code.Unavailable);
    expect((await errorOf(client.listPlugins({ workspaceId: "ws-grace" }, bearer(admin)))).code).toBe(Code.Unavailable);
    expect((await errorOf(client.disablePlugin({ workspaceId: "ws-grace", pluginId: "deployment" }, bearer(admin)))).code).toBe(
      Code.Unavailable,
    );
    // The failed write dropped the cached entry: this answer can only come from the last read.
    expect((await getPlugin()).plugin).toMatchObject({ enabled: true, configVersion: 1 });
    expect(await readiness(gw)).toMatchObject({ status: 200, state: "degraded", database: false });

    await relay.open();
    await client.disablePlugin({ workspaceId: "ws-grace", pluginId: "deployment" }, bearer(admin));
    expect((await getPlugin()).plugin?.enabled ?? false).toBe(false);
    expect(await readiness(gw)).toMatchObject({ status: 200, state: "ready", database: true });
  });
});
