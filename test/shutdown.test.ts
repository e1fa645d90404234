import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { mintServiceToken } from "../src/auth/dev-token.js";
import { bearer, pluginsClient } from "./support/gateway.js";
import type { TransportKind } from "./support/gateway.js";
import { freePort } from "./support/redis-server.js";
import { gatewayListening } from "./support/calls.js";

const kill: (() => void)[] = [];
afterAll(() => kill.forEach((stop) => stop()));

const refusesConnections = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });

describe("graceful shutdown", () => {
  it("on SIGTERM under load: readiness flips first, no unary call fails, exit 0 within the drain deadline", async () => {
    const port = await freePort();
    const secret = randomBytes(32).toString("base64");
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        ORBIT_SVC_AUTH_SECRET: secret,
        ORBIT_DATA_DIR: "memory://",
        RATE_LIMIT_MAX: "1000000",
        SHUTDOWN_DELAY: "1s",
        SHUTDOWN_DRAIN_TIMEOUT: "5s",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    kill.push(() => child.exitCode === null && child.kill("SIGKILL"));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await gatewayListening(child);

    const token = await mintServiceToken(secret, { userId: "load", workspaceId: "ws-load" });
    const results = { ok: 0, failed: [] as string[] };
    let removedFromRotation = false;
    let readinessFlippedAt = 0;

    // Like a load balancer: stops routing new calls once readiness fails.
    const readinessWatcher = (async () => {
      while (!removedFromRotation) {
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        if (response?.status === 503) {
          readinessFlippedAt = performance.now();
          removedFromRotation = true;
        }
      }
    })();
    const load = (kind: TransportKind) =>
      (async () => {
        const client = pluginsClient(kind, url);
        while (!removedFromRotation) {
          try {
            await client.listPlugins({ workspaceId: "ws-load" }, bearer(token));
            results.ok += 1;
          } catch (error) {
            results.failed.push(String(error));
          }
        }
      })();
    const loops = [load("connect-json"), load("connect-json"), load("grpc"), load("grpc"), load("grpc-web")];

    while (results.ok < 200) await new Promise((resolve) => setImmediate(resolve));
    const signalledAt = performance.now();
    child.kill("SIGTERM");
    await Promise.all([...loops, readinessWatcher]);

    let listenerClosedAt = 0;
    while (!listenerClosedAt) {
      if (await refusesConnections(port)) listenerClosedAt = performance.now();
    }
    const code = await exited;
    const exitedAfterMs = performance.now() - signalledAt;

    expect(results.failed).toEqual([]);
    expect(results.ok).toBeGreaterThanOrEqual(200);
    expect(readinessFlippedAt).toBeGreaterThan(signalledAt);
    expect(readinessFlippedAt).toBeLessThan(listenerClosedAt);
    expect(code).toBe(0);
    expect(exitedAfterMs).toBeLessThan(1_000 + 5_000 + 2_000);
  }, 60_000);
});
