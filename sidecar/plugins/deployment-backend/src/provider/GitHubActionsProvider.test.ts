import { ConflictError, InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  createGitHubSimulator,
  demoSeed,
  DEMO_TOKENS,
  type GitHubSimulator,
  type SimulatorSeed,
} from '@orbit-idp/github-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppInstallationTokens } from '../github/appInstallationTokens';
import { resolveProviderAccess } from '../github/credentials';
import { DispatchedRunNotFoundError, GitHubCredentialMissingError } from '../github/errors';
import { createGitHubClient } from '../github/GitHubClient';
import { appKeyPair, captureLogger, workspaceContext } from '../github/testHelpers';
import type { DeploymentProvider, DeploymentTarget, ProviderAccess } from './DeploymentProvider';
import { createGitHubActionsProvider } from './GitHubActionsProvider';

const APP_ID = 990001;
const INSTALLATION_ID = 91;

function seed(): SimulatorSeed {
  const demo = demoSeed();
  return {
    ...demo,
    repos: [
      ...(demo.repos ?? []),
      {
        owner: 'acme',
        name: 'tools',
        commits: 3,
        collaborators: { dev: 'write' },
        workflows: [
          {
            name: 'Listed triggers',
            file: 'listed.yml',
            content:
              'name: Listed triggers\non: [push, workflow_dispatch]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: [{ run: echo }]\n',
          },
          {
            name: 'String trigger',
            file: 'string.yaml',
            content: 'on: workflow_dispatch\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: [{ run: echo }]\n',
          },
        ],
      },
    ],
    apps: [
      {
        id: APP_ID,
        slug: 'orbit-deployer',
        owner: 'acme',
        publicKey: appKeyPair().publicKeyPem,
        installations: [
          {
            id: INSTALLATION_ID,
            account: 'acme',
            permissions: { actions: 'write', contents: 'read', deployments: 'read', pull_requests: 'read' },
          },
        ],
      },
    ],
  };
}

const userAccess = (baseUrl: string, token: string, purpose: 'read' | 'write' | 'review' = 'write'): ProviderAccess =>
  resolveProviderAccess({ context: workspaceContext({ githubToken: token }), purpose, defaultBaseUrl: baseUrl });

const target = (overrides: Partial<DeploymentTarget> = {}): DeploymentTarget => ({
  repository: 'acme/checkout',
  workflow: 'deploy.yml',
  ref: 'main',
  job: 'deploy',
  githubEnvironment: null,
  ...overrides,
});

