import { connect, createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScratchPostgres } from "../src/store/test-support/test-databases.js";
import type { ScratchDatabase } from "../src/store/test-support/test-databases.js";
import { errorOf } from "./support/calls.js";
import { bearer, pluginsClient, startGateway } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";

// The real PostgreSQL behind a TCP relay the test can cut: a network outage without
// stopping the machine's shared server.

/** Relays 127.0.0.1:<port> to PostgreSQL; `cut` drops every connection and refuses new ones. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once("close", () => this.sockets.delete(socket));
        socket.on("error", () => undefined); // the other side sees the reset
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

let scratch: ScratchDatabase;
let relay: Relay;
let gw: RunningGateway;

beforeAll(async () => {
  scratch = await createScratchPostgres();
  const url = new URL(scratch.url);
  relay = new Relay({ host: url.hostname, port: Number(url.port || 5432) });
  await relay.open();
  url.host = `127.0.0.1:${relay.port}`;
  gw = await startGateway({ DATABASE_URL: url.toString() });
}, 60_000);

afterAll(async () => {
  await gw?.close();
  await relay?.cut().catch(() => undefined);
  await scratch?.drop();
});

describe("PostgreSQL unreachable", () => {
  it("answers UNAVAILABLE (retryable, with an actionable message), reports not ready, and recovers when it returns", async () => {
    const client = pluginsClient("connect-json", gw.url);
    const call = async () => client.listPlugins({ workspaceId: "ws-db" }, bearer(await gw.token({ workspaceId: "ws-db" })));
    expect((await call()).plugins.length).toBeGreaterThan(0);

    await relay.cut();
    const refused = await errorOf(call());
    expect(refused.code).toBe(Code.Unavailable);
    expect(refused.rawMessage).toMatch(/cannot reach its plugin state database/);
    expect(refused.rawMessage).not.toMatch(/postgres:\/\/|ECONNREFUSED|at .*\.ts/);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);

    await relay.open(); // same port: the pool reconnects on the next call
    expect((await call()).plugins.length).toBeGreaterThan(0);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
  });
});
