/**
 * `npm run drill`: a bounded fault drill. Mixed traffic across many workspaces runs
 * against a gateway on real PostgreSQL and real Redis while the sidecar, Redis and
 * PostgreSQL are each stopped and started again. All three are private instances on
 * free ports (the machine's shared PostgreSQL and Redis are never touched).
 * Prints a summary with GOAL MET / GOAL MISSED lines; exits non-zero only when the
 * harness itself fails.
 *
 * Options: --workspaces=20 --rate=100 --deadline-ms=3000 --baseline=15 --outage=10
 *          --observe=25 --cache-ttl-ms=1000
 *          --workers=1   (GATEWAY_WORKERS: 2 drills a cluster of gateway processes)
 */
import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { startPrivateRedis } from "../test/support/redis-server.js";
import { startSidecar } from "../test/support/sidecar.js";
import { redisHoldsKeys, runFault } from "./drill/faults.js";
import type { Dependency, FaultRecord } from "./drill/faults.js";
import { Ledger, WriteBook } from "./drill/ledger.js";
import { callsTable, faultLines, goalLines, longestTable } from "./drill/report.js";
import { startTraffic } from "./drill/traffic.js";
import type { DrillWorkspace } from "./drill/traffic.js";
import { verifyWrites } from "./drill/verify-writes.js";
import { startGatewayProcess } from "./lib/gateway-process.js";
import { describeMachine } from "./lib/machine.js";
import { numberOption } from "./lib/options.js";
import { enableDeployment, pluginsClient } from "./lib/plugins-client.js";
import { startPrivatePostgres } from "./lib/private-postgres.js";
import { Cleanup } from "./lib/cleanup.js";

const options = {
  workspaces: numberOption("workspaces", 20),
  rate: numberOption("rate", 100),
  deadlineMs: numberOption("deadline-ms", 3_000),
  baselineMs: numberOption("baseline", 15) * 1000,
  outageMs: numberOption("outage", 10) * 1000,
  observeMs: numberOption("observe", 25) * 1000,
  cacheTtlMs: numberOption("cache-ttl-ms", 1_000),
  workers: Math.max(1, Math.round(numberOption("workers", 1))),
};
/** A call counts as late when it ends this long after its deadline (scheduling noise on a busy machine). */
const LATE_GRACE_MS = 500;

const started = performance.now();
const clock = () => performance.now() - started;
const say = (line: string) => console.log(`[${(clock() / 1000).toFixed(1).padStart(6)} s] ${line}`);

console.log(["# fault drill", ...describeMachine()].join("\n"));
console.log(
  `traffic: ${options.rate} calls/s over ${options.workspaces} workspaces (35% ProxyPluginRequest, 25% GetPluginData, 20% ListPlugins, ` +
    `20% UpdatePluginConfig), deadline ${options.deadlineMs} ms; each dependency down ${options.outageMs / 1000} s, ` +
    `then watched ${options.observeMs / 1000} s; plugin cache TTL ${options.cacheTtlMs} ms; ` +
    `gateway processes (GATEWAY_WORKERS): ${options.workers}\n`,
);

const cleanup = new Cleanup();
const postgres = cleanup.add(await startPrivatePostgres(), "PostgreSQL", (pg) => pg.destroy());
const database = cleanup.add(`orbit_drill_${randomBytes(4).toString("hex")}`, "the drill database", (name) => postgres.dropDatabase(name));
const stack = await (async () => {
  try {
    await postgres.createDatabase(database);
    const redis = cleanup.add(await startPrivateRedis(), "Redis", (r) => r.stop());
    const sidecar = cleanup.add(await startSidecar(), "the sidecar", (s) => s.stop());
    const gateway = cleanup.add(
      await startGatewayProcess({
        BACKSTAGE_URL: sidecar.url,
        BACKSTAGE_SERVICE_TOKEN: sidecar.token,
        DATABASE_URL: postgres.url(database),
        REDIS_URL: redis.url,
        RATE_LIMIT_MAX: "1000000000",
        PLUGIN_CACHE_TTL: `${options.cacheTtlMs}ms`,
        GATEWAY_WORKERS: String(options.workers),
      }),
      "the gateway",
      (g) => g.stop(),
    );
    return { redis, sidecar, gateway };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
})();
const { redis, sidecar, gateway } = stack;
say(`stack up: PostgreSQL :${postgres.port} (database ${database}), Redis ${redis.url}, sidecar ${sidecar.url}, gateway ${gateway.url}`);

try {
  const client = pluginsClient(gateway.url);
  const workspaces: DrillWorkspace[] = [];
  for (let n = 1; n <= options.workspaces; n++) {
    const id = `drill-ws-${String(n).padStart(3, "0")}`;
    const ttlSeconds = 6 * 3600;
    const workspace = {
      id,
      userToken: await gateway.token({ userId: `user-${n}`, workspaceId: id, ttlSeconds }),
      adminToken: await gateway.token({ userId: `admin-${n}`, workspaceId: id, admin: true, ttlSeconds }),
    };
    await enableDeployment(client, workspace.adminToken, id, { github_api_url: "https://api.github.com", github_app_id: "0" });
    workspaces.push(workspace);
  }

  const ledger = new Ledger();
  const writes = new WriteBook();
  const traffic = startTraffic({ client, workspaces, rate: options.rate, deadlineMs: options.deadlineMs, clock }, ledger, writes);
  say("traffic started");
  await delay(options.baselineMs);

  const dependencies: Dependency[] = [
    { name: "sidecar", how: "SIGKILL", stop: () => sidecar.kill(), start: () => sidecar.start() },
    { name: "Redis", how: "SIGKILL", stop: () => redis.stop(), start: () => redis.start(), inUseAgain: () => redisHoldsKeys(redis.url) },
    { name: "PostgreSQL", how: "pg_ctl stop -m immediate", stop: () => postgres.stop(), start: () => postgres.start() },
  ];
  const faults: FaultRecord[] = [];
  for (const dependency of dependencies) faults.push(await runFault(dependency, options.outageMs, options.observeMs, clock, say));

  await traffic.stop();
  say(`traffic stopped after ${ledger.outcomes.length} calls`);
  const writeCheck = await verifyWrites(client, workspaces, writes);

  console.log(`\n## calls by result\n${callsTable(ledger)}`);
  const unexpected = ledger.unexpected();
  if (unexpected.length > 0) {
    console.log("\nresults an outage does not explain (first of each, with its message):");
    for (const outcome of unexpected) {
      console.log(`  [${(outcome.startedAt / 1000).toFixed(1)} s] ${outcome.kind} ${outcome.result}: ${outcome.message ?? "(no message)"}`);
    }
  }
  console.log(`\n## longest calls\n${longestTable(ledger, options.deadlineMs)}`);
  console.log(`\n## dependencies stopped and started\n${faultLines(ledger, faults).join("\n")}`);
  console.log(
    `\n## acknowledged writes\n${writeCheck.workspaces} workspaces, ${writeCheck.acknowledgedWrites} acknowledged UpdatePluginConfig writes; ` +
      `every workspace's github_app_id read back after the run: ${writeCheck.lost.length === 0 ? "none lost" : `${writeCheck.lost.length} LOST`}`,
  );
  console.log(`\n## goals\n${goalLines(ledger, faults, options.deadlineMs, writeCheck, LATE_GRACE_MS).join("\n")}`);
} catch (error) {
  console.error(`gateway output:\n${gateway.output()}`);
  throw error;
} finally {
  await cleanup.run();
}
