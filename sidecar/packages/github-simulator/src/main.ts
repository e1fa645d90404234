/**
 * CLI: node --import tsx src/main.ts [--port 7070] [--host 127.0.0.1] [--seed demo|<file.json>]
 *        [--ghes 3.20] [--ghes-root] [--auto-advance <ms>] [--rate-limit <n>] [--run-listing-lag <n>]
 *        [--latency <ms>]
 *
 * Prints one JSON line {"url","apiUrl",...} once listening, then a human summary.
 * --auto-advance moves every active run one step every <ms> milliseconds (demo only;
 * tests drive runs with the control API instead). --latency holds every REST API answer back
 * for <ms> milliseconds (benchmarks of what a user waits for).
 */
import { readFileSync } from 'node:fs';
import { createGitHubSimulator, CONTROL_ENDPOINTS } from './server';
import { DEMO_TOKENS } from './seed';
import type { GitHubSimulatorOptions, SimulatorSeed } from './types';

function parseArgs(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [key, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) out[key] = inline;
    else if (next !== undefined && !next.startsWith('--')) {
      out[key] = next;
      i += 1;
    } else out[key] = true;
  }
  return out;
}

const USAGE = `usage: node --import tsx src/main.ts [--port 7070] [--host 127.0.0.1] [--seed demo|seed.json]
       [--ghes 3.20] [--ghes-root] [--auto-advance 2000] [--rate-limit 5000] [--run-listing-lag 0] [--latency 100]`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const str = (key: string) => (typeof args[key] === 'string' ? (args[key] as string) : undefined);
  const int = (key: string) => {
    const v = str(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${key} must be a non-negative integer`);
    return n;
  };
  const seedArg = str('seed') ?? 'demo';
  const seed: SimulatorSeed | 'demo' =
    seedArg === 'demo' ? 'demo' : (JSON.parse(readFileSync(seedArg, 'utf8')) as SimulatorSeed);
  const rateLimit = int('rate-limit');
  const options: GitHubSimulatorOptions = {
    port: int('port') ?? 7070,
    host: str('host') ?? '127.0.0.1',
    seed,
    ghesVersion: str('ghes') ?? (args.ghes === true ? '3.20' : undefined),
    serveRootInGhesMode: args['ghes-root'] === true,
    runListingLag: int('run-listing-lag'),
    responseLatencyMs: int('latency'),
    ...(rateLimit !== undefined ? { rateLimit: { limit: rateLimit } } : {}),
  };
  const sim = await createGitHubSimulator(options);
  const autoAdvance = int('auto-advance');
  const timer = autoAdvance ? setInterval(() => sim.control.advance(), autoAdvance) : undefined;

  console.log(JSON.stringify({ url: sim.url, apiUrl: sim.apiUrl, control: `${sim.url}/_simulator` }));
  console.log(`GitHub simulator listening on ${sim.url} (REST API base ${sim.apiUrl})`);
  if (seedArg === 'demo') {
    console.log('Demo tokens (Authorization: Bearer <token>):');
    console.log(`  dev              ${DEMO_TOKENS.dev}              (write)`);
    console.log(`  release-manager  ${DEMO_TOKENS.releaseManager}  (write, reviewer of production)`);
    console.log(`  viewer           ${DEMO_TOKENS.viewer}           (read)`);
    console.log(`  orbit-bot        ${DEMO_TOKENS.orbitBot}        (write, workspace credential)`);
  }
  console.log(`Runs ${autoAdvance ? `advance every ${autoAdvance} ms` : 'advance only through the control API'}.`);
  console.log('Control API:');
  for (const line of CONTROL_ENDPOINTS) console.log(`  ${line}`);

  const stop = () => {
    if (timer) clearInterval(timer);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});
