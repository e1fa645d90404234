/**
 * `npm run bench` (first part): what one call costs the gateway, against the least any
 * Node.js Connect proxy can spend (a minimal @connectrpc/connect-node pass-through,
 * bench/overhead/floor-proxy.ts, same protocols, same sidecar route) and against nginx,
 * plus latency, throughput and memory, on this machine, in one run. Prints figures;
 * never fails on them (only on a broken harness).
 *
 * Options: --rate=200 --seconds=15 --warmup=5 --concurrency=32 --saturate-seconds=9 --rounds=3
 *          (seconds per path, split into rounds taken in turn with the other paths)
 *          --store=postgres|pglite   (the gateway's plugin-state store; default: a private PostgreSQL)
 *          --runtime=compiled|tsx    (default: src/ compiled as in the Dockerfile)
 *          --gateway-node-args="--max-semi-space-size=2 --max-old-space-size=96"
 *                                    (node flags of the gateway and floor processes; default: the README's
 *                                     documented heap flags; "" for Node's defaults)
 *          --workers=0               (also measure a gateway of that many processes, GATEWAY_WORKERS, on every core
 *                                     with a private Redis; needs --store=postgres)
 *          --quiet-load=1.5 --quiet-wait=180 (wait up to that many seconds for a 1-min load average below that)
 *          BENCH_PIN=0 in the environment turns CPU pinning off.
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { startSidecar } from "../test/support/sidecar.js";
import { startPrivateRedis } from "../test/support/redis-server.js";
import { Cleanup } from "./lib/cleanup.js";
import { planCpus } from "./lib/cpu.js";
import { compiledRuntime, tsxRuntime, withNodeArgs } from "./lib/gateway-runtime.js";
import { startLoadGenerator } from "./lib/load/load-generator.js";
import { describeMachine } from "./lib/machine.js";
import { waitForQuietMachine } from "./lib/quiet.js";
import { startNginx } from "./lib/nginx.js";
import { choiceOption, numberOption, textOption } from "./lib/options.js";
import { startBenchGateway } from "./overhead/bench-gateway.js";
import { compileFloor, startFloorProcess } from "./overhead/floor-process.js";
import { startPrivatePostgres } from "./lib/private-postgres.js";
import { measureInterleaved } from "./overhead/measure.js";
import type { BenchPath, PathResult, RunShape } from "./overhead/measure.js";
import { goalLines, pacingLine, resultsTable } from "./overhead/report.js";
import { ROUTE, directTarget, gatewayTarget, sidecarIdentity } from "./overhead/targets.js";
import type { GatewayProtocol } from "./overhead/targets.js";

const shape: RunShape = {
  rate: numberOption("rate", 200),
  rateSeconds: numberOption("seconds", 15),
  warmupSeconds: numberOption("warmup", 5),
  concurrency: numberOption("concurrency", 32),
  saturateSeconds: numberOption("saturate-seconds", 9),
  rounds: Math.max(1, Math.round(numberOption("rounds", 3))),
};
const storeKind = choiceOption("store", ["postgres", "pglite"] as const, "postgres");
const runtimeKind = choiceOption("runtime", ["compiled", "tsx"] as const, "compiled");
/** The README's heap flags for a gateway process (Operations, "Memory"). */
const DOCUMENTED_HEAP_FLAGS = "--max-semi-space-size=2 --max-old-space-size=96";
const gatewayNodeArgs = textOption("gateway-node-args", DOCUMENTED_HEAP_FLAGS).split(/\s+/).filter(Boolean);
const clusterWorkers = Math.round(numberOption("workers", 0));

