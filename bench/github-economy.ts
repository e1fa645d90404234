/**
 * `npm run bench:github`: metered GitHub calls of the deployment dashboard, counted
 * by the GitHub simulator, for the real stack (simulator, Backstage sidecar, gateway
 * as separate processes): a dashboard view (GetPipeline of a 3-environment service)
 * cold, warm and after the cache window; a trigger; an approval; 100 concurrent
 * WatchPipeline watchers against 1; and the same view loaded the way the existing
 * browser-side plugins load it, issued against the same simulator. Prints figures
 * and GOAL lines; never fails on them (only on a broken harness).
 *
 * Options: --watchers=100 --intervals=12 --interval-ms=500 --advance-every=4
 */
import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { egressAllowing } from "../test/support/egress.js";
import { startSidecar } from "../test/support/sidecar.js";
import { DeploymentState, ReviewDecision } from "../src/gen/idp/plugins/v1/deployments_pb.js";
import type { Pipeline } from "../src/gen/idp/plugins/v1/deployments_pb.js";
import { BROWSER_MODEL_LINES, browserTrigger, browserView } from "./economy/browser-model.js";
import type { BrowserTarget } from "./economy/browser-model.js";
import { createMeter, waitForQuiet } from "./economy/meter.js";
import type { Cost } from "./economy/meter.js";
import { add, comparisonTable, endpointLines, measurementsTable, times } from "./economy/report.js";
import type { Row } from "./economy/report.js";
import { startSimulatorProcess } from "./economy/simulator-process.js";
import { measureWatchers } from "./economy/watchers.js";
import type { WatchResult } from "./economy/watchers.js";
import {
  ENVIRONMENTS,
  REPOSITORY,
  SERVICE,
  WORKSPACE,
  as,
  configureWorkspace,
  deploymentsClient,
  triggerInputsOf,
} from "./economy/workspace.js";
import type { EnvironmentName } from "./economy/workspace.js";
import { Cleanup } from "./lib/cleanup.js";
import { startGatewayProcess } from "./lib/gateway-process.js";
import { describeMachine } from "./lib/machine.js";
import { numberOption } from "./lib/options.js";

const WATCHERS = Math.max(1, Math.round(numberOption("watchers", 100)));
const INTERVALS = Math.max(1, Math.round(numberOption("intervals", 12)));
const INTERVAL_MS = Math.max(100, Math.round(numberOption("interval-ms", 500)));
const ADVANCE_EVERY = Math.max(1, Math.round(numberOption("advance-every", 4)));
/** An ungated deploy run of the demo workflow moves twice: queued → in progress (its job starts at once) → completed. */
const RUN_STEPS = 2;
const PIPELINE_CACHE_TTL_MS = 5_000; // the gateway's default, set explicitly
const TOKEN_TTL_SECONDS = 3600;
const OTHER_VIEWERS = 3;

