import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintServiceToken } from "../src/auth/dev-token.js";
import { createScratchPostgres } from "../src/store/test-support/test-databases.js";
import type { ScratchDatabase } from "../src/store/test-support/test-databases.js";
import { trackProcessGroups, waitForOutput } from "./support/child-processes.js";
import { freePort, startPrivateRedis } from "./support/redis-server.js";
import type { PrivateRedis } from "./support/redis-server.js";

const groups = trackProcessGroups();
const WORKERS = 2;

/** A gateway started as `node src/main.ts` with GATEWAY_WORKERS, its own process group. */
function startCluster(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { ...process.env, HOST: "127.0.0.1", NODE_ENV: "production", LOG_LEVEL: "info", GATEWAY_WORKERS: String(WORKERS), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  groups.add(child);
  return child;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** The worker processes: the primary's children running the gateway (tsx adds a child of its own). */
function workerPids(primary: ChildProcess): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(primary.pid), "-f", "src/main.ts"], { encoding: "utf8" })
      .trim()
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * One HTTP/1.1 request on a connection of its own: the cluster hands connections to
 * its workers in turn, so consecutive calls reach every worker.
 */
function onNewConnection(url: string, path: string, options: { body?: unknown; token?: string; timeoutMs?: number } = {}) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const call = request(
      `${url}${path}`,
      {
        method: payload === undefined ? "GET" : "POST",
        agent: false,
        headers: {
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    call.on("error", reject);
    call.setTimeout(options.timeoutMs ?? 10_000, () => call.destroy(new Error("no answer in time")));
    call.end(payload);
  });
}

const rpc = (name: string) => `/idp.plugins.v1.PluginsService/${name}`;

