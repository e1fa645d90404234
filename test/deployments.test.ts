import { randomBytes } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RetryInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";
import { DeploymentState, ReviewDecision, VersionKind } from "../src/gen/idp/plugins/v1/deployments_pb.js";
import type { DeploymentEnvironment, GetPipelineResponse, Pipeline } from "../src/gen/idp/plugins/v1/deployments_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { DeploymentEnvironmentSchema } from "../src/gen/idp/plugins/v1/deployments_pb.js";
import { errorOf } from "./support/calls.js";
import { asUser, deploymentsClient, enableDeploymentPlugin, readStream } from "./support/deployments.js";
import { eventually } from "./support/eventually.js";
import { bearer, pluginsClient, startGateway } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";
import { GITHUB_TOKENS, startGitHubSimulator } from "./support/github-simulator.js";
import type { RunningGitHubSimulator } from "./support/github-simulator.js";
import { startSidecar } from "./support/sidecar.js";
import type { RunningSidecar } from "./support/sidecar.js";
import { egressAllowing } from "./support/egress.js";
import { freePort } from "./support/redis-server.js";

// Issue 5's acceptance, end to end: Connect clients → this gateway → the real Backstage
// sidecar (deployment plugin) → the GitHub simulator (and its GHES mode).

const WS = "ws-deploy";
const OTHER = "ws-deploy-other";
const GHES_WS = "ws-deploy-ghes";
const SECRETS_KEYS = `k1:${randomBytes(32).toString("base64")}`;

let github: RunningGitHubSimulator;
let ghes: RunningGitHubSimulator;
let sidecar: RunningSidecar;
let gw: RunningGateway;

const gatewayEnv = () => ({
  BACKSTAGE_URL: sidecar.url,
  BACKSTAGE_SERVICE_TOKEN: sidecar.token,
  ORBIT_SECRETS_KEYS: SECRETS_KEYS,
  RATE_LIMIT_MAX: "100000",
  SIDECAR_TIMEOUT: "15s",
  ...egressAllowing(...allowedUpstreams()),
});

/**
 * Egress allowances of both processes: the simulators; 127.0.0.1:9 (fetch refuses the
 * port: the "unreachable" case); localhost on a free port, a name the sidecar resolves
 * to a loopback address and therefore refuses although the gateway let the URL through.
 */
let refusedByName: string;
const allowedUpstreams = () => [github.apiUrl, ghes.apiUrl, "http://127.0.0.1:9", refusedByName];

beforeAll(async () => {
  refusedByName = `http://localhost:${await freePort()}`;
  [github, ghes] = await Promise.all([startGitHubSimulator(), startGitHubSimulator({ ghes: true })]);
  sidecar = await startSidecar(egressAllowing(...allowedUpstreams()));
  // Short pipeline cache and poll interval: the flow waits for runs to move.
  gw = await startGateway({ ...gatewayEnv(), PIPELINE_CACHE_TTL: "250ms", PIPELINE_WATCH_INTERVAL: "100ms" });
  await enableDeploymentPlugin(gw, WS, github.apiUrl, GITHUB_TOKENS.orbitBot);
  await enableDeploymentPlugin(gw, OTHER, github.apiUrl, GITHUB_TOKENS.orbitBot);
  await enableDeploymentPlugin(gw, GHES_WS, ghes.apiUrl, GITHUB_TOKENS.orbitBot);
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await Promise.all([sidecar?.stop(), github?.stop(), ghes?.stop()]);
});

type EnvironmentInit = MessageInitShape<typeof DeploymentEnvironmentSchema>;
const stagingOf = (service: string): EnvironmentInit => ({
  service,
  name: "staging",
  order: 0,
  repository: `acme/${service}`,
  workflow: "deploy.yml",
});
const productionOf = (service: string): EnvironmentInit => ({
  service,
  name: "production",
  order: 1,
  repository: `acme/${service}`,
  workflow: "deploy.yml",
  githubEnvironment: "production",
});

const client = () => deploymentsClient("grpc", gw.url);
const user = async (workspaceId = WS, githubToken?: string) => asUser(await gw.token({ workspaceId, userId: "user-dev" }), githubToken);
const admin = async (workspaceId = WS) => bearer(await gw.token({ workspaceId, userId: "admin-1", admin: true }));

async function configure(gateway: RunningGateway, workspaceId: string, environments: EnvironmentInit[]): Promise<void> {
  const options = bearer(await gateway.token({ workspaceId, admin: true }));
  for (const environment of environments) {
    await deploymentsClient("connect-json", gateway.url).upsertEnvironment({ workspaceId, environment }, options);
  }
}

const stateOf = (pipeline: Pipeline | undefined, environment: string) =>
  pipeline?.environments.find((status) => status.environment === environment);

async function pipelineUntil(
  service: string,
  condition: (pipeline: Pipeline) => boolean,
  what: string,
  options: { workspaceId?: string; githubToken?: string } = {},
): Promise<Pipeline> {
  const callOptions = await user(options.workspaceId ?? WS, options.githubToken);
  const answer = await eventually<GetPipelineResponse>(
    () => client().getPipeline({ workspaceId: options.workspaceId ?? WS, service }, callOptions),
    (response) => response.pipeline !== undefined && condition(response.pipeline),
    what,
  );
  return answer.pipeline as Pipeline;
}

async function metered(simulator: RunningGitHubSimulator = github): Promise<number> {
  return (await simulator.counters()).metered;
}

async function metricValue(metric: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await metric.get()).values.reduce((sum, entry) => sum + entry.value, 0);
}

