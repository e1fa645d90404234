/**
 * `npm run bench:profile`: where the gateway's CPU goes on one path at saturation.
 * Runs the compiled gateway with `--cpu-prof` under the benchmark's closed-loop load,
 * then prints self time by module and the hottest functions. A diagnostic for the
 * figures of `npm run bench`; it never fails on them.
 *
 * Options: --protocol=connect-json|grpc-h2c  --cached=yes|no  --seconds=10 --concurrency=32
 *          --store=postgres|pglite  --top=25
 *          --gateway-env="GATEWAY_WORKERS=1 LOG_LEVEL=warn"  (extra gateway settings)
 *          --gateway-node-args="--max-semi-space-size=4"     (extra node flags for the gateway)
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSidecar } from "../test/support/sidecar.js";
import { Cleanup } from "./lib/cleanup.js";
import { compiledRuntime, withNodeArgs } from "./lib/gateway-runtime.js";
import { startLoadGenerator } from "./lib/load/load-generator.js";
import { choiceOption, numberOption, textOption } from "./lib/options.js";
import { startPrivatePostgres } from "./lib/private-postgres.js";
import { summariseProfile } from "./lib/cpu-profile.js";
import type { CpuProfile } from "./lib/cpu-profile.js";
import { sampleRss } from "./lib/rss.js";
import { startBenchGateway } from "./overhead/bench-gateway.js";
import { gatewayTarget } from "./overhead/targets.js";

const protocol = choiceOption("protocol", ["connect-json", "grpc-h2c"] as const, "connect-json");
const cached = choiceOption("cached", ["yes", "no"] as const, "yes") === "yes";
const seconds = numberOption("seconds", 10);
const concurrency = numberOption("concurrency", 32);
const storeKind = choiceOption("store", ["postgres", "pglite"] as const, "postgres");
const top = numberOption("top", 25);
const gatewayNodeArgs = textOption("gateway-node-args", "").split(/\s+/).filter(Boolean);
const gatewayEnv = Object.fromEntries(
  textOption("gateway-env", "")
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
);

const cleanup = new Cleanup();
try {
  const profileDir = cleanup.add(await mkdtemp(join(tmpdir(), "orbit-bench-profile-")), "the profile dir", (dir) =>
    rm(dir, { recursive: true, force: true }),
  );
  const compiled = cleanup.add(await compiledRuntime(), "the compiled gateway", (r) => r.dispose());
  const runtime = withNodeArgs(compiled, [...gatewayNodeArgs, "--cpu-prof", `--cpu-prof-dir=${profileDir}`]);
  const databaseUrl =
    storeKind === "postgres"
      ? await (async () => {
          const postgres = cleanup.add(await startPrivatePostgres(), "PostgreSQL", (pg) => pg.destroy());
          await postgres.createDatabase("orbit_profile");
          return postgres.url("orbit_profile");
        })()
      : undefined;
  const sidecar = cleanup.add(await startSidecar(), "the sidecar", (s) => s.stop());
  const gateway = cleanup.add(await startBenchGateway({ sidecar, cached, runtime, databaseUrl, env: gatewayEnv }), "the gateway", (g) =>
    g.process.stop(),
  );
  const load = cleanup.add(startLoadGenerator(), "the load generator", (l) => l.close());
  const target = gatewayTarget(protocol, gateway.process.url, gateway.userToken, cached);
  await load.run(target, { kind: "saturate", concurrency, seconds: 2 });
  const rss = sampleRss(gateway.process.pid);
  const result = await load.run(target, { kind: "saturate", concurrency, seconds });
  const { peakMiB } = rss.stop();
  // The profile is written when the process exits.
  await gateway.process.stop();
  const files = (await readdir(profileDir)).filter((name) => name.endsWith(".cpuprofile"));
  console.log(
    `# gateway CPU profile: ${protocol} ${cached ? "cached" : "uncached"}, ${concurrency} in flight for ${seconds} s (after 2 s warm-up), store ${storeKind}`,
  );
  console.log(
    `${result.ok} calls answered (${Math.round(result.throughput)}/s), errors: ${JSON.stringify(result.errors)}; gateway peak RSS ${peakMiB.toFixed(0)} MiB`,
  );
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(profileDir, file), "utf8")) as CpuProfile;
    console.log(`\n## ${file}\n${summariseProfile(profile, { top, calls: result.ok })}`);
  }
} finally {
  await cleanup.run();
}