const quiet = await waitForQuietMachine(numberOption("quiet-load", 1.5), numberOption("quiet-wait", 180) * 1000);
const machine = describeMachine(); // before pinning, which would hide cores from it
const cpus = planCpus();
const cleanup = new Cleanup();
try {
  const baseRuntime = cleanup.add(runtimeKind === "compiled" ? await compiledRuntime() : tsxRuntime, "the compiled gateway", (r) =>
    r.dispose(),
  );
  const runtime = withNodeArgs(baseRuntime, gatewayNodeArgs);
  const compiledFloor = cleanup.add(await compileFloor(), "the compiled floor proxy", (f) => f.dispose());
  const store = await gatewayStore(cleanup);
  console.log(
    [
      "# proxy overhead",
      ...machine,
      quiet,
      `cpus: ${cpus.description}`,
      `gateway: ${runtime.description}; floor: bench/overhead/floor-proxy.ts compiled with tsc, same node flags; store: ${store.description}; rate limit raised to 1e9/min (in memory); LOG_LEVEL=warn (no access log; nginx: access_log off)`,
      `route: GET ${ROUTE.basePath}${ROUTE.endpoint} of the real sidecar; ${shape.rate} req/s for ${shape.rateSeconds} s after ${shape.warmupSeconds} s warm-up; ` +
        `saturation: ${shape.concurrency} in flight for ${shape.saturateSeconds} s; each path's time in ${shape.rounds} slices, interleaved with the other paths`,
      "",
    ].join("\n"),
  );

  const sidecar = cleanup.add(await startSidecar(), "the sidecar", (s) => s.stop());
  const identity = sidecarIdentity(sidecar.token);
  const nginx = cleanup.add(
    await startNginx({ upstreamUrl: sidecar.url, headers: identity, wrap: (argv) => cpus.proxyCommand(argv) }),
    "nginx",
    (n) => n.stop(),
  );
  const paths: BenchPath[] = [
    { label: "direct (sidecar)", target: directTarget(sidecar.url, identity) },
    { label: `nginx ${nginx.version}`, target: directTarget(nginx.url, {}), proxyPid: nginx.pid },
  ];
  // The floor forwards every call (it has no cache): its uncached targets are its only ones.
  const floor = cleanup.add(
    await startFloorProcess({
      floor: compiledFloor,
      upstreamUrl: sidecar.url,
      serviceToken: sidecar.token,
      nodeArgs: gatewayNodeArgs,
      wrap: (argv) => cpus.proxyCommand(argv),
    }),
    "the floor proxy",
    (f) => f.stop(),
  );
  paths.push(
    {
      label: "floor connect-node Connect JSON h1",
      target: gatewayTarget("connect-json", floor.http1Url, "unused", false),
      proxyPid: floor.pid,
    },
    { label: "floor connect-node gRPC h2c", target: gatewayTarget("grpc-h2c", floor.h2cUrl, "unused", false), proxyPid: floor.pid },
  );
  // One gateway process per cache mode, so each mode's RSS is its own.
  for (const cached of [false, true]) {
    const gateway = cleanup.add(
      await startBenchGateway({
        sidecar,
        cached,
        runtime,
        wrap: (argv) => cpus.proxyCommand(argv),
        databaseUrl: await store.freshDatabase(),
      }),
      "a gateway",
      (g) => g.process.stop(),
    );
    for (const protocol of ["connect-json", "grpc-h2c"] as GatewayProtocol[]) {
      paths.push({
        label: `gateway ${protocol === "connect-json" ? "Connect JSON h1" : "gRPC h2c"} ${cached ? "cached" : "uncached"}`,
        target: gatewayTarget(protocol, gateway.process.url, gateway.userToken, cached),
        proxyPid: gateway.process.pid,
      });
    }
  }
  if (clusterWorkers > 1 && storeKind === "postgres") {
    // Several processes share budgets and caches through Redis, as GATEWAY_WORKERS requires.
    const redis = cleanup.add(await startPrivateRedis(), "Redis", (r) => r.stop());
    for (const cached of [false, true]) {
      const gateway = cleanup.add(
        await startBenchGateway({
          sidecar,
          cached,
          runtime,
          wrap: (argv) => cpus.everyCoreCommand(argv),
          databaseUrl: await store.freshDatabase(),
          env: { GATEWAY_WORKERS: String(clusterWorkers), REDIS_URL: redis.url },
        }),
        "a gateway cluster",
        (g) => g.process.stop(),
      );
      paths.push({
        label: `gateway x${clusterWorkers} Connect JSON h1 ${cached ? "cached" : "uncached"}`,
        target: gatewayTarget("connect-json", gateway.process.url, gateway.userToken, cached),
        proxyPid: gateway.process.pid,
      });
    }
  } else if (clusterWorkers > 1) {
    console.log("gateway cluster paths left out: GATEWAY_WORKERS needs PostgreSQL (--store=postgres)");
  }
  const load = cleanup.add(startLoadGenerator(), "the load generator", (l) => l.close());
  const results = await measureInterleaved(
    load,
    paths,
    shape,
    () => sidecar.requestCount(),
    (line) => console.log(line),
  );
  const [direct, viaNginx] = results as [PathResult, PathResult, ...PathResult[]];

  console.log(`\n${resultsTable(results, direct, shape.rate)}\n`);
  console.log(pacingLine(results));
  console.log(`load average after the run: ${loadavg()[0]?.toFixed(2)} (1 min)`);
  console.log(
    "+p50/+p99: added over the direct row; sidecar/call: sidecar requests per answered call; " +
      "proxy CPU ms/call: user+system CPU time of the nginx or gateway process per answered call; " +
      "proxy RSS: its VmRSS, summed over its processes (idle before its first load / peak at the fixed rate / peak at saturation); " +
      "PSS sat: peak proportional set size at saturation (pages shared between processes counted once); " +
      "load: mean 1-min load average at the end of the path's slices (this run's own processes included)\n",
  );
  console.log(goalLines(results, viaNginx, shape.rate).join("\n"));
} finally {
  await cleanup.run();
}

/** Where the gateway keeps plugin state: a private PostgreSQL (a fresh database per gateway), or embedded PGlite in memory. */
async function gatewayStore(cleanup: Cleanup): Promise<{ description: string; freshDatabase(): Promise<string | undefined> }> {
  if (storeKind === "pglite")
    return { description: "embedded PGlite in memory (ORBIT_DATA_DIR=memory://)", freshDatabase: async () => undefined };
  const postgres = cleanup.add(await startPrivatePostgres(), "PostgreSQL", (pg) => pg.destroy());
  return {
    description: `a private PostgreSQL on 127.0.0.1:${postgres.port}`,
    async freshDatabase() {
      const name = `orbit_bench_${randomBytes(4).toString("hex")}`;
      await postgres.createDatabase(name);
      return postgres.url(name);
    },
  };
}
