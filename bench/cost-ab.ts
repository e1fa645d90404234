/**
 * `npx tsx bench/cost-ab.ts`: a quick side-by-side of CPU per call, the gateway against
 * the connect-node floor, on one protocol and one cache mode — the figure behind the
 * cost-per-call goal of `npm run bench`, in a minute instead of six, for trying a change.
 * Same processes, flags, pinning and targets as bench/proxy-overhead.ts; the phases of the
 * two proxies are interleaved. Prints figures; never fails on them.
 *
 * Options: --protocol=connect-json|grpc-h2c  --cached=no|yes  --rate=200 --seconds=5 --saturate-seconds=3
 *          --concurrency=32 --rounds=4  --gateway-node-args="--max-semi-space-size=2 --max-old-space-size=96"
 *          --cpu-prof-dir=DIR  (also write both processes' --cpu-prof profiles there, kept)
 *          --gc-log=FILE  (run the gateway with --trace-gc, its output appended to FILE, and summarise it)
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { startSidecar } from "../test/support/sidecar.js";
import { Cleanup } from "./lib/cleanup.js";
import { planCpus } from "./lib/cpu.js";
import { treeCpuMillis } from "./lib/cpu-time.js";
import { compiledRuntime, withNodeArgs } from "./lib/gateway-runtime.js";
import { startLoadGenerator } from "./lib/load/load-generator.js";
import type { Phase, TargetSpec } from "./lib/load/job.js";
import { choiceOption, numberOption, textOption } from "./lib/options.js";
import { startPrivatePostgres } from "./lib/private-postgres.js";
import { startBenchGateway } from "./overhead/bench-gateway.js";
import { compileFloor, startFloorProcess } from "./overhead/floor-process.js";
import { gatewayTarget } from "./overhead/targets.js";

const protocol = choiceOption("protocol", ["connect-json", "grpc-h2c"] as const, "connect-json");
const cached = choiceOption("cached", ["no", "yes"] as const, "no") === "yes";
const rate = numberOption("rate", 200);
const seconds = numberOption("seconds", 5);
const saturateSeconds = numberOption("saturate-seconds", 3);
const concurrency = numberOption("concurrency", 32);
const rounds = Math.max(1, Math.round(numberOption("rounds", 4)));
const nodeArgs = textOption("gateway-node-args", "--max-semi-space-size=2 --max-old-space-size=96").split(/\s+/).filter(Boolean);
const profileDir = textOption("cpu-prof-dir", "");
const profileArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
const gcLog = textOption("gc-log", "");

const cpus = planCpus();
const cleanup = new Cleanup();
try {
  const compiled = cleanup.add(await compiledRuntime(), "the compiled gateway", (r) => r.dispose());
  const compiledFloor = cleanup.add(await compileFloor(), "the compiled floor proxy", (f) => f.dispose());
  const postgres = cleanup.add(await startPrivatePostgres(), "PostgreSQL", (pg) => pg.destroy());
  const database = `orbit_ab_${randomBytes(4).toString("hex")}`;
  await postgres.createDatabase(database);
  const sidecar = cleanup.add(await startSidecar(), "the sidecar", (s) => s.stop());
  const floor = cleanup.add(
    await startFloorProcess({
      floor: compiledFloor,
      upstreamUrl: sidecar.url,
      serviceToken: sidecar.token,
      nodeArgs: [...nodeArgs, ...profileArgs],
      wrap: (argv) => cpus.proxyCommand(argv),
    }),
    "the floor proxy",
    (f) => f.stop(),
  );
  const gateway = cleanup.add(
    await startBenchGateway({
      sidecar,
      cached,
      runtime: withNodeArgs(compiled, [...nodeArgs, ...profileArgs, ...(gcLog ? ["--trace-gc"] : [])]),
      wrap: (argv) => {
        const pinned = cpus.proxyCommand(argv);
        // --trace-gc writes to stdout: into the log file, the gateway's own stderr stays with the harness.
        return gcLog
          ? { command: "sh", args: ["-c", `exec "$@" >>'${gcLog.replaceAll("'", "")}'`, "sh", pinned.command, ...pinned.args] }
          : pinned;
      },
      databaseUrl: postgres.url(database),
    }),
    "the gateway",
    (g) => g.process.stop(),
  );
  const load = cleanup.add(startLoadGenerator(), "the load generator", (l) => l.close());
  const paths: { label: string; target: TargetSpec; pid: number; cpuMs: Record<string, number>; calls: Record<string, number> }[] = [
    {
      label: "floor",
      target: gatewayTarget(protocol, protocol === "connect-json" ? floor.http1Url : floor.h2cUrl, "unused", false),
      pid: floor.pid,
      cpuMs: {},
      calls: {},
    },
    {
      label: `gateway ${cached ? "cached" : "uncached"}`,
      target: gatewayTarget(protocol, gateway.process.url, gateway.userToken, cached),
      pid: gateway.process.pid,
      cpuMs: {},
      calls: {},
    },
  ];
  for (const path of paths) await load.run(path.target, { kind: "rate", rate, seconds: 3 });
  const phases: Record<string, Phase> = {
    rate: { kind: "rate", rate, seconds },
    saturate: { kind: "saturate", concurrency, seconds: saturateSeconds },
  };
  for (let round = 0; round < rounds; round++) {
    for (const [name, phase] of Object.entries(phases)) {
      for (const path of round % 2 === 0 ? paths : [...paths].reverse()) {
        const before = treeCpuMillis(path.pid) ?? 0;
        const result = await load.run(path.target, phase);
        const after = treeCpuMillis(path.pid) ?? 0;
        if (Object.keys(result.errors).length > 0) console.log(`${path.label} ${name}: errors ${JSON.stringify(result.errors)}`);
        path.cpuMs[name] = (path.cpuMs[name] ?? 0) + (after - before);
        path.calls[name] = (path.calls[name] ?? 0) + result.ok;
      }
    }
  }
  const [floorPath, gatewayPath] = paths as [(typeof paths)[0], (typeof paths)[0]];
  const callsOf = (path: (typeof paths)[0], name?: string) =>
    (name ? [name] : Object.keys(phases)).reduce((sum, n) => sum + (path.calls[n] ?? 0), 0);
  const perCall = (path: (typeof paths)[0], name?: string) => {
    const cpu = (name ? [name] : Object.keys(phases)).reduce((sum, n) => sum + (path.cpuMs[n] ?? 0), 0);
    return cpu / Math.max(1, callsOf(path, name));
  };
  console.log(
    `# ${protocol} ${cached ? "cached" : "uncached"}: CPU ms per call, ${rounds} rounds; load average ${loadavg()[0]?.toFixed(2)}`,
  );
  for (const name of [...Object.keys(phases), undefined]) {
    const f = perCall(floorPath, name);
    const g = perCall(gatewayPath, name);
    console.log(
      `${(name ?? "both").padEnd(9)} calls ${callsOf(floorPath, name)}/${callsOf(gatewayPath, name)}  floor ${f.toFixed(3)}  gateway ${g.toFixed(3)}  ratio ${(g / f).toFixed(2)}x`,
    );
  }
} finally {
  await cleanup.run();
}
if (gcLog) console.log(summariseGcLog(readFileSync(gcLog, "utf8")));

/** Pauses by kind in a --trace-gc log: "…: Scavenge 10.1 (12.3) -> 9.8 (13.3) MB, 0.52 / 0.00 ms …". */
function summariseGcLog(log: string): string {
  const kinds = new Map<string, { count: number; ms: number; pauses: number[] }>();
  for (const match of log.matchAll(/ms: ([A-Za-z-]+(?: \(reduce\))?)[^,]*, ([\d.]+) \/ [\d.]+ ms/g)) {
    const kind = kinds.get(match[1] as string) ?? { count: 0, ms: 0, pauses: [] };
    kind.count++;
    kind.ms += Number(match[2]);
    kind.pauses.push(Number(match[2]));
    kinds.set(match[1] as string, kind);
  }
  return [...kinds]
    .map(([name, k]) => {
      const sorted = [...k.pauses].sort((a, b) => a - b);
      return `gateway GC ${name}: ${k.count} pauses, ${k.ms.toFixed(0)} ms in all, max ${sorted.at(-1)?.toFixed(1)} ms, p99 ${sorted[Math.floor(sorted.length * 0.99)]?.toFixed(1)} ms`;
    })
    .join("\n");
}