describe("GATEWAY_WORKERS: one gateway, several processes", () => {
  let database: ScratchDatabase;
  let redis: PrivateRedis;
  let primary: ChildProcess;
  let url: string;
  const secret = randomBytes(32).toString("base64");
  beforeAll(async () => {
    [database, redis] = await Promise.all([createScratchPostgres(), startPrivateRedis()]);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    primary = startCluster({
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      ORBIT_SVC_AUTH_SECRET: secret,
      RATE_LIMIT_MAX: "1000000",
      RATE_LIMIT_OVERRIDES: "ws-cluster-budget=12",
      SHUTDOWN_DELAY: "0s",
    });
    await waitForOutput(primary, /gateway cluster listening/);
  }, 60_000);
  afterAll(async () => {
    if (primary.exitCode === null) primary.kill("SIGKILL");
    await redis?.stop();
    await database?.drop();
  });

  it("runs the configured number of worker processes", () => {
    expect(workerPids(primary)).toHaveLength(WORKERS);
  });

  it("applies a configuration change made through one worker to every worker at once", async () => {
    const admin = await mintServiceToken(secret, { userId: "admin", workspaceId: "ws-cluster-config", admin: true });
    const read = async () => {
      const answers = await Promise.all(
        Array.from({ length: 2 * WORKERS }, () =>
          onNewConnection(url, rpc("GetPlugin"), { body: { workspaceId: "ws-cluster-config", pluginId: "deployment" }, token: admin }),
        ),
      );
      return answers.map((answer) => {
        expect(answer.status, answer.text).toBe(200);
        return (JSON.parse(answer.text) as { plugin: { enabled?: boolean } }).plugin.enabled ?? false;
      });
    };
    expect(await read()).toEqual([false, false, false, false]);
    const enable = await onNewConnection(url, rpc("EnablePlugin"), {
      body: { workspaceId: "ws-cluster-config", pluginId: "deployment", config: { github_api_url: "https://api.github.com" } },
      token: admin,
    });
    expect(enable.status, enable.text).toBe(200);
    expect(await read()).toEqual([true, true, true, true]);
    const disable = await onNewConnection(url, rpc("DisablePlugin"), {
      body: { workspaceId: "ws-cluster-config", pluginId: "deployment" },
      token: admin,
    });
    expect(disable.status).toBe(200);
    expect(await read()).toEqual([false, false, false, false]);
  });

  it("shares one rate-limit budget per workspace across the workers", async () => {
    const token = await mintServiceToken(secret, { userId: "user", workspaceId: "ws-cluster-budget" });
    const statuses: number[] = [];
    for (let i = 0; i < 18; i++) {
      statuses.push((await onNewConnection(url, rpc("ListPlugins"), { body: { workspaceId: "ws-cluster-budget" }, token })).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(12);
    expect(statuses.filter((status) => status === 429)).toHaveLength(6);
  });

  it("shows the whole cluster's metrics on /metrics, whichever worker answers", async () => {
    const token = await mintServiceToken(secret, { userId: "user", workspaceId: "ws-cluster-metrics" });
    const procedure = rpc("GetPluginSchema");
    for (let i = 0; i < 5; i++) {
      const answer = await onNewConnection(url, procedure, { body: { pluginId: "jira" }, token });
      expect(answer.status).toBe(200);
    }
    const counted = async () => {
      const page = (await onNewConnection(url, "/metrics")).text;
      const families = parsePrometheusTextFormat(page) as {
        name: string;
        metrics: { labels?: Record<string, string>; value?: string }[];
      }[];
      const requests = families.find((family) => family.name === "plugins_grpc_requests_total");
      return requests?.metrics
        .filter((metric) => metric.labels?.procedure === procedure && metric.labels.code === "ok")
        .reduce((sum, metric) => sum + Number(metric.value), 0);
    };
    // Two pages on two connections come from two workers; each must count all five calls.
    expect([await counted(), await counted()]).toEqual([5, 5]);
  });

  it("replaces a worker that dies and keeps answering meanwhile", async () => {
    const before = workerPids(primary);
    const victim = before[0] as number;
    const replacementListening = waitForOutput(primary, /"worker":3,[^\n]*"msg":"gateway listening/);
    process.kill(victim, "SIGKILL");
    const token = await mintServiceToken(secret, { userId: "user", workspaceId: "ws-cluster-crash" });
    let replaced = false;
    void replacementListening.then(() => (replaced = true));
    // A connection handed to the worker at the moment it died is lost with it (the client
    // sees a reset or no answer); the other worker answers everything else.
    const statuses: (number | "lost")[] = [];
    while (!replaced) {
      const answer = await onNewConnection(url, rpc("GetPluginSchema"), { body: { pluginId: "jira" }, token, timeoutMs: 2_000 }).catch(
        () => undefined,
      );
      statuses.push(answer?.status ?? "lost");
    }
    expect(statuses.filter((status) => status === "lost").length).toBeLessThanOrEqual(1);
    expect(statuses.filter((status) => status !== 200 && status !== "lost")).toEqual([]);
    for (let i = 0; i < 2 * WORKERS; i++) {
      expect((await onNewConnection(url, rpc("GetPluginSchema"), { body: { pluginId: "jira" }, token })).status).toBe(200);
    }
    const after = workerPids(primary);
    expect(after).toHaveLength(WORKERS);
    expect(after).not.toContain(victim);
  }, 30_000);

  it("stops every worker gracefully on SIGTERM and exits 0", async () => {
    const workers = workerPids(primary);
    primary.kill("SIGTERM");
    expect(await exitOf(primary)).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe("GATEWAY_WORKERS start-up checks", () => {
  it("refuses to start several workers without a shared database and Redis, naming what is missing", async () => {
    const child = startCluster({ PORT: String(await freePort()), ORBIT_SVC_AUTH_SECRET: randomBytes(32).toString("base64") });
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    expect(await exitOf(child)).toBe(1);
    expect(output).toMatch(/DATABASE_URL: required when GATEWAY_WORKERS > 1/);
    expect(output).toMatch(/REDIS_URL: required when GATEWAY_WORKERS > 1/);
  });

  it("exits 1 instead of restarting workers forever when they cannot start", async () => {
    const closedPort = await freePort();
    const child = startCluster({
      PORT: String(await freePort()),
      ORBIT_SVC_AUTH_SECRET: randomBytes(32).toString("base64"),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/nothing`,
      REDIS_URL: `redis://127.0.0.1:${closedPort}`,
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    expect(await exitOf(child)).toBe(1);
    expect(output).toMatch(/cannot connect to PostgreSQL/);
    expect(output).toMatch(/a worker failed to start/);
  }, 60_000);
});