describe.sequential("deployments through the gateway (issue 5 acceptance)", () => {
  const runs: Record<string, bigint> = {};

  it("configures staging and production for a service (admin only) and lists them", async () => {
    const created = await client().upsertEnvironment({ workspaceId: WS, environment: stagingOf("checkout") }, await admin());
    expect(created).toMatchObject({
      created: true,
      environment: { service: "checkout", name: "staging", ref: "main", versionInput: "version" },
    });
    expect(created.environment?.updatedBy).toBe("admin-1");
    await client().upsertEnvironment({ workspaceId: WS, environment: productionOf("checkout") }, await admin());
    const again = await client().upsertEnvironment({ workspaceId: WS, environment: stagingOf("checkout") }, await admin());
    expect(again.created).toBe(false);

    const refused = await errorOf(client().upsertEnvironment({ workspaceId: WS, environment: stagingOf("checkout") }, await user()));
    expect(refused.code).toBe(Code.PermissionDenied);

    const { services } = await client().listServices({ workspaceId: WS }, await user());
    expect(services.find((service) => service.name === "checkout")).toMatchObject({
      environments: ["staging", "production"],
      repositories: ["acme/checkout"],
    });
    const { environments } = await client().listEnvironments({ workspaceId: WS, service: "checkout" }, await user());
    expect(
      environments.map((environment: DeploymentEnvironment) => [environment.name, environment.order, environment.githubEnvironment]),
    ).toEqual([
      ["staging", 0, ""],
      ["production", 1, "production"],
    ]);
  });

  it("refuses an environment whose workflow does not exist on GitHub", async () => {
    const error = await errorOf(
      client().upsertEnvironment(
        { workspaceId: WS, environment: { ...stagingOf("checkout"), name: "qa", workflow: "nope.yml" } },
        await admin(),
      ),
    );
    expect([Code.NotFound, Code.InvalidArgument, Code.FailedPrecondition]).toContain(error.code);
  });

  it("lists versions: tags and commits, a search, and a hand-typed SHA that must exist", async () => {
    const { versions } = await client().listVersions({ workspaceId: WS, service: "checkout" }, await user());
    expect(versions.filter((version) => version.kind === VersionKind.TAG).map((version) => version.name)).toEqual(
      expect.arrayContaining(["v1.0.0", "v1.0.1", "v1.1.0", "v1.2.0"]),
    );
    const commits = versions.filter((version) => version.kind === VersionKind.COMMIT);
    expect(commits.length).toBeGreaterThan(0);
    expect(commits.length).toBeLessThanOrEqual(50);

    const searched = await client().listVersions({ workspaceId: WS, service: "checkout", query: "v1.1" }, await user());
    expect(searched.versions.map((version) => version.name)).toContain("v1.1.0");
    expect(searched.versions.map((version) => version.name)).not.toContain("v1.2.0");

    const sha = commits[commits.length - 1]?.sha ?? "";
    const bySha = await client().listVersions({ workspaceId: WS, service: "checkout", sha: sha.slice(0, 9) }, await user());
    expect(bySha.versions).toHaveLength(1);
    expect(bySha.versions[0]).toMatchObject({ kind: VersionKind.COMMIT, sha });

    const missing = await errorOf(client().listVersions({ workspaceId: WS, service: "checkout", sha: "0000000deadbeef" }, await user()));
    expect(missing.code).toBe(Code.NotFound);
  });

  it("triggers staging and shows it go running → success in GetPipeline and in a WatchPipeline stream", async () => {
    const stop = new AbortController();
    const stream = readStream(client().watchPipeline({ workspaceId: WS, service: "checkout" }, { ...(await user()), signal: stop.signal }));
    const first = await stream.next(undefined, "the first pipeline");
    expect(first.pipeline?.environments.map((status) => [status.environment, status.state])).toEqual([
      ["staging", DeploymentState.PENDING],
      ["production", DeploymentState.PENDING],
    ]);

    const { run } = await client().triggerDeployment(
      { workspaceId: WS, service: "checkout", environment: "staging", version: "v1.1.0" },
      await user(WS, GITHUB_TOKENS.dev),
    );
    expect(run?.runId).toBeGreaterThan(0n);
    expect(run?.htmlUrl).toMatch(/^http/);
    runs.stagingFirst = run?.runId ?? 0n;
    const simulated = (await github.runs("acme/checkout")).find((candidate) => BigInt(candidate.id) === run?.runId);
    expect(simulated?.inputs).toMatchObject({ version: "v1.1.0", environment: "staging" });

    await github.advance(Number(runs.stagingFirst));
    const running = (message: { pipeline?: Pipeline }) => stateOf(message.pipeline, "staging")?.state === DeploymentState.RUNNING;
    await stream.next(running, "staging running in the stream");
    await pipelineUntil("checkout", (pipeline) => stateOf(pipeline, "staging")?.state === DeploymentState.RUNNING, "staging running");

    await github.settle(Number(runs.stagingFirst));
    const succeeded = (message: { pipeline?: Pipeline }) => stateOf(message.pipeline, "staging")?.state === DeploymentState.SUCCESS;
    const streamed = await stream.next(succeeded, "staging success in the stream");
    expect(stateOf(streamed.pipeline, "staging")).toMatchObject({ currentVersion: "v1.1.0", activeRun: { runId: runs.stagingFirst } });
    // current_user_can_approve needs the user's token; streams read as the workspace.
    expect(stateOf(streamed.pipeline, "staging")?.pendingApprovals).toEqual([]);
    const pipeline = await pipelineUntil(
      "checkout",
      (current) => stateOf(current, "staging")?.state === DeploymentState.SUCCESS,
      "staging success",
    );
    expect(stateOf(pipeline, "staging")?.currentVersion).toBe("v1.1.0");

    // Every streamed pipeline differs from the one before (unchanged polls send nothing).
    const states = stream.received.map((message) =>
      JSON.stringify(message.pipeline?.environments.map((status) => [status.state, status.currentVersion, `${status.activeRun?.runId}`])),
    );
    expect(new Set(states).size).toBe(states.length);

    stop.abort();
    await stream.finished;
    await eventually(
      () => metricValue(gw.gateway.metrics.pipelinePollers),
      (value) => value === 0,
      "the poller to stop",
    );

    // A second successful version on staging, for the rollback below.
    const second = await client().triggerDeployment(
      { workspaceId: WS, service: "checkout", environment: "staging", version: "v1.2.0" },
      await user(WS, GITHUB_TOKENS.dev),
    );
    runs.stagingSecond = second.run?.runId ?? 0n;
    await github.settle(Number(runs.stagingSecond));
    await pipelineUntil("checkout", (current) => stateOf(current, "staging")?.currentVersion === "v1.2.0", "staging at v1.2.0");
  });

  it("shows production waiting for approval with its reviewers; approving through ReviewDeployment completes it", async () => {
    const { run } = await client().triggerDeployment(
      { workspaceId: WS, service: "checkout", environment: "production", version: "v1.2.0", inputs: { dry_run: "false" } },
      await user(WS, GITHUB_TOKENS.dev),
    );
    runs.productionApproved = run?.runId ?? 0n;
    await github.settle(Number(runs.productionApproved));

    const waiting = await pipelineUntil(
      "checkout",
      (pipeline) => stateOf(pipeline, "production")?.state === DeploymentState.WAITING_APPROVAL,
      "production waiting for approval",
      { githubToken: GITHUB_TOKENS.releaseManager },
    );
    const gate = stateOf(waiting, "production")?.pendingApprovals[0];
    expect(gate).toMatchObject({ githubEnvironment: "production", currentUserCanApprove: true });
    expect(gate?.reviewers.map((reviewer) => [reviewer.type, reviewer.name])).toEqual([["User", "release-manager"]]);
    expect(gate?.githubEnvironmentId).toBeGreaterThan(0n);

    const review = await client().reviewDeployment(
      {
        workspaceId: WS,
        service: "checkout",
        environment: "production",
        runId: runs.productionApproved,
        decision: ReviewDecision.APPROVE,
        comment: "ship it",
      },
      await user(WS, GITHUB_TOKENS.releaseManager),
    );
    expect(review.githubEnvironments).toEqual(["production"]);
    expect(review.run?.runId).toBe(runs.productionApproved);
    await github.settle(Number(runs.productionApproved));
    const done = await pipelineUntil(
      "checkout",
      (pipeline) => stateOf(pipeline, "production")?.state === DeploymentState.SUCCESS,
      "production success",
    );
    expect(stateOf(done, "production")?.currentVersion).toBe("v1.2.0");
  });

  it("rejects another production run; a review without the user's own GitHub token is FAILED_PRECONDITION", async () => {
    const { run } = await client().triggerDeployment(
      { workspaceId: WS, service: "checkout", environment: "production", version: "v1.1.0" },
      await user(WS, GITHUB_TOKENS.dev),
    );
    runs.productionRejected = run?.runId ?? 0n;
    await github.settle(Number(runs.productionRejected));
    await pipelineUntil(
      "checkout",
      (pipeline) => stateOf(pipeline, "production")?.state === DeploymentState.WAITING_APPROVAL,
      "production waiting",
    );

    const review = {
      workspaceId: WS,
      service: "checkout",
      environment: "production",
      runId: runs.productionRejected,
      decision: ReviewDecision.REJECT,
      comment: "not today",
    };
    const withoutToken = await errorOf(client().reviewDeployment(review, await user()));
    expect(withoutToken.code).toBe(Code.FailedPrecondition);
    expect(withoutToken.rawMessage).toContain('plugin "deployment" answered HTTP 412');

    await client().reviewDeployment(review, await user(WS, GITHUB_TOKENS.releaseManager));
    const rejected = await pipelineUntil(
      "checkout",
      (pipeline) => stateOf(pipeline, "production")?.state === DeploymentState.FAILED,
      "production failed after the rejection",
    );
    expect(stateOf(rejected, "production")?.currentVersion).toBe("v1.2.0");
  });

  it("lists the whole history, newest first and paginated", async () => {
    const { deployments } = await client().listDeploymentHistory({ workspaceId: WS, service: "checkout" }, await user());
    expect(deployments.map((record) => [record.runId, record.environment, record.version, record.state])).toEqual([
      [runs.productionRejected, "production", "v1.1.0", DeploymentState.FAILED],
      [runs.productionApproved, "production", "v1.2.0", DeploymentState.SUCCESS],
      [runs.stagingSecond, "staging", "v1.2.0", DeploymentState.SUCCESS],
      [runs.stagingFirst, "staging", "v1.1.0", DeploymentState.SUCCESS],
    ]);
    expect(deployments.every((record) => record.createdAt !== undefined && record.htmlUrl !== "")).toBe(true);

    const firstPage = await client().listDeploymentHistory({ workspaceId: WS, service: "checkout", pageSize: 3 }, await user());
    expect(firstPage.deployments).toHaveLength(3);
    expect(firstPage.nextPageToken).not.toBe("");
    const lastPage = await client().listDeploymentHistory(
      { workspaceId: WS, service: "checkout", pageSize: 3, pageToken: firstPage.nextPageToken },
      await user(),
    );
    expect(lastPage.deployments.map((record) => record.runId)).toEqual([runs.stagingFirst]);
    expect(lastPage.nextPageToken).toBe("");

    const staging = await client().listDeploymentHistory({ workspaceId: WS, service: "checkout", environment: "staging" }, await user());
    expect(staging.deployments.map((record) => record.runId)).toEqual([runs.stagingSecond, runs.stagingFirst]);
  });

  it("rolls staging back: RollbackDeployment dispatches the earlier successful version", async () => {
    const rollback = await client().rollbackDeployment(
      { workspaceId: WS, service: "checkout", environment: "staging" },
      await user(WS, GITHUB_TOKENS.dev),
    );
    expect(rollback).toMatchObject({ version: "v1.1.0", rollbackOfRunId: runs.stagingFirst });
    const runId = rollback.run?.runId ?? 0n;
    const simulated = (await github.runs("acme/checkout")).find((candidate) => BigInt(candidate.id) === runId);
    expect(simulated?.inputs).toMatchObject({ version: "v1.1.0", environment: "staging" });
    await github.settle(Number(runId));
    await pipelineUntil(
      "checkout",
      (pipeline) => stateOf(pipeline, "staging")?.activeRun?.runId === runId && stateOf(pipeline, "staging")?.currentVersion === "v1.1.0",
      "staging back at v1.1.0",
    );
    const { deployments } = await client().listDeploymentHistory({ workspaceId: WS, service: "checkout", pageSize: 1 }, await user());
    expect(deployments[0]).toMatchObject({ runId, version: "v1.1.0", rollbackOfRunId: runs.stagingFirst, state: DeploymentState.SUCCESS });
  });
});