describe('GitHubActionsProvider against the GitHub simulator', () => {
  let sim: GitHubSimulator;
  let provider: DeploymentProvider;
  let dev: ProviderAccess;
  let releaseManager: ProviderAccess;
  const logs = captureLogger();
  const errors: unknown[] = [];
  const capture = <T>(promise: Promise<T>) =>
    promise.catch((error: unknown) => {
      errors.push(error);
      return error;
    });

  beforeAll(async () => {
    sim = await createGitHubSimulator({ seed: seed() });
    provider = createGitHubActionsProvider({
      client: createGitHubClient({ logger: logs.logger }),
      logger: logs.logger,
    });
    dev = userAccess(sim.apiUrl, DEMO_TOKENS.dev);
    releaseManager = userAccess(sim.apiUrl, DEMO_TOKENS.releaseManager, 'review');
  });

  afterAll(async () => {
    // No error message and no log line ever carries a token.
    const text = `${errors.map(String).join('\n')}\n${logs.dump()}`;
    for (const token of Object.values(DEMO_TOKENS)) expect(text).not.toContain(token);
    await sim?.close();
  });

  const metered = () => sim.control.meteredCalls();

  it('authenticates a user token as its login', async () => {
    await expect(provider.authenticate(dev)).resolves.toEqual({ login: 'dev' });
  });

  it('authenticates GitHub App credentials as the App’s bot', async () => {
    const app = resolveProviderAccess({
      context: workspaceContext({
        settings: {
          config: { github_app_id: String(APP_ID), github_app_installation_id: String(INSTALLATION_ID) },
          secrets: { github_app_private_key: appKeyPair().privateKeyPem },
        },
      }),
      purpose: 'read',
      defaultBaseUrl: sim.apiUrl,
      appTokens: new AppInstallationTokens(),
    });
    await expect(provider.authenticate(app)).resolves.toEqual({ login: 'orbit-deployer[bot]' });
  });

  it('reads a repository, and NotFoundError for one it cannot see', async () => {
    await expect(provider.getRepository(dev, 'acme/checkout')).resolves.toMatchObject({
      fullName: 'acme/checkout',
      defaultBranch: 'main',
      htmlUrl: expect.stringContaining('/acme/checkout'),
    });
    expect(await capture(provider.getRepository(dev, 'acme/unknown'))).toBeInstanceOf(NotFoundError);
    expect(await capture(provider.getRepository(dev, 'not a repo'))).toBeInstanceOf(InputError);
  });

  it('lists workflows with whether they accept workflow_dispatch and their inputs', async () => {
    const workflows = await provider.listWorkflows(dev, 'acme/checkout');
    const byPath = Object.fromEntries(workflows.map(w => [w.path, w]));
    expect(byPath['.github/workflows/deploy.yml']).toMatchObject({
      name: 'Deploy',
      state: 'active',
      acceptsDispatch: true,
      inputs: ['version', 'environment', 'dry_run'],
    });
    expect(byPath['.github/workflows/ci.yml']).toMatchObject({ name: 'CI', acceptsDispatch: false, inputs: [] });
  });

  it('reads one workflow at a ref from its file: list and string forms of on:, missing ref, unknown workflow', async () => {
    await expect(provider.getWorkflow(dev, 'acme/tools', 'listed.yml', 'main')).resolves.toMatchObject({
      acceptsDispatch: true,
    });
    await expect(provider.getWorkflow(dev, 'acme/tools', '.github/workflows/string.yaml')).resolves.toMatchObject({
      acceptsDispatch: true,
      inputs: [],
    });
    await expect(provider.getWorkflow(dev, 'acme/checkout', 'deploy.yml', 'no-such-branch')).resolves.toMatchObject({
      acceptsDispatch: false,
    });
    expect(await capture(provider.getWorkflow(dev, 'acme/checkout', 'nope.yml'))).toBeInstanceOf(NotFoundError);
  });

  it('lists tags and the last commits of the ref; a warm second listing costs no rate limit', async () => {
    const versions = await provider.listVersions(dev, 'acme/checkout', 'main', 50);
    const tags = versions.filter(v => v.kind === 'tag');
    const commits = versions.filter(v => v.kind === 'commit');
    expect(tags.map(t => t.name)).toEqual(['v1.2.0', 'v1.1.0', 'v1.0.1', 'v1.0.0']);
    expect(commits).toHaveLength(50);
    expect(versions.slice(0, 4).every(v => v.kind === 'tag')).toBe(true);
    const dates = commits.map(c => Date.parse(c.committedAt ?? ''));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    for (const tag of tags) {
      const commit = commits.find(c => c.sha === tag.sha);
      expect(commit, tag.name).toBeDefined();
      expect(tag).toMatchObject({ message: commit?.message, committedAt: commit?.committedAt });
      expect(tag.htmlUrl).toMatch(new RegExp(`/acme/checkout/tree/${tag.name}$`));
    }
    expect(commits[0]).toMatchObject({
      name: commits[0]!.sha.slice(0, 7),
      htmlUrl: expect.stringContaining('/commit/'),
    });

    const before = metered();
    await provider.listVersions(dev, 'acme/checkout', 'main', 50);
    expect(metered() - before).toBe(0);
  });

  it('finds a commit by abbreviated SHA or tag, and NotFoundError for an unknown one', async () => {
    const [latest] = (await provider.listVersions(dev, 'acme/checkout', 'main', 1)).filter(v => v.kind === 'commit');
    await expect(provider.getCommit(dev, 'acme/checkout', latest!.sha.slice(0, 10))).resolves.toMatchObject({
      sha: latest!.sha,
    });
    const tagged = await provider.getCommit(dev, 'acme/checkout', 'v1.0.0');
    expect(tagged.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await capture(provider.getCommit(dev, 'acme/checkout', 'deadbeefdeadbeef'))).toBeInstanceOf(NotFoundError);
  });

  it('lists pull requests by state: merged means closed with merged_at', async () => {
    const open = await provider.listPullRequests(dev, 'acme/checkout', 'open');
    expect(open.map(p => p.title).sort()).toEqual([
      'Draft: migrate to the new tax API',
      'Express checkout behind a feature flag',
    ]);
    expect(open.every(p => p.state === 'open')).toBe(true);
    const merged = await provider.listPullRequests(dev, 'acme/checkout', 'merged');
    expect(merged).toEqual([
      expect.objectContaining({ title: 'Retry payment authorisation once', state: 'merged', author: 'dev' }),
    ]);
    const closed = await provider.listPullRequests(dev, 'acme/checkout', 'closed');
    expect(closed.map(p => p.title)).toEqual(['Experiment: new basket layout']);
  });

  describe('deployments', () => {
    it('refuses more than 25 inputs before calling GitHub', async () => {
      const inputs = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`input_${i}`, 'x']));
      const before = sim.control.counters().requests;
      const error = await capture(provider.triggerDeployment(dev, { target: target(), inputs }));
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toContain('at most 25');
      expect(sim.control.counters().requests).toBe(before);
    });

    it('dispatches with return_run_details and knows the run at once; later dispatches cost one call', async () => {
      const first = await provider.triggerDeployment(dev, {
        target: target(),
        inputs: { version: 'v1.1.0', environment: 'staging' },
      });
      const runs = sim.control.runs('acme/checkout');
      expect(first.runId).toBe(runs.at(-1)!.id);
      expect(first).toMatchObject({
        state: 'queued',
        status: 'queued',
        conclusion: null,
        htmlUrl: runs.at(-1)!.htmlUrl,
      });
      expect(first.apiUrl).toBe(runs.at(-1)!.url);

      const before = metered();
      const second = await provider.triggerDeployment(dev, {
        target: target(),
        inputs: { version: 'v1.2.0', environment: 'staging' },
      });
      expect(metered() - before).toBe(1);
      expect(second.runId).toBe(sim.control.runs('acme/checkout').at(-1)!.id);
      expect(sim.control.run(second.runId)?.inputs).toMatchObject({ version: 'v1.2.0', environment: 'staging' });
    });

    it('follows a run through queued → running → waiting_approval (with reviewers) → approved → success', async () => {
      const t = target({ githubEnvironment: 'production' });
      const run = await provider.triggerDeployment(dev, {
        target: t,
        inputs: { version: 'v1.2.0', environment: 'production' },
      });

      const queued = await provider.getDeploymentStatus(dev, t, run.runId);
      expect(queued.run.state).toBe('queued');
      expect(queued.approvals).toEqual([]);

      sim.control.advance(run.runId);
      const running = await provider.getDeploymentStatus(dev, t, run.runId);
      expect(running.run).toMatchObject({ state: 'running', status: 'in_progress', actor: 'dev' });
      expect(running.run.headSha).toMatch(/^[0-9a-f]{40}$/);
      expect(running.job).toMatchObject({ name: 'deploy' });

      sim.control.advance(run.runId);
      const waiting = await provider.getDeploymentStatus(dev, t, run.runId);
      expect(waiting.run).toMatchObject({ state: 'waiting_approval', status: 'waiting' });
      expect(waiting.approvals).toEqual([
        {
          environmentId: expect.any(Number),
          environmentName: 'production',
          reviewers: [{ type: 'User', name: 'release-manager', htmlUrl: expect.stringContaining('release-manager') }],
          waitTimerMinutes: 0,
          waitTimerStartedAt: null,
          currentUserCanApprove: false,
        },
      ]);
      const asReviewer = await provider.getDeploymentStatus(releaseManager, t, run.runId);
      expect(asReviewer.approvals[0]?.currentUserCanApprove).toBe(true);

      // Nothing changed: re-polling costs no rate limit.
      const before = metered();
      await provider.getDeploymentStatus(dev, t, run.runId);
      expect(metered() - before).toBe(0);

      expect(await capture(provider.reviewDeployment(dev, t, run.runId, 'approve', 'lgtm'))).toBeInstanceOf(
        NotAllowedError,
      );
      await expect(provider.reviewDeployment(releaseManager, t, run.runId, 'approve', 'ship it')).resolves.toEqual({
        environments: ['production'],
      });
      expect((await provider.getDeploymentStatus(dev, t, run.runId)).run.state).toBe('running');

      sim.control.settle(run.runId);
      const done = await provider.getDeploymentStatus(dev, t, run.runId);
      expect(done.run).toMatchObject({ state: 'success', status: 'completed', conclusion: 'success' });
      expect(done.run.completedAt).not.toBeNull();
      expect(done.job).toMatchObject({ name: 'deploy', status: 'completed', conclusion: 'success' });
      expect(done.approvals).toEqual([]);
    });

    it('asks for the run, its job and (when last seen waiting) its gates at once: one round trip', async () => {
      const t = target({ githubEnvironment: 'production' });
      const run = await provider.triggerDeployment(dev, {
        target: t,
        inputs: { version: 'v1.2.0', environment: 'production' },
      });
      sim.control.settle(run.runId); // stops at production's gate
      const release = sim.control.hold();
      const status = provider.getDeploymentStatus(dev, t, run.runId, { expectWaiting: true });
      // All three are in flight before GitHub has answered any of them.
      await sim.control.waitForHeldRequests(3);
      expect(sim.control.heldRequests()).toBe(3);
      release();
      const waiting = await status;
      expect(waiting.run.state).toBe('waiting_approval');
      expect(waiting.job).toMatchObject({ name: 'deploy' });
      expect(waiting.approvals.map(gate => gate.environmentName)).toEqual(['production']);

      // A run that has moved on since: the gates asked for ahead are not reported.
      await provider.reviewDeployment(releaseManager, t, run.runId, 'approve', 'ship it');
      const moved = await provider.getDeploymentStatus(dev, t, run.runId, { expectWaiting: true });
      expect(moved.run.state).toBe('running');
      expect(moved.approvals).toEqual([]);
    });

    it('rejects a waiting deployment, which then fails', async () => {
      const t = target({ githubEnvironment: 'production' });
      const run = await provider.triggerDeployment(dev, {
        target: t,
        inputs: { version: 'v1.0.0', environment: 'production' },
      });
      sim.control.settle(run.runId);
      await expect(provider.reviewDeployment(releaseManager, t, run.runId, 'reject', 'not today')).resolves.toEqual({
        environments: ['production'],
      });
      const status = await provider.getDeploymentStatus(dev, t, run.runId);
      expect(status.run).toMatchObject({ state: 'failed', conclusion: 'failure' });
    });

    it('refuses reviews that cannot apply: no gate, another environment, no user token', async () => {
      const staging = await provider.triggerDeployment(dev, {
        target: target(),
        inputs: { version: 'v1.0.0', environment: 'staging' },
      });
      expect(
        await capture(provider.reviewDeployment(releaseManager, target(), staging.runId, 'approve', '')),
      ).toBeInstanceOf(ConflictError);

      const production = await provider.triggerDeployment(dev, {
        target: target(),
        inputs: { version: 'v1.0.0', environment: 'production' },
      });
      sim.control.settle(production.runId);
      const elsewhere = target({ githubEnvironment: 'staging' });
      expect(
        await capture(provider.reviewDeployment(releaseManager, elsewhere, production.runId, 'approve', '')),
      ).toBeInstanceOf(ConflictError);
      const workspace = resolveProviderAccess({
        context: workspaceContext({ settings: { secrets: { github_token: DEMO_TOKENS.orbitBot } } }),
        purpose: 'write',
        defaultBaseUrl: sim.apiUrl,
      });
      expect(
        await capture(provider.reviewDeployment(workspace, target(), production.runId, 'approve', '')),
      ).toBeInstanceOf(GitHubCredentialMissingError);
      expect(sim.control.run(production.runId)?.status).toBe('waiting');
    });

    it('reports failed and cancelled runs', async () => {
      const failing = await provider.triggerDeployment(dev, {
        target: target(),
        inputs: { version: 'v1.0.0', environment: 'staging' },
      });
      sim.control.failRun(failing.runId);
      sim.control.settle(failing.runId);
      expect((await provider.getDeploymentStatus(dev, target(), failing.runId)).run.state).toBe('failed');
      const cancelled = await provider.triggerDeployment(dev, {
        target: target(),
        inputs: { version: 'v1.0.0', environment: 'staging' },
      });
      sim.control.cancelRun(cancelled.runId);
      expect((await provider.getDeploymentStatus(dev, target(), cancelled.runId)).run.state).toBe('cancelled');
      expect(await capture(provider.getDeploymentStatus(dev, target(), 987654321))).toBeInstanceOf(NotFoundError);
    });
  });
});