const machine = describeMachine();
const cleanup = new Cleanup();
try {
  const simulator = cleanup.add(await startSimulatorProcess(), "the GitHub simulator", (s) => s.stop());
  // The simulator is a loopback address: allowed explicitly in both processes.
  const egress = egressAllowing(simulator.apiUrl);
  const sidecar = cleanup.add(await startSidecar(egress), "the sidecar", (s) => s.stop());
  const gateway = cleanup.add(
    await startGatewayProcess({
      ...egress,
      BACKSTAGE_URL: sidecar.url,
      BACKSTAGE_SERVICE_TOKEN: sidecar.token,
      ORBIT_SECRETS_KEYS: `bench:${randomBytes(32).toString("base64")}`,
      ORBIT_DATA_DIR: "memory://",
      // Raised for the run: 100 watchers and the views must never meet the gateway's own limit.
      RATE_LIMIT_MAX: "1000000000",
      PIPELINE_CACHE_TTL: `${PIPELINE_CACHE_TTL_MS}ms`,
      PIPELINE_WATCH_INTERVAL: `${INTERVAL_MS}ms`,
    }),
    "the gateway",
    (g) => g.stop(),
  );
  const settingsLine = `gateway settings: PIPELINE_CACHE_TTL=${PIPELINE_CACHE_TTL_MS}ms PIPELINE_WATCH_INTERVAL=${INTERVAL_MS}ms RATE_LIMIT_MAX=1e9 ORBIT_DATA_DIR=memory:// (no Redis)`;
  console.log(
    [
      "# GitHub economy",
      ...machine,
      settingsLine,
      `GitHub: simulator ${simulator.apiUrl} (--seed demo, runs move only when this benchmark advances them)`,
      "",
    ].join("\n"),
  );

  const meter = createMeter({ counters: simulator.counters, sidecarRequests: () => sidecar.requestCount() });
  const quiet = () => waitForQuiet(simulator.counters);
  const client = deploymentsClient(gateway.url);
  const admin = await gateway.token({ userId: "economy-admin", workspaceId: WORKSPACE, admin: true, ttlSeconds: TOKEN_TTL_SECONDS });
  const viewers = await Promise.all(
    Array.from({ length: OTHER_VIEWERS }, (_, index) =>
      gateway.token({ userId: `economy-viewer-${index + 1}`, workspaceId: WORKSPACE, ttlSeconds: TOKEN_TTL_SECONDS }),
    ),
  );
  const github = {
    workspace: await simulator.tokenOf("orbit-bot"),
    developer: await simulator.tokenOf("dev"),
    reviewer: await simulator.tokenOf("release-manager"),
  };
  const rows: Row[] = [];
  const record = (step: string, cost: Cost) => {
    rows.push({ step, cost });
    return cost;
  };

  // --- Setup: the workspace as `npm run demo` configures it, with three environments.
  record(
    "setup: EnablePlugin + secret + 3× UpsertEnvironment (once per workspace)",
    (await meter.measure(() => configureWorkspace(gateway.url, admin, simulator.apiUrl, github.workspace))).cost,
  );

  const trigger = async (environment: EnvironmentName, version: string): Promise<{ runId: number; cost: Cost }> => {
    const { result, cost } = await meter.measure(() =>
      client.triggerDeployment(
        { workspaceId: WORKSPACE, service: SERVICE, environment, version, inputs: triggerInputsOf(environment) },
        as(admin, github.developer),
      ),
    );
    const runId = Number(result.run?.runId ?? 0);
    if (runId <= 0) throw new Error(`TriggerDeployment of ${environment} returned no run id`);
    return { runId, cost };
  };

  // --- Triggers, bringing the pipeline to a realistic state: dev and staging deployed, production at its approval gate.
  const triggerCosts: Cost[] = [];
  const runs: Record<string, number> = {};
  for (const [index, { name }] of ENVIRONMENTS.entries()) {
    const { runId, cost } = await trigger(name, "v1.2.0");
    triggerCosts.push(
      record(`TriggerDeployment ${name} v1.2.0 (developer's own token)${index === 0 ? ", first dispatch to this GitHub" : ""}`, cost),
    );
    runs[name] = runId;
    const settled = await simulator.settle(runId);
    if (name === "production" && !settled.waitingFor.includes("production")) {
      throw new Error(`the production run did not stop at its approval gate (status ${settled.status})`);
    }
  }
  const productionRun = runs.production ?? 0;

  // --- Dashboard views: GetPipeline of the 3-environment service.
  const view = (orbitToken: string, githubToken?: string) =>
    client.getPipeline({ workspaceId: WORKSPACE, service: SERVICE }, as(orbitToken, githubToken)).then((answer) => answer.pipeline);
  await quiet();
  const cold = await meter.measure(() => view(admin));
  const coldAt = Date.now();
  record("GetPipeline cold (workspace credential)", cold.cost);
  const pipelineLine = `pipeline viewed: ${describePipeline(cold.result)}`;
  const warm = record("GetPipeline warm: same user again, within the cache window", (await meter.measure(() => view(admin))).cost);
  const othersWarm = record(
    `GetPipeline warm: ${OTHER_VIEWERS} other Orbit users of the workspace, within the window (total)`,
    (await meter.measure(() => Promise.all(viewers.map((token) => view(token))))).cost,
  );
  // The cache window is a span of time by definition: wait it out, then read until an answer is fresh.
  await delay(Math.max(0, coldAt + PIPELINE_CACHE_TTL_MS - Date.now()));
  const expired = await meter.measure(async () => {
    for (let reads = 1; ; reads++) {
      const pipeline = await view(admin);
      if (!sameInstant(pipeline?.observedAt, cold.result?.observedAt)) return reads;
      await delay(100); // still the cached answer; the entry expires any moment now
    }
  });
  record(
    `GetPipeline after the cache window, GitHub unchanged (${expired.result} read${expired.result === 1 ? "" : "s"} until fresh)`,
    expired.cost,
  );
  const ownCold = record(
    "GetPipeline cold with the viewer's own GitHub token (first view by that user)",
    (await meter.measure(() => view(admin, github.reviewer))).cost,
  );
  record("GetPipeline warm with the viewer's own GitHub token", (await meter.measure(() => view(admin, github.reviewer))).cost);

  // --- The same view the browser-side way, against the same simulator and state.
  const browserTarget: BrowserTarget = {
    apiUrl: simulator.apiUrl,
    repository: REPOSITORY,
    workflow: "deploy.yml",
    environments: ENVIRONMENTS.map(({ name }) => ({ name, deploysTo: name === "dev" ? "staging" : name })),
  };
  await quiet();
  const browserPage = record(
    "browser model 'page': view #1 (dev user's token)",
    (await meter.measure(() => browserView(browserTarget, github.developer, "page"))).cost,
  );
  const browserPageAgain = record(
    "browser model 'page': view #2 right after",
    (await meter.measure(() => browserView(browserTarget, github.developer, "page"))).cost,
  );
  const browserCard = record(
    "browser model 'per-card': view #1 (dev user's token)",
    (await meter.measure(() => browserView(browserTarget, github.developer, "per-card"))).cost,
  );
  const browserCardAgain = record(
    "browser model 'per-card': view #2 right after",
    (await meter.measure(() => browserView(browserTarget, github.developer, "per-card"))).cost,
  );
  const browserTriggerCost = record(
    "browser model trigger: dispatch + run listing (dev user's token)",
    (await meter.measure(() => browserTrigger(browserTarget, github.developer, { version: "v1.2.0", environment: "staging" }))).cost,
  );

  // --- Approval at production's gate, with the reviewer's own token.
  await quiet();
  const approval = record(
    "ReviewDeployment approve production (reviewer's own token)",
    (
      await meter.measure(() =>
        client.reviewDeployment(
          {
            workspaceId: WORKSPACE,
            service: SERVICE,
            environment: "production",
            runId: BigInt(productionRun),
            decision: ReviewDecision.APPROVE,
            comment: "benchmark",
          },
          as(admin, github.reviewer),
        ),
      )
    ).cost,
  );
  await simulator.settle(productionRun);
  record("GetPipeline after the approval (production's run changed)", (await meter.measure(() => view(admin))).cost);

  // --- WatchPipeline: 1 watcher, then WATCHERS watchers, over the same window with the same run schedule.
  const shape = { intervals: INTERVALS, intervalMs: INTERVAL_MS, advanceEvery: ADVANCE_EVERY, advances: RUN_STEPS, environment: "dev" };
  const watch = async (watchers: number, version: string): Promise<WatchResult> => {
    // A fresh dev run to move during the window, so that watchers have changes to follow.
    const { runId, cost } = await trigger("dev", version);
    triggerCosts.push(record(`TriggerDeployment dev ${version} (before the ${watchers}-watcher window)`, cost));
    await quiet();
    const result = await measureWatchers(client, admin, gateway.url, simulator, meter, runId, { ...shape, watchers });
    await simulator.settle(runId);
    await quiet();
    record(`WatchPipeline ${watchers} watcher${watchers === 1 ? "" : "s"}: join (until each has its first pipeline)`, result.join);
    record(`WatchPipeline ${watchers} watcher${watchers === 1 ? "" : "s"}: ${INTERVALS} intervals × ${INTERVAL_MS} ms`, result.window);
    return result;
  };
  const one = await watch(1, "v1.1.0");
  const many = await watch(WATCHERS, "v1.0.1");
  const loads = INTERVALS + 1; // a live dashboard's first load, then one reload per interval
  rows.push({ step: `browser model 'page': 1 live dashboard, ${loads} loads`, cost: times(browserPage, loads), computed: true });
  rows.push({
    step: `browser model 'page': ${WATCHERS} live dashboards, ${loads} loads each`,
    cost: times(browserPage, loads * WATCHERS),
    computed: true,
  });

  // --- Report.
  console.log(pipelineLine);
  console.log(`\n${measurementsTable(rows)}\n`);
  console.log("metered calls by endpoint:");
  console.log(endpointLines(rows).join("\n"));
  const watchLine = (watchers: number, result: WatchResult) =>
    `  ${watchers} watcher${watchers === 1 ? "" : "s"}: joined in ${Math.round(result.joinMs)} ms with ${result.polls.join} poller read${result.polls.join === 1 ? "" : "s"}; ` +
    `window: ${result.polls.window} poller reads, at most ${result.maxPollers} poller running, ${result.messages.min}–${result.messages.max} pipelines received per watcher; the first watcher saw dev: ${result.seen.join(" → ")}`;
  console.log(
    [
      "",
      `watches (the dev run moved one step every ${ADVANCE_EVERY} intervals during each window, ${RUN_STEPS} steps, then completed):`,
      watchLine(1, one),
      watchLine(WATCHERS, many),
      "",
      ...BROWSER_MODEL_LINES,
      "",
    ].join("\n"),
  );

  const steadyTriggers = triggerCosts.slice(1).map((cost) => cost.metered);
  const steadyTrigger = steadyTriggers.length > 0 ? `${Math.min(...steadyTriggers)}–${Math.max(...steadyTriggers)}` : "n/a";
  const oneWatch = add(one.join, one.window);
  const manyWatch = add(many.join, many.window);
  const users = 1 + OTHER_VIEWERS;
  console.log(
    comparisonTable([
      { what: "one dashboard view, cold", orbit: cold.cost.metered, browserPage: browserPage.metered, browserPerCard: browserCard.metered },
      {
        what: "the same view again (warm)",
        orbit: warm.metered,
        browserPage: browserPageAgain.metered,
        browserPerCard: browserCardAgain.metered,
      },
      {
        what: `${users} users view it within ${PIPELINE_CACHE_TTL_MS / 1000} s`,
        orbit: cold.cost.metered + othersWarm.metered,
        browserPage: users * browserPage.metered,
        browserPerCard: users * browserCard.metered,
      },
      {
        what: "view after the window, nothing changed",
        orbit: expired.cost.metered,
        browserPage: browserPage.metered,
        browserPerCard: browserCard.metered,
      },
      {
        what: "view with the user's own token, first",
        orbit: ownCold.metered,
        browserPage: browserPage.metered,
        browserPerCard: browserCard.metered,
      },
      {
        what: "trigger (after the first)",
        orbit: steadyTrigger,
        browserPage: browserTriggerCost.metered,
        browserPerCard: browserTriggerCost.metered,
      },
      { what: "approval", orbit: approval.metered, browserPage: "n/a (github.com)", browserPerCard: "n/a (github.com)" },
      {
        what: `1 live dashboard, ${INTERVALS} intervals`,
        orbit: oneWatch.metered,
        browserPage: loads * browserPage.metered,
        browserPerCard: loads * browserCard.metered,
      },
      {
        what: `${WATCHERS} live dashboards, ${INTERVALS} intervals`,
        orbit: manyWatch.metered,
        browserPage: WATCHERS * loads * browserPage.metered,
        browserPerCard: WATCHERS * loads * browserCard.metered,
      },
    ]),
  );
  console.log(
    `(browser figures for several users and for live dashboards are the measured single view × the number of loads — no cache, so every load costs the same; ` +
      `a live dashboard loads ${loads} times: once, then every interval. Orbit's live-dashboard figures are measured: join + window.)\n`,
  );

  const warmCost = warm.metered;
  const goals = [
    goal(`warm dashboard view: ${warmCost} metered GitHub calls (goal 0)`, warmCost === 0),
    goal(
      `${WATCHERS} watchers: ${manyWatch.metered} metered GitHub calls (join ${many.join.metered} + ${INTERVALS} intervals ${many.window.metered}) vs 1 watcher: ${oneWatch.metered} (join ${one.join.metered} + ${one.window.metered}) (goal: the same as one watcher)`,
      manyWatch.metered <= oneWatch.metered,
    ),
    `info: all GitHub requests incl. 304s: ${WATCHERS} watchers ${manyWatch.requests} in ${many.polls.join + many.polls.window} poller reads vs 1 watcher ${oneWatch.requests} in ${one.polls.join + one.polls.window} poller reads ` +
      `(one shared poller reads once per interval however many watch; in a fixed window its read count varies by one with where the window's edges fall between reads)`,
  ];
  console.log(goals.join("\n"));
} finally {
  await cleanup.run();
}

function goal(text: string, met: boolean): string {
  return `${met ? "GOAL MET" : "GOAL MISSED"}: ${text}`;
}

function sameInstant(a: { seconds: bigint; nanos: number } | undefined, b: { seconds: bigint; nanos: number } | undefined): boolean {
  return a?.seconds === b?.seconds && a?.nanos === b?.nanos;
}

function describePipeline(pipeline: Pipeline | undefined): string {
  return (pipeline?.environments ?? [])
    .map(
      (env) =>
        `${env.environment} ${DeploymentState[env.state]}${env.pendingApprovals.length > 0 ? ` (${env.pendingApprovals.length} gate)` : ""}`,
    )
    .join(", ");
}