describe.sequential("economy: cache, shared pollers and conditional requests", () => {
  let waitingRun = 0;

  beforeAll(async () => {
    await configure(gw, WS, [stagingOf("payments"), productionOf("payments")]);
    // A production run waiting for approval: a pipeline that GitHub is asked about on every read.
    const { run } = await client().triggerDeployment(
      { workspaceId: WS, service: "payments", environment: "production", version: "v2.1.0" },
      await user(WS, GITHUB_TOKENS.dev),
    );
    waitingRun = Number(run?.runId);
    await github.settle(waitingRun);
    await pipelineUntil(
      "payments",
      (pipeline) => stateOf(pipeline, "production")?.state === DeploymentState.WAITING_APPROVAL,
      "payments waiting",
    );
  });

  it("a second GetPipeline within the cache window and an unchanged re-poll cost zero metered GitHub calls", async () => {
    const steady = await startGateway({
      ...gatewayEnv(),
      PIPELINE_CACHE_TTL: "10m",
      PIPELINE_WATCH_INTERVAL: "100ms",
      ORBIT_SVC_AUTH_SECRET: gw.secret,
    });
    try {
      await enableDeploymentPlugin(steady, WS, github.apiUrl, GITHUB_TOKENS.orbitBot);
      const options = await user();
      const deployments = deploymentsClient("connect-json", steady.url);
      const first = await deployments.getPipeline({ workspaceId: WS, service: "payments" }, options);
      expect(stateOf(first.pipeline, "production")?.state).toBe(DeploymentState.WAITING_APPROVAL);
      const before = await metered();
      const second = await deployments.getPipeline({ workspaceId: WS, service: "payments" }, options);
      expect(await metered()).toBe(before);
      expect(second.pipeline).toEqual(first.pipeline);

      const polls = () => metricValue(steady.gateway.metrics.pipelinePolls);
      const stop = new AbortController();
      const stream = readStream(
        deploymentsClient("grpc", steady.url).watchPipeline({ workspaceId: WS, service: "payments" }, { ...options, signal: stop.signal }),
      );
      await stream.next(undefined, "the first pipeline");
      const settled = (await polls()) + 1;
      await eventually(polls, (count) => count >= settled, "one more poll");
      const quiet = await github.counters();
      const target = (await polls()) + 3;
      await eventually(polls, (count) => count >= target, "three re-polls");
      const afterPolls = await github.counters();
      expect(afterPolls.metered).toBe(quiet.metered);
      // GitHub was asked on every re-poll (the run is waiting) and answered 304 Not Modified.
      expect(afterPolls.notModified - quiet.notModified).toBeGreaterThanOrEqual(3);
      expect(stream.received).toHaveLength(1);
      const unchanged = (await steady.gateway.metrics.pipelinePolls.get()).values.find((entry) => entry.labels.result === "unchanged");
      expect(unchanged?.value).toBeGreaterThanOrEqual(3);
      stop.abort();
      await stream.finished;
    } finally {
      await steady.close();
    }
  });

  it("a new watcher gets the workspace's cached pipeline as its first message at once, then the poller reads fresh without waiting its interval", async () => {
    // A 10-minute poll interval: any second read below comes from the first read being a cached one.
    const watching = await startGateway({
      ...gatewayEnv(),
      PIPELINE_CACHE_TTL: "10m",
      PIPELINE_WATCH_INTERVAL: "10m",
      ORBIT_SVC_AUTH_SECRET: gw.secret,
    });
    try {
      await enableDeploymentPlugin(watching, WS, github.apiUrl, GITHUB_TOKENS.orbitBot);
      const options = await user();
      const watch = () => {
        const stop = new AbortController();
        const stream = readStream(
          deploymentsClient("grpc", watching.url).watchPipeline(
            { workspaceId: WS, service: "payments" },
            { ...options, signal: stop.signal },
          ),
        );
        return { stop, stream };
      };
      const polls = () => metricValue(watching.gateway.metrics.pipelinePolls);
      const pollers = () => metricValue(watching.gateway.metrics.pipelinePollers);

      // Nothing cached yet: the first poller reads upstream (and stores the workspace's pipeline).
      const first = watch();
      const firstMessage = await first.stream.next(undefined, "the first watcher's first pipeline");
      expect(await polls()).toBe(1);
      first.stop.abort();
      await first.stream.finished;
      await eventually(pollers, (count) => count === 0, "the first poller to stop");

      const second = watch();
      const cachedMessage = await second.stream.next(undefined, "the second watcher's first pipeline");
      // The very pipeline the first poller read (observedAt changes on every upstream read).
      expect(cachedMessage.pipeline?.observedAt).toEqual(firstMessage.pipeline?.observedAt);
      expect(cachedMessage.pipeline).toEqual(firstMessage.pipeline);
      // ...then one fresh upstream read follows at once, not after the 10-minute interval.
      await eventually(polls, (count) => count === 2, "the fresh read after the cached one");
      // Unchanged apart from observedAt: not sent again.
      expect(second.stream.received).toHaveLength(1);
      second.stop.abort();
      await second.stream.finished;
    } finally {
      await watching.close();
    }
  });

  it("20 WatchPipeline watchers on one service cause the upstream traffic of one poller, stopped when the last leaves", async () => {
    const options = await user();
    const watchers = Array.from({ length: 20 }, (_, index) => {
      const stop = new AbortController();
      const kind = index % 2 === 0 ? "grpc" : "connect-json";
      const stream = readStream(
        deploymentsClient(kind, gw.url).watchPipeline({ workspaceId: WS, service: "payments" }, { ...options, signal: stop.signal }),
      );
      return { stop, stream };
    });
    await Promise.all(watchers.map(({ stream }) => stream.next(undefined, "the first pipeline")));
    expect(await metricValue(gw.gateway.metrics.pipelinePollers)).toBe(1);
    expect(await metricValue(gw.gateway.metrics.pipelineWatchers)).toBe(20);

    const polls = () => metricValue(gw.gateway.metrics.pipelinePolls);
    const sidecarBefore = await sidecar.requestCount();
    const pollsBefore = await polls();
    await eventually(polls, (count) => count >= pollsBefore + 5, "five polls");
    const pollsAfter = await polls();
    const sidecarAfter = await sidecar.requestCount();
    // One sidecar request per poll (plus at most the one in flight when counting began), not 20.
    expect(sidecarAfter - sidecarBefore).toBeLessThanOrEqual(pollsAfter - pollsBefore + 1);
    expect(sidecarAfter - sidecarBefore).toBeGreaterThanOrEqual(pollsAfter - pollsBefore - 1);

    for (const { stop } of watchers.slice(0, 19)) stop.abort();
    await eventually(
      () => metricValue(gw.gateway.metrics.pipelineWatchers),
      (value) => value === 1,
      "19 watchers to leave",
    );
    expect(await metricValue(gw.gateway.metrics.pipelinePollers)).toBe(1);
    watchers[19]?.stop.abort();
    await eventually(
      () => metricValue(gw.gateway.metrics.pipelinePollers),
      (value) => value === 0,
      "the poller to stop",
    );
  });

  it("a watcher outlives transient upstream failures: the poller backs off, retries and streams the next change", async () => {
    const stop = new AbortController();
    const stream = readStream(client().watchPipeline({ workspaceId: WS, service: "payments" }, { ...(await user()), signal: stop.signal }));
    await stream.next(
      (message) => stateOf(message.pipeline, "production")?.state === DeploymentState.WAITING_APPROVAL,
      "production waiting",
    );
    const errors = async () =>
      (await gw.gateway.metrics.pipelinePolls.get()).values.find((entry) => entry.labels.result === "error")?.value ?? 0;
    const errorsBefore = await errors();
    // GitHub refuses the workspace credential's next two requests (secondary rate limit, retry after 1 s).
    await fetch(`${github.url}/_simulator/secondary-rate-limit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ identity: "orbit-bot", requests: 2, retryAfterSeconds: 1 }),
    });
    await eventually(errors, (count) => count > errorsBefore, "a failed poll");

    await client().reviewDeployment(
      {
        workspaceId: WS,
        service: "payments",
        environment: "production",
        runId: BigInt(waitingRun),
        decision: ReviewDecision.REJECT,
        comment: "not this one",
      },
      await user(WS, GITHUB_TOKENS.releaseManager),
    );
    await stream.next(
      (message) => stateOf(message.pipeline, "production")?.state === DeploymentState.FAILED,
      "the rejection, after the failures",
    );
    stop.abort();
    const ended = (await stream.finished) as { code?: Code } | undefined;
    expect(ended?.code).toBe(Code.Canceled);
  });
});

describe("GitHub failures reach the caller with the right code", () => {
  it("a rate limit is RESOURCE_EXHAUSTED with the retry time, a permission error PERMISSION_DENIED, never confused", async () => {
    await configure(gw, WS, [stagingOf("payments")]);
    const { versions } = await client().listVersions({ workspaceId: WS, service: "payments" }, await user());
    const sha = versions.find((version) => version.kind === VersionKind.COMMIT)?.sha ?? "";
    await github.forceRateLimit("orbit-bot");
    try {
      // The workspace's credential is rate limited: an uncached read with it.
      const limited = await errorOf(client().listVersions({ workspaceId: WS, service: "payments", sha: sha.slice(0, 11) }, await user()));
      expect(limited.code).toBe(Code.ResourceExhausted);
      expect(limited.rawMessage).toMatch(/retry in \d+s/);
      const [retry] = limited.findDetails(RetryInfoSchema);
      expect(Number(retry?.retryDelay?.seconds)).toBeGreaterThanOrEqual(1);
      expect(Number(limited.metadata.get("retry-after"))).toBe(Number(retry?.retryDelay?.seconds));

      // A read-only user's dispatch is refused for permission, not for rate limit.
      const denied = await errorOf(
        client().triggerDeployment(
          { workspaceId: WS, service: "payments", environment: "staging", version: "v2.0.0" },
          await user(WS, GITHUB_TOKENS.viewer),
        ),
      );
      expect(denied.code).toBe(Code.PermissionDenied);
      expect(denied.findDetails(RetryInfoSchema)).toEqual([]);
      expect(denied.rawMessage).not.toMatch(/rate limit/i);
    } finally {
      await github.clearRateLimits();
    }
  });
});

describe("GitHub unreachable", () => {
  it("is UNAVAILABLE with the plugin's reason, and never opens the sidecar circuit for other plugins and workspaces", async () => {
    const workspaceId = "ws-deploy-unreachable";
    await enableDeploymentPlugin(gw, workspaceId, "http://127.0.0.1:9", GITHUB_TOKENS.orbitBot);
    for (let attempt = 0; attempt < 8; attempt++) {
      const error = await errorOf(client().listWorkflows({ workspaceId, repository: "acme/checkout" }, await user(workspaceId)));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toMatch(/plugin "deployment" answered HTTP 503: GitHub at http:\/\/127\.0\.0\.1:9 is unreachable/);
    }
    expect(await (await fetch(`${gw.url}/metrics`)).text()).toContain('plugins_sidecar_circuit_state{state="closed"} 1');
    // Another workspace's calls still reach the sidecar.
    await expect(client().listServices({ workspaceId: WS }, await user())).resolves.toBeDefined();
  });
});

describe("egress refused by the sidecar", () => {
  it("is FAILED_PRECONDITION naming the rule when an allowed name resolves to a loopback address", async () => {
    const workspaceId = "ws-deploy-egress";
    await enableDeploymentPlugin(gw, workspaceId, refusedByName, GITHUB_TOKENS.orbitBot);
    const error = await errorOf(client().listWorkflows({ workspaceId, repository: "acme/checkout" }, await user(workspaceId)));
    expect(error.code, error.rawMessage).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain("Egress policy refused the connection: localhost resolves to a loopback address");
    expect(error.rawMessage).not.toContain("127.0.0.1");
    expect(await (await fetch(`${gw.url}/metrics`)).text()).toContain('plugins_sidecar_circuit_state{state="closed"} 1');
  });
});

describe("the same flow against GitHub Enterprise Server (/api/v3)", () => {
  it("configures, lists versions, deploys through an approval gate, keeps history and rolls back", async () => {
    await configure(gw, GHES_WS, [stagingOf("checkout"), productionOf("checkout")]);
    const { versions } = await client().listVersions({ workspaceId: GHES_WS, service: "checkout" }, await user(GHES_WS));
    expect(versions.map((version) => version.name)).toContain("v1.0.1");

    const deploy = async (environment: string, version: string) => {
      const { run } = await client().triggerDeployment(
        { workspaceId: GHES_WS, service: "checkout", environment, version },
        await user(GHES_WS, GITHUB_TOKENS.dev),
      );
      const runId = run?.runId ?? 0n;
      expect(run?.htmlUrl).toContain(ghes.url);
      await ghes.settle(Number(runId));
      return runId;
    };
    const first = await deploy("staging", "v1.0.1");
    await deploy("staging", "v1.1.0");
    await pipelineUntil("checkout", (pipeline) => stateOf(pipeline, "staging")?.currentVersion === "v1.1.0", "GHES staging at v1.1.0", {
      workspaceId: GHES_WS,
    });

    const gated = await deploy("production", "v1.1.0");
    await pipelineUntil(
      "checkout",
      (pipeline) => stateOf(pipeline, "production")?.state === DeploymentState.WAITING_APPROVAL,
      "GHES production waiting",
      { workspaceId: GHES_WS },
    );
    await client().reviewDeployment(
      { workspaceId: GHES_WS, service: "checkout", environment: "production", runId: gated, decision: ReviewDecision.APPROVE, comment: "" },
      await user(GHES_WS, GITHUB_TOKENS.releaseManager),
    );
    await ghes.settle(Number(gated));
    await pipelineUntil(
      "checkout",
      (pipeline) => stateOf(pipeline, "production")?.state === DeploymentState.SUCCESS,
      "GHES production success",
      { workspaceId: GHES_WS },
    );

    const rollback = await client().rollbackDeployment(
      { workspaceId: GHES_WS, service: "checkout", environment: "staging" },
      await user(GHES_WS, GITHUB_TOKENS.dev),
    );
    expect(rollback).toMatchObject({ version: "v1.0.1", rollbackOfRunId: first });
    const { deployments } = await client().listDeploymentHistory({ workspaceId: GHES_WS, service: "checkout" }, await user(GHES_WS));
    expect(deployments).toHaveLength(4);
    expect((await ghes.runs("acme/checkout")).length).toBe(4);
  });
});

describe("requests the gateway refuses itself", () => {
  it("names the invalid field (INVALID_ARGUMENT) before anything reaches the sidecar", async () => {
    const options = await user();
    const c = client();
    const before = await sidecar.requestCount();
    const adminOptions = await admin();
    const cases: Array<[string, () => Promise<unknown>]> = [
      ["service", () => c.listEnvironments({ workspaceId: WS, service: "" }, options)],
      ["service", () => c.getPipeline({ workspaceId: WS, service: "Not A Name" }, options)],
      ["environment", () => c.triggerDeployment({ workspaceId: WS, service: "checkout", environment: "", version: "v1" }, options)],
      ["version", () => c.triggerDeployment({ workspaceId: WS, service: "checkout", environment: "staging", version: "" }, options)],
      ["decision", () => c.reviewDeployment({ workspaceId: WS, service: "checkout", environment: "production", runId: 1n }, options)],
      [
        "run_id",
        () =>
          c.reviewDeployment(
            { workspaceId: WS, service: "checkout", environment: "production", decision: ReviewDecision.APPROVE },
            options,
          ),
      ],
      ["page_size", () => c.listDeploymentHistory({ workspaceId: WS, service: "checkout", pageSize: 101 }, options)],
      ["page_size", () => c.listDeploymentHistory({ workspaceId: WS, service: "checkout", pageSize: -1 }, options)],
      ["sha", () => c.listVersions({ workspaceId: WS, service: "checkout", sha: "not-a-sha" }, options)],
      ["repository", () => c.listWorkflows({ workspaceId: WS, repository: "no-slash" }, options)],
      ["github_api_url", () => c.listWorkflows({ workspaceId: WS, repository: "acme/checkout", githubApiUrl: "ftp://example" }, options)],
      ["environment", () => c.upsertEnvironment({ workspaceId: WS }, adminOptions)],
      [
        "environment.repository",
        () => c.upsertEnvironment({ workspaceId: WS, environment: { ...stagingOf("checkout"), repository: "x" } }, adminOptions),
      ],
      [
        "inputs",
        () =>
          c.triggerDeployment(
            {
              workspaceId: WS,
              service: "checkout",
              environment: "staging",
              version: "v1",
              inputs: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`flag${i}`, "x"])),
            },
            options,
          ),
      ],
    ];
    for (const [field, call] of cases) {
      const error = await errorOf(call());
      expect(error.code, field).toBe(Code.InvalidArgument);
      expect(error.rawMessage, field).toContain(field);
    }
    const watch = await errorOf(
      (async () => {
        for await (const _ of c.watchPipeline({ workspaceId: WS, service: "" }, options)) break;
      })(),
    );
    expect(watch.code).toBe(Code.InvalidArgument);
    expect(await sidecar.requestCount()).toBe(before);
  });

  it("environment writes need an admin token; deletes are idempotent", async () => {
    const scratch = { ...stagingOf("checkout"), name: "scratch", order: 9 };
    expect((await errorOf(client().upsertEnvironment({ workspaceId: WS, environment: scratch }, await user()))).code).toBe(
      Code.PermissionDenied,
    );
    await client().upsertEnvironment({ workspaceId: WS, environment: scratch }, await admin());
    const request = { workspaceId: WS, service: "checkout", environment: "scratch" };
    expect((await errorOf(client().deleteEnvironment(request, await user()))).code).toBe(Code.PermissionDenied);
    expect((await client().deleteEnvironment(request, await admin())).deleted).toBe(true);
    expect((await client().deleteEnvironment(request, await admin())).deleted).toBe(false);
  });

  it("keeps workspaces apart", async () => {
    const { services } = await client().listServices({ workspaceId: OTHER }, await user(OTHER));
    expect(services.map((service) => service.name)).not.toContain("checkout");
    expect((await errorOf(client().getPipeline({ workspaceId: OTHER, service: "checkout" }, await user(OTHER)))).code).toBe(Code.NotFound);
    const foreign = await errorOf(client().listServices({ workspaceId: OTHER }, await user(WS)));
    expect(foreign.code).toBe(Code.PermissionDenied);
    // A stream's one request message is checked the same way before anything is read.
    const watchForeign = async () => {
      for await (const _ of client().watchPipeline({ workspaceId: OTHER, service: "checkout" }, await user(WS))) break;
    };
    expect((await errorOf(watchForeign())).code).toBe(Code.PermissionDenied);
  });

  it("answers FAILED_PRECONDITION where the plugin is disabled, for calls and for watches (also mid-stream)", async () => {
    const disabled = "ws-deploy-disabled";
    expect((await errorOf(client().listServices({ workspaceId: disabled }, await user(disabled)))).code).toBe(Code.FailedPrecondition);
    const watch = await errorOf(
      (async () => {
        for await (const _ of client().watchPipeline({ workspaceId: disabled, service: "checkout" }, await user(disabled))) break;
      })(),
    );
    expect(watch.code).toBe(Code.FailedPrecondition);

    const flipping = "ws-deploy-flipping";
    await enableDeploymentPlugin(gw, flipping, github.apiUrl, GITHUB_TOKENS.orbitBot);
    await configure(gw, flipping, [stagingOf("checkout")]);
    const stream = readStream(client().watchPipeline({ workspaceId: flipping, service: "checkout" }, await user(flipping)));
    await stream.next(undefined, "the first pipeline");
    await pluginsClient("connect-json", gw.url).disablePlugin({ workspaceId: flipping, pluginId: "deployment" }, await admin(flipping));
    const failure = (await stream.finished) as { code?: Code } | undefined;
    expect(failure?.code).toBe(Code.FailedPrecondition);
    await eventually(
      () => metricValue(gw.gateway.metrics.pipelinePollers),
      (value) => value === 0,
      "the poller to stop",
    );
  });
});

describe("plugin settings travel to the sidecar, never to logs", () => {
  it("calls act with the workspace's own credential and base URL; a client's settings header is ignored", async () => {
    // Were these settings used, the call would fail: nothing listens there, and GitHub knows no such token.
    const forged = Buffer.from(
      JSON.stringify({ config: { github_api_url: "http://127.0.0.1:9/api/v3" }, secrets: { github_token: "ghp_forged" } }),
    ).toString("base64url");
    const options = await user();
    const { workflows } = await client().listWorkflows(
      { workspaceId: WS, repository: "acme/payments" },
      { headers: { ...options.headers, "x-orbit-plugin-config": forged } },
    );
    expect(workflows.find((workflow) => workflow.path === ".github/workflows/deploy.yml")).toMatchObject({ acceptsDispatch: true });
    expect(workflows.find((workflow) => workflow.path === ".github/workflows/ci.yml")?.acceptsDispatch).toBe(false);
    expect(workflows[0]?.htmlUrl).toContain(github.url);

    const logs = gw.logLines.join("\n");
    expect(logs).not.toContain(GITHUB_TOKENS.orbitBot);
    expect(logs).not.toContain(forged);
  });

  it("reach the plugin through ProxyPluginRequest and GetPluginData too", async () => {
    const options = await user();
    const proxied = await pluginsClient("grpc", gw.url).proxyPluginRequest(
      { workspaceId: WS, pluginId: "deployment", endpointPath: "/workflows", queryParams: { repository: "acme/checkout", probe: "proxy" } },
      options,
    );
    expect(proxied.statusCode).toBe(200);
    const body = JSON.parse(new TextDecoder().decode(proxied.data)) as { workflows: { htmlUrl: string }[] };
    expect(body.workflows[0]?.htmlUrl).toContain(github.url);
    const data = await pluginsClient("connect-json", gw.url).getPluginData(
      { workspaceId: WS, pluginId: "deployment", params: { path: "/services/checkout/pipeline" } },
      options,
    );
    expect(JSON.parse(new TextDecoder().decode(data.data))).toMatchObject({ service: "checkout" });
  });

  it("a new configuration (config version) never meets an answer cached under the old one", async () => {
    const workspaceId = "ws-deploy-switch";
    await enableDeploymentPlugin(gw, workspaceId, github.apiUrl, GITHUB_TOKENS.orbitBot);
    const list = async () => client().listWorkflows({ workspaceId, repository: "acme/checkout" }, await user(workspaceId));
    const requests = async (simulator: RunningGitHubSimulator) => (await simulator.counters()).requests;
    const first = await list();
    expect(first.workflows[0]?.htmlUrl).toContain(github.url);
    const githubBefore = await requests(github);
    expect((await list()).workflows).toEqual(first.workflows); // from the gateway's cache
    expect(await requests(github)).toBe(githubBefore);

    await pluginsClient("connect-json", gw.url).updatePluginConfig(
      { workspaceId, pluginId: "deployment", config: { github_api_url: ghes.apiUrl } },
      await admin(workspaceId),
    );
    const ghesBefore = await requests(ghes);
    const switched = await list();
    expect(switched.workflows[0]?.htmlUrl).toContain(ghes.url);
    expect(await requests(ghes)).toBeGreaterThan(ghesBefore);
    expect(await requests(github)).toBe(githubBefore);
  });
});

describe("WatchPipeline lifecycle", () => {
  it("ends at the client's deadline and stops its poller", async () => {
    await configure(gw, OTHER, [{ ...stagingOf("checkout"), service: "watched" }]);
    const error = await errorOf(
      (async () => {
        for await (const _ of client().watchPipeline(
          { workspaceId: OTHER, service: "watched" },
          { ...(await user(OTHER)), timeoutMs: 700 },
        )) {
          // keep watching until the deadline
        }
      })(),
    );
    expect(error.code).toBe(Code.DeadlineExceeded);
    await eventually(
      () => metricValue(gw.gateway.metrics.pipelinePollers),
      (value) => value === 0,
      "the poller to stop",
    );
  });

  it("ends open streams with UNAVAILABLE when the gateway shuts down, so clients retry elsewhere", async () => {
    const leaving = await startGateway({ ...gatewayEnv(), PIPELINE_WATCH_INTERVAL: "100ms", ORBIT_SVC_AUTH_SECRET: gw.secret });
    await enableDeploymentPlugin(leaving, OTHER, github.apiUrl, GITHUB_TOKENS.orbitBot);
    const stream = readStream(
      deploymentsClient("grpc", leaving.url).watchPipeline({ workspaceId: OTHER, service: "watched" }, await user(OTHER)),
    );
    await stream.next(undefined, "the first pipeline");
    const closing = leaving.close();
    const failure = (await stream.finished) as { code?: Code } | undefined;
    expect(failure?.code).toBe(Code.Unavailable);
    await closing;
    expect(await metricValue(leaving.gateway.metrics.pipelinePollers)).toBe(0);
  });
});
