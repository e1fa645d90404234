import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGitHubSimulator,
  DEMO_TOKENS,
  deployWorkflow,
  type GitHubSimulator,
  type RepoSeed,
} from '@orbit-idp/github-simulator';
import type { DeploymentRecord, EnvironmentStatus, Pipeline, Version } from '@internal/plugin-deployment-common';
import { type CallerOptions, type DeploymentTestBackend, startDeploymentBackend } from '../testUtils/deploymentBackend';

describe('deployments over GitHub Actions (simulator)', () => {
  let sim: GitHubSimulator;
  let backend: DeploymentTestBackend;

  beforeAll(async () => {
    sim = await createGitHubSimulator({ seed: 'demo' });
    backend = await startDeploymentBackend();
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.close();
  });

  const workspace = (workspaceId: string, extra: Partial<CallerOptions> = {}) =>
    backend.as({
      workspaceId,
      userId: 'user_dana',
      settings: {
        config: { github_api_url: sim.apiUrl },
        secrets: { github_token: DEMO_TOKENS.orbitBot },
      },
      ...extra,
    });

  type Api = ReturnType<typeof workspace>;

  /** staging (no protection) → production (required reviewer), deploying acme/checkout. */
  async function configure(api: Api, service = 'checkout') {
    await api
      .put(`/services/${service}/environments/staging`)
      .send({ order: 0, repository: 'acme/checkout', workflow: 'deploy.yml', githubEnvironment: 'staging' })
      .expect(200);
    await api
      .put(`/services/${service}/environments/production`)
      .send({
        order: 1,
        repository: 'acme/checkout',
        workflow: 'deploy.yml',
        job: 'deploy',
        githubEnvironment: 'production',
      })
      .expect(200);
  }

  async function trigger(api: Api, environment: string, version: string, service = 'checkout') {
    const res = await api.post(`/services/${service}/environments/${environment}/deployments`).send({ version });
    expect(res.status).toBe(200);
    return res.body.run as { runId: number; state: string; version: string };
  }

  async function pipeline(api: Api, service = 'checkout'): Promise<Pipeline> {
    const res = await api.get(`/services/${service}/pipeline`);
    expect(res.status).toBe(200);
    return res.body;
  }

  const stage = (p: Pipeline, name: string) => p.environments.find(e => e.environment === name) as EnvironmentStatus;

  /** Deploys `version` to staging and lets the simulated run finish. */
  async function deployed(api: Api, version: string, environment = 'staging') {
    const run = await trigger(api, environment, version);
    sim.control.settle(run.runId);
    return run.runId;
  }

  describe('GET /services/:service/versions', () => {
    let api: Api;
    beforeAll(async () => {
      api = workspace('ws-versions');
      await configure(api);
    });

    it('offers tags and the last 50 commits of the ref', async () => {
      const res = await api.get('/services/checkout/versions');
      expect(res.status).toBe(200);
      const versions: Version[] = res.body.versions;
      const tags = versions.filter(v => v.kind === 'tag').map(v => v.name);
      expect(tags).toEqual(expect.arrayContaining(['v1.0.0', 'v1.0.1', 'v1.1.0', 'v1.2.0']));
      const commits = versions.filter(v => v.kind === 'commit');
      expect(commits).toHaveLength(50);
      for (const version of versions) {
        expect(version.sha).toMatch(/^[0-9a-f]{40}$/);
        expect(version.htmlUrl).toMatch(/^http/);
      }
    });

    it('filters by a query on name or message', async () => {
      const res = await api.get('/services/checkout/versions?query=v1.1');
      expect(res.status).toBe(200);
      const versions: Version[] = res.body.versions;
      expect(versions.map(v => v.name)).toContain('v1.1.0');
      expect(versions.map(v => v.name)).not.toContain('v1.2.0');
      for (const version of versions) {
        expect(`${version.name} ${version.message ?? ''}`.toLowerCase()).toContain('v1.1');
      }
    });

    it('finds a commit by full or abbreviated SHA typed by hand', async () => {
      const all: Version[] = (await api.get('/services/checkout/versions')).body.versions;
      const commit = all.find(v => v.kind === 'commit' && v.name !== all[0]?.name) as Version;

      const full = await api.get(`/services/checkout/versions?sha=${commit.sha}`);
      expect(full.status).toBe(200);
      expect(full.body.versions).toHaveLength(1);
      expect(full.body.versions[0]).toMatchObject({ kind: 'commit', sha: commit.sha });

      const short = await api.get(`/services/checkout/versions?sha=${commit.sha.slice(0, 8)}`);
      expect(short.status).toBe(200);
      expect(short.body.versions[0].sha).toBe(commit.sha);
    });

    it('answers 404 for a SHA the repository does not have, 400 for one that is no SHA', async () => {
      const missing = await api.get('/services/checkout/versions?sha=0123456789abcdef0123456789abcdef01234567');
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toContain('0123456789abcdef');
      const malformed = await api.get('/services/checkout/versions?sha=not-a-sha');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.message).toContain('sha');
    });

    it('answers 404 for an unknown environment or service', async () => {
      expect((await api.get('/services/checkout/versions?environment=qa')).status).toBe(404);
      expect((await api.get('/services/unknown/versions')).status).toBe(404);
    });
  });

  describe('trigger and pipeline', () => {
    it('dispatches with the version and environment inputs and follows the run to success', async () => {
      const api = workspace('ws-pipeline');
      await configure(api);

      const before = await pipeline(api);
      expect(before.service).toBe('checkout');
      expect(before.environments.map(e => [e.environment, e.order, e.state])).toEqual([
        ['staging', 0, 'pending'],
        ['production', 1, 'pending'],
      ]);
      expect(stage(before, 'staging')).toMatchObject({
        currentVersion: null,
        activeRun: null,
        pendingApprovals: [],
        htmlUrl: `${sim.url}/acme/checkout/actions/workflows/deploy.yml`,
      });

      const res = await api
        .post('/services/checkout/environments/staging/deployments')
        .send({ version: 'v1.2.0', inputs: { dry_run: 'false' } });
      expect(res.status).toBe(200);
      const { run } = res.body;
      expect(run).toMatchObject({ environment: 'staging', version: 'v1.2.0', state: 'queued' });
      expect(run.htmlUrl).toBe(`${sim.url}/acme/checkout/actions/runs/${run.runId}`);
      expect(run.apiUrl).toBe(`${sim.apiUrl}/repos/acme/checkout/actions/runs/${run.runId}`);
      expect(sim.control.run(run.runId)?.inputs).toEqual({
        version: 'v1.2.0',
        environment: 'staging',
        dry_run: 'false',
      });

      const queued = stage(await pipeline(api), 'staging');
      expect(queued.state).toBe('queued');
      expect(queued.activeRun).toMatchObject({
        runId: run.runId,
        version: 'v1.2.0',
        state: 'queued',
        status: 'queued',
      });
      expect(queued.activeRun?.actor).toBe('user_dana');

      sim.control.advance(run.runId);
      const running = stage(await pipeline(api), 'staging');
      expect(running.state).toBe('running');
      expect(running.activeRun?.status).toBe('in_progress');

      // Nothing changed upstream: the re-read costs no metered GitHub call.
      const metered = sim.control.meteredCalls();
      expect(stage(await pipeline(api), 'staging').state).toBe('running');
      expect(sim.control.meteredCalls()).toBe(metered);

      sim.control.settle(run.runId);
      const done = await pipeline(api);
      const tagSha = ((await api.get('/services/checkout/versions?query=v1.2.0')).body.versions as Version[]).find(
        v => v.kind === 'tag',
      )?.sha;
      expect(stage(done, 'staging')).toMatchObject({
        state: 'success',
        currentVersion: 'v1.2.0',
        currentSha: tagSha,
        deployedAt: expect.any(String),
      });
      expect(stage(done, 'staging').activeRun).toMatchObject({
        state: 'success',
        status: 'completed',
        conclusion: 'success',
        completedAt: expect.any(String),
      });
      expect(stage(done, 'production').state).toBe('pending');
      expect(Date.parse(done.observedAt)).not.toBeNaN();
    });

    it('keeps showing the last seen state when GitHub no longer shows the run', async () => {
      const repo = (collaborators: RepoSeed['collaborators']): RepoSeed => ({
        owner: 'acme',
        name: 'vanishing',
        tags: [{ name: 'v0.1.0' }],
        workflows: [deployWorkflow('vanishing')],
        environments: [{ name: 'staging' }],
        collaborators,
      });
      sim.control.seed({ repos: [repo({ 'orbit-bot': 'write' })] });
      const api = workspace('ws-vanishing');
      await api
        .put('/services/vanishing/environments/staging')
        .send({ order: 0, repository: 'acme/vanishing', workflow: 'deploy.yml' })
        .expect(200);
      const runId = await (async () => {
        const run = await trigger(api, 'staging', 'v0.1.0', 'vanishing');
        sim.control.settle(run.runId);
        return run.runId;
      })();
      expect(stage(await pipeline(api, 'vanishing'), 'staging').state).toBe('success');

      // The bot loses access to the (private) repository: GitHub answers 404.
      sim.control.seed({ repos: [repo({})] });
      const res = await api.get('/services/vanishing/pipeline');
      expect(res.status).toBe(200);
      expect(stage(res.body, 'staging')).toMatchObject({
        state: 'success',
        currentVersion: 'v0.1.0',
        activeRun: { runId, state: 'success', status: 'completed', conclusion: 'success', job: null },
      });
    });

    it("names the GitHub login as the actor when the user's own token dispatched", async () => {
      const api = workspace('ws-actor');
      const asDev = workspace('ws-actor', { githubToken: DEMO_TOKENS.dev });
      await configure(api);
      const { runId } = await trigger(asDev, 'staging', 'v1.0.1');
      expect(sim.control.run(runId)?.actor).toBe('dev');
      sim.control.settle(runId);
      expect(stage(await pipeline(api), 'staging').activeRun?.actor).toBe('dev');
      const [record] = (await api.get('/services/checkout/history')).body.deployments;
      expect(record).toMatchObject({ runId, actor: 'dev' });
    });

    it('refuses extra inputs that would override the version, unknown environments and bad bodies', async () => {
      const api = workspace('ws-trigger-errors');
      await configure(api);
      const clash = await api
        .post('/services/checkout/environments/staging/deployments')
        .send({ version: 'v1.2.0', inputs: { version: 'v1.0.0' } });
      expect(clash.status).toBe(400);
      expect(clash.body.error.message).toContain('inputs.version');

      const tooMany = await api.post('/services/checkout/environments/staging/deployments').send({
        version: 'v1.2.0',
        inputs: Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`flag_${i}`, 'x'])),
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.message).toContain('25');

      const unknown = await api.post('/services/checkout/environments/qa/deployments').send({ version: 'v1.2.0' });
      expect(unknown.status).toBe(404);

      const noVersion = await api
        .post('/services/checkout/environments/staging/deployments')
        .send({ inputs: { dry_run: 1 } });
      expect(noVersion.status).toBe(400);
      expect(noVersion.body.error.message).toContain('version');
      expect(noVersion.body.error.message).toContain('inputs.dry_run');

      expect(sim.control.runs().filter(r => r.inputs.version === 'v1.0.0')).toEqual([]);
    });
  });

  describe('approvals', () => {
    let api: Api;
    let asReleaseManager: Api;
    let asDev: Api;
    let waitingRunId: number;

    beforeAll(async () => {
      api = workspace('ws-approvals');
      asReleaseManager = workspace('ws-approvals', { githubToken: DEMO_TOKENS.releaseManager });
      asDev = workspace('ws-approvals', { githubToken: DEMO_TOKENS.dev });
      await configure(api);
      waitingRunId = await deployed(api, 'v1.2.0', 'production');
      expect(sim.control.run(waitingRunId)?.status).toBe('waiting');
    });

    it('shows the gate with its reviewers and whether this user may approve', async () => {
      const production = stage(await pipeline(asReleaseManager), 'production');
      expect(production.state).toBe('waiting_approval');
      expect(production.activeRun).toMatchObject({ runId: waitingRunId, state: 'waiting_approval' });
      expect(production.pendingApprovals).toEqual([
        {
          githubEnvironmentId: expect.any(Number),
          githubEnvironment: 'production',
          reviewers: [expect.objectContaining({ type: 'User', name: 'release-manager' })],
          waitTimerMinutes: 0,
          waitTimerStartedAt: expect.toSatisfy((v: unknown) => v === null || typeof v === 'string'),
          currentUserCanApprove: true,
        },
      ]);

      const asSomeoneElse = stage(await pipeline(asDev), 'production');
      expect(asSomeoneElse.pendingApprovals[0]?.currentUserCanApprove).toBe(false);
    });

    it("needs the user's own token to review (412 without it)", async () => {
      const res = await api
        .post('/services/checkout/environments/production/reviews')
        .send({ runId: waitingRunId, decision: 'approve' });
      expect(res.status).toBe(412);
      expect(res.body.error.name).toBe('GitHubCredentialMissingError');
      expect(sim.control.run(waitingRunId)?.status).toBe('waiting');
    });

    it("passes on GitHub's refusal when the user is no required reviewer (403)", async () => {
      const res = await asDev
        .post('/services/checkout/environments/production/reviews')
        .send({ runId: waitingRunId, decision: 'approve', comment: 'lgtm' });
      expect(res.status).toBe(403);
      expect(res.headers['retry-after']).toBeUndefined();
      expect(sim.control.run(waitingRunId)?.status).toBe('waiting');
    });

    it('answers 404 for a run that is not a deployment of the environment', async () => {
      const res = await asReleaseManager
        .post('/services/checkout/environments/staging/reviews')
        .send({ runId: waitingRunId, decision: 'approve' });
      expect(res.status).toBe(404);
    });

    it('validates the review', async () => {
      const res = await asReleaseManager
        .post('/services/checkout/environments/production/reviews')
        .send({ runId: 'x', decision: 'maybe' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('runId');
      expect(res.body.error.message).toContain('decision');
    });

    it("approves with the reviewer's token and the deployment completes", async () => {
      const res = await asReleaseManager
        .post('/services/checkout/environments/production/reviews')
        .send({ runId: waitingRunId, decision: 'approve', comment: 'Ship it' });
      expect(res.status).toBe(200);
      expect(res.body.githubEnvironments).toEqual(['production']);
      expect(res.body.run).toMatchObject({ runId: waitingRunId, environment: 'production', version: 'v1.2.0' });
      expect(res.body.run.state).not.toBe('waiting_approval');

      sim.control.settle(waitingRunId);
      const production = stage(await pipeline(api), 'production');
      expect(production).toMatchObject({ state: 'success', currentVersion: 'v1.2.0', pendingApprovals: [] });
      expect(production.activeRun?.job).toMatchObject({ name: 'deploy', status: 'completed', conclusion: 'success' });
    });

    it("rejects with the reviewer's token: the run fails, the live version stays", async () => {
      const runId = await deployed(api, 'v1.1.0', 'production');
      const res = await asReleaseManager
        .post('/services/checkout/environments/production/reviews')
        .send({ runId, decision: 'reject', comment: 'Not today' });
      expect(res.status).toBe(200);
      expect(res.body.run).toMatchObject({ runId, state: 'failed' });

      const production = stage(await pipeline(api), 'production');
      expect(production).toMatchObject({ state: 'failed', currentVersion: 'v1.2.0' });
      expect(production.activeRun).toMatchObject({ runId, version: 'v1.1.0', state: 'failed' });
    });
  });

  describe('history', () => {
    let api: Api;
    const runIds: number[] = [];

    beforeAll(async () => {
      api = workspace('ws-history');
      await configure(api);
      for (const version of ['v1.0.0', 'v1.0.1', 'v1.1.0', 'v1.2.0']) {
        runIds.push(await deployed(api, version));
      }
      // Still running: stays unfinished in the history.
      runIds.push((await trigger(api, 'production', 'v1.2.0')).runId);
    });

    it('pages newest first with an opaque token, reading finished states from GitHub', async () => {
      const pages: DeploymentRecord[][] = [];
      let pageToken: string | undefined;
      do {
        const res = await api
          .get('/services/checkout/history')
          .query({ pageSize: 2, ...(pageToken ? { pageToken } : {}) });
        expect(res.status).toBe(200);
        pages.push(res.body.deployments);
        pageToken = res.body.nextPageToken;
      } while (pageToken);

      expect(pages.map(page => page.length)).toEqual([2, 2, 1]);
      const records = pages.flat();
      expect(records.map(r => r.runId)).toEqual([...runIds].reverse());
      expect(records.map(r => r.version)).toEqual(['v1.2.0', 'v1.2.0', 'v1.1.0', 'v1.0.1', 'v1.0.0']);
      // Recorded as queued at dispatch; the simulator finished them since.
      expect(records.slice(1).every(r => r.state === 'success' && r.completedAt !== null)).toBe(true);
      expect(records[0]).toMatchObject({ environment: 'production', state: 'queued', completedAt: null });
      expect(records[1]).toMatchObject({
        environment: 'staging',
        actor: 'user_dana',
        sha: expect.stringMatching(/^[0-9a-f]{40}$/),
        htmlUrl: `${sim.url}/acme/checkout/actions/runs/${runIds[3]}`,
        rollbackOfRunId: null,
      });
    });

    it('defaults to 20 per page and filters by environment', async () => {
      const all = await api.get('/services/checkout/history');
      expect(all.body.deployments).toHaveLength(5);
      expect(all.body.nextPageToken).toBeUndefined();
      const production = await api.get('/services/checkout/history?environment=production');
      expect(production.body.deployments.map((r: DeploymentRecord) => r.runId)).toEqual([runIds[4]]);
    });

    it('rejects bad page sizes and tokens', async () => {
      expect((await api.get('/services/checkout/history?pageSize=0')).status).toBe(400);
      expect((await api.get('/services/checkout/history?pageSize=101')).status).toBe(400);
      const bad = await api.get('/services/checkout/history?pageToken=bm90LWEtdG9rZW4');
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('pageToken');
    });

    it("keeps one workspace's history from another", async () => {
      const other = workspace('ws-history-other');
      expect((await other.get('/services/checkout/history')).status).toBe(404);
      await configure(other);
      expect((await other.get('/services/checkout/history')).body).toEqual({ deployments: [] });
      const review = await workspace('ws-history-other', { githubToken: DEMO_TOKENS.releaseManager })
        .post('/services/checkout/environments/production/reviews')
        .send({ runId: runIds[4], decision: 'reject' });
      expect(review.status).toBe(404);
      const rollback = await other
        .post('/services/checkout/environments/staging/rollbacks')
        .send({ toRunId: runIds[0] });
      expect(rollback.status).toBe(404);
    });
  });

  describe('rollback', () => {
    let api: Api;
    let v100: number;
    let v110: number;

    beforeAll(async () => {
      api = workspace('ws-rollback');
      await configure(api);
      v100 = await deployed(api, 'v1.0.0');
      v110 = await deployed(api, 'v1.1.0');
      await deployed(api, 'v1.1.0');
    });

    it('re-dispatches the last successful earlier version by default', async () => {
      const res = await api.post('/services/checkout/environments/staging/rollbacks').send({});
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        version: 'v1.0.0',
        rollbackOfRunId: v100,
        run: { environment: 'staging', version: 'v1.0.0', state: 'queued' },
      });
      expect(sim.control.run(res.body.run.runId)?.inputs).toMatchObject({
        version: 'v1.0.0',
        environment: 'staging',
      });
      sim.control.settle(res.body.run.runId);

      const [latest] = (await api.get('/services/checkout/history?pageSize=1')).body.deployments;
      expect(latest).toMatchObject({ runId: res.body.run.runId, rollbackOfRunId: v100, state: 'success' });
      expect(stage(await pipeline(api), 'staging').currentVersion).toBe('v1.0.0');
    });

    it('re-dispatches the version of a chosen successful run', async () => {
      const res = await api.post('/services/checkout/environments/staging/rollbacks').send({ toRunId: v110 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ version: 'v1.1.0', rollbackOfRunId: v110 });
      sim.control.settle(res.body.run.runId);
    });

    it('refuses a run that did not succeed (400) or is unknown (404)', async () => {
      sim.control.failNextRuns(1);
      const failed = await deployed(api, 'v1.2.0');
      expect(sim.control.run(failed)?.conclusion).toBe('failure');

      const notSuccessful = await api
        .post('/services/checkout/environments/staging/rollbacks')
        .send({ toRunId: failed });
      expect(notSuccessful.status).toBe(400);
      expect(notSuccessful.body.error.message).toContain('did not succeed');

      const unknown = await api.post('/services/checkout/environments/staging/rollbacks').send({ toRunId: 987654321 });
      expect(unknown.status).toBe(404);
    });

    it('answers 409 when there is nothing to roll back to', async () => {
      const fresh = workspace('ws-rollback-nothing');
      await configure(fresh);
      const never = await fresh.post('/services/checkout/environments/staging/rollbacks').send({});
      expect(never.status).toBe(409);
      expect(never.body.error.message).toContain('Nothing to roll back to');

      await deployed(fresh, 'v1.2.0');
      await deployed(fresh, 'v1.2.0');
      const sameVersion = await fresh.post('/services/checkout/environments/staging/rollbacks').send({});
      expect(sameVersion.status).toBe(409);
      expect(sameVersion.body.error.message).toContain('v1.2.0');
    });
  });

  describe('GET /pull-requests', () => {
    it('lists pull requests by state', async () => {
      const api = workspace('ws-pulls');
      const open = await api.get('/pull-requests?repository=acme/checkout');
      expect(open.status).toBe(200);
      const openTitles = open.body.pullRequests.map((p: { title: string }) => p.title);
      expect(openTitles).toEqual(
        expect.arrayContaining(['Express checkout behind a feature flag', 'Draft: migrate to the new tax API']),
      );
      expect(open.body.pullRequests[0]).toMatchObject({
        number: expect.any(Number),
        state: 'open',
        author: expect.any(String),
        createdAt: expect.any(String),
        url: expect.stringMatching(/^http/),
      });

      const merged = await api.get('/pull-requests?repository=acme/checkout&state=merged');
      expect(merged.status).toBe(200);
      expect(merged.body.pullRequests.map((p: { title: string; state: string }) => [p.title, p.state])).toEqual([
        ['Retry payment authorisation once', 'merged'],
      ]);

      const bad = await api.get('/pull-requests?repository=acme/checkout&state=draft');
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('state');
    });
  });

  it('never logs or returns a GitHub token', () => {
    const logs = backend.logs.dump();
    for (const token of Object.values(DEMO_TOKENS)) expect(logs).not.toContain(token);
  });
});