describe('GitHubActionsProvider against GitHub Enterprise Server 3.19 (no return_run_details, slow run listing)', () => {
  let sim: GitHubSimulator;
  let provider: DeploymentProvider;
  let dev: ProviderAccess;

  beforeAll(async () => {
    sim = await createGitHubSimulator({ seed: seed(), ghesVersion: '3.19', runListingLag: 2 });
    provider = createGitHubActionsProvider({
      client: createGitHubClient(),
      dispatchLookup: { initialDelayMs: 10, maxDelayMs: 50, timeoutMs: 5_000 },
    });
    dev = userAccess(sim.apiUrl, DEMO_TOKENS.dev);
  });

  afterAll(async () => {
    await sim?.close();
  });

  const dispatchAttempts = () =>
    sim.control
      .requestLog()
      .filter(e => e.endpoint === 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches');

  it('falls back to dispatching without run details and finds the run it started by listing runs', async () => {
    // Another user's run, created just before ours and hidden from the run list for a while:
    // it must not be taken for ours.
    const other = sim.control.dispatch({
      repo: 'acme/checkout',
      workflow: 'deploy.yml',
      ref: 'main',
      inputs: { version: 'v1.0.0', environment: 'staging' },
      actor: 'release-manager',
    });
    const runsBefore = sim.control.runs('acme/checkout').length;
    const run = await provider.triggerDeployment(dev, {
      target: target(),
      inputs: { version: 'v1.1.0', environment: 'staging' },
    });
    const runs = sim.control.runs('acme/checkout');
    expect(runs).toHaveLength(runsBefore + 1);
    expect(run.runId).toBe(runs.at(-1)!.id);
    expect(run.runId).not.toBe(other.id);
    expect(run).toMatchObject({ state: 'queued', actor: 'dev', headSha: runs.at(-1)!.headSha });
    expect(run.apiUrl).toContain('/api/v3/repos/acme/checkout/actions/runs/');
    expect(dispatchAttempts().map(e => e.status)).toEqual([422, 204]);
  });

  it('never takes an earlier run of the same login for the one it started', async () => {
    const earlier = sim.control.dispatch({
      repo: 'acme/checkout',
      workflow: 'deploy.yml',
      ref: 'main',
      inputs: { version: 'v1.0.0', environment: 'staging' },
      actor: 'dev',
    });
    // Let GitHub "index" the earlier run: it is listed from now on, ours will lag behind it.
    const lister = createGitHubClient();
    for (let i = 0; i < 3; i += 1) {
      await lister.request(dev, { path: '/repos/acme/checkout/actions/runs', query: { i } });
    }
    const fresh = createGitHubActionsProvider({
      client: createGitHubClient(),
      dispatchLookup: { initialDelayMs: 10, maxDelayMs: 50 },
    });
    const run = await fresh.triggerDeployment(dev, {
      target: target(),
      inputs: { version: 'v1.1.0', environment: 'staging' },
    });
    expect(run.runId).not.toBe(earlier.id);
    expect(run.runId).toBe(sim.control.runs('acme/checkout').at(-1)!.id);
  });

  it('remembers that this server does not return run details', async () => {
    const before = dispatchAttempts().length;
    const run = await provider.triggerDeployment(dev, {
      target: target(),
      inputs: { version: 'v1.2.0', environment: 'staging' },
    });
    expect(run.runId).toBe(sim.control.runs('acme/checkout').at(-1)!.id);
    expect(
      dispatchAttempts()
        .slice(before)
        .map(e => e.status),
    ).toEqual([204]);
  });

  it('follows status and approvals over /api/v3', async () => {
    const t = target({ githubEnvironment: 'production' });
    const run = await provider.triggerDeployment(dev, {
      target: t,
      inputs: { version: 'v1.2.0', environment: 'production' },
    });
    sim.control.settle(run.runId);
    const waiting = await provider.getDeploymentStatus(dev, t, run.runId);
    expect(waiting.run.state).toBe('waiting_approval');
    const reviewer = userAccess(sim.apiUrl, DEMO_TOKENS.releaseManager, 'review');
    await expect(provider.reviewDeployment(reviewer, t, run.runId, 'approve', 'ok')).resolves.toEqual({
      environments: ['production'],
    });
    sim.control.settle(run.runId);
    expect((await provider.getDeploymentStatus(dev, t, run.runId)).run.state).toBe('success');
  });

  it('gives up at the deadline with an error saying the workflow was dispatched', async () => {
    const lagging = await createGitHubSimulator({ seed: seed(), ghesVersion: '3.19', runListingLag: 1_000_000 });
    try {
      const impatient = createGitHubActionsProvider({
        client: createGitHubClient(),
        dispatchLookup: { initialDelayMs: 10, maxDelayMs: 40, timeoutMs: 300 },
      });
      const error = await impatient
        .triggerDeployment(userAccess(lagging.apiUrl, DEMO_TOKENS.dev), {
          target: target(),
          inputs: { version: 'v1.0.0', environment: 'staging' },
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DispatchedRunNotFoundError);
      expect(error).toMatchObject({ name: 'ServiceUnavailableError', dispatched: true });
      expect((error as Error).message).toContain('was dispatched');
      expect(lagging.control.runs('acme/checkout')).toHaveLength(1);
    } finally {
      await lagging.close();
    }
  });
});
