/**
 * `npm run fuzz`: thousands of randomized calls from the tokens of many workspaces —
 * forged bodies, forged headers, path tricks — against a real gateway and sidecar.
 * Every answer is searched for other workspaces' values (ids, configuration, user ids,
 * secrets); answers of the echo routes must name the caller's workspace.
 * Exits 1 when any answer carried another workspace's data or any secret, or a forged
 * write took effect (a correctness failure, not noise); otherwise 0.
 *
 * Options: --calls=5000 --workspaces=12 --concurrency=32 --seed=<n> (replays a run)
 */
import { randomBytes } from "node:crypto";
import { mintServiceToken } from "../src/auth/dev-token.js";
import { startSidecar } from "../test/support/sidecar.js";
import { createCallFactory } from "./fuzz/calls.js";
import type { FuzzCall } from "./fuzz/calls.js";
import { checkIntegrity } from "./fuzz/integrity.js";
import { assertDetectorWorks, inspect } from "./fuzz/leak-check.js";
import { Random } from "./fuzz/random.js";
import { FuzzTally } from "./fuzz/tally.js";
import { execute } from "./fuzz/runner.js";
import type { Credentials } from "./fuzz/runner.js";
import { createWorkspaces } from "./fuzz/world.js";
import type { FuzzWorkspace } from "./fuzz/world.js";
import { Cleanup } from "./lib/cleanup.js";
import { startGatewayProcess } from "./lib/gateway-process.js";
import type { GatewayProcess } from "./lib/gateway-process.js";
import { describeMachine } from "./lib/machine.js";
import { numberOption } from "./lib/options.js";
import { pluginsClient } from "./lib/plugins-client.js";

const options = {
  calls: numberOption("calls", 5_000),
  workspaces: numberOption("workspaces", 12),
  concurrency: numberOption("concurrency", 32),
  seed: numberOption("seed", randomBytes(4).readUInt32BE(0)),
};

console.log(["# isolation fuzz", ...describeMachine()].join("\n"));
console.log(
  `${options.calls} calls, ${options.workspaces} workspaces, ${options.concurrency} in flight, seed ${options.seed} ` +
    `(replay: npm run fuzz -- --seed=${options.seed})\n`,
);

const cleanup = new Cleanup();
let failed = false;
try {
  const sidecar = cleanup.add(await startSidecar(), "the sidecar", (s) => s.stop());
  const gateway = cleanup.add(
    await startGatewayProcess({
      BACKSTAGE_URL: sidecar.url,
      BACKSTAGE_SERVICE_TOKEN: sidecar.token,
      ORBIT_DATA_DIR: "memory://",
      // The workspaces' GHES URLs (https://ghe-….example.com) are the operator's hosts.
      ORBIT_EGRESS_ALLOWED_HOSTS: "*.example.com",
      ORBIT_SECRETS_KEYS: `k1:${randomBytes(32).toString("base64")}`,
      RATE_LIMIT_MAX: "1000000000",
      // Raised too, so every badly signed token reaches the token check instead of the address throttle.
      RATE_LIMIT_UNAUTHENTICATED_MAX: "1000000000",
      // The default TTL: answers are cached, so isolation of the cache is exercised too.
      PLUGIN_CACHE_TTL: "5m",
    }),
    "the gateway",
    (g) => g.stop(),
  );
  const random = new Random(options.seed);
  const clients = {
    "connect-json": pluginsClient(gateway.url, "connect-json"),
    "connect-binary": pluginsClient(gateway.url, "connect-binary"),
    grpc: pluginsClient(gateway.url, "grpc"),
  };
  const workspaces = await createWorkspaces(gateway, clients["connect-json"], options.workspaces, random);
  assertDetectorWorks(workspaces);
  console.log("leak detector self-check passed (it flags a planted foreign value, foreign echo and secret)\n");
  const credentials = await credentialsFor(gateway, workspaces);
  const nextCall = createCallFactory(random, workspaces);
  const tally = new FuzzTally();

  let issued = 0;
  const worker = async () => {
    while (issued < options.calls) {
      issued++;
      const call = nextCall();
      const outcome = await execute(clients, credentials, call);
      tally.add(call, outcome, inspect(call, outcome, workspaces));
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;

  const integrityProblems = await checkIntegrity(clients["connect-json"], workspaces);
  console.log(tally.codesTable());
  console.log(`\n${issued} calls in ${seconds.toFixed(1)} s (${(issued / seconds).toFixed(0)}/s)`);
  console.log(tally.summaryLines().join("\n"));
  console.log(
    integrityProblems.length === 0
      ? `integrity after the run: every workspace holds its own configuration, secret and audit trail (${workspaces.length} checked)`
      : `INTEGRITY PROBLEMS:\n${integrityProblems.join("\n")}`,
  );
  failed = tally.leaks > 0 || tally.secretExposures > 0 || integrityProblems.length > 0;
  console.log(failed ? "\nRESULT: ISOLATION BROKEN" : "\nRESULT: 0 answers carried another workspace's data");
} finally {
  await cleanup.run();
}
process.exitCode = failed ? 1 : 0;

async function credentialsFor(gateway: GatewayProcess, workspaces: readonly FuzzWorkspace[]): Promise<Credentials> {
  const noWorkspace = await gateway.token({ userId: "no-wid-user", ttlSeconds: 4 * 3600 });
  const wrongKey = randomBytes(32).toString("base64");
  const badSignature = new Map<string, string>();
  for (const workspace of workspaces) {
    const userId = workspace.users[0]?.id ?? "";
    badSignature.set(
      workspace.id,
      await mintServiceToken(wrongKey, { userId, workspaceId: workspace.id, admin: true, ttlSeconds: 4 * 3600 }),
    );
  }
  return {
    tokenFor(call: FuzzCall): string {
      switch (call.tokenKind) {
        case "user":
          return call.callerWorkspace?.users.find((user) => user.id === call.callerUserId)?.token ?? "";
        case "admin":
          return call.callerWorkspace?.admin.token ?? "";
        case "no-wid":
          return noWorkspace;
        case "bad-signature":
          return badSignature.get(call.claimedWorkspace?.id ?? "") ?? "";
      }
    },
  };
}
