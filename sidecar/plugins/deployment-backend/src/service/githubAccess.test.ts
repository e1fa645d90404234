import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSimulator, DEMO_TOKENS, type GitHubSimulator } from '@orbit-idp/github-simulator';
import { type CallerOptions, type DeploymentTestBackend, startDeploymentBackend } from '../testUtils/deploymentBackend';

/** Which GitHub the plugin talks to, with whose credential, and how GitHub's refusals come out. */
describe('GitHub access of the deployment plugin', () => {
  let sim: GitHubSimulator;
  let ghes: GitHubSimulator;
  let backend: DeploymentTestBackend;

  const environment = { order: 0, repository: 'acme/checkout', workflow: 'deploy.yml' };

  beforeAll(async () => {
    sim = await createGitHubSimulator({ seed: 'demo' });
    ghes = await createGitHubSimulator({ seed: 'demo', ghesVersion: '3.14' });
    backend = await startDeploymentBackend({
      // The backend-wide default, used when a workspace names no GitHub.
      extraConfig: { orbit: { deployment: { githubApiUrl: sim.apiUrl } } },
    });
  });

  afterEach(() => {
    sim.control.clearRateLimits();
    ghes.control.clearRateLimits();
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.close();
    await ghes?.close();
  });

  const workspace = (workspaceId: string, apiUrl: string | undefined, extra: Partial<CallerOptions> = {}) =>
    backend.as({
      workspaceId,
      userId: 'user_ops',
      settings: {
        config: apiUrl ? { github_api_url: apiUrl } : {},
        secrets: { github_token: DEMO_TOKENS.orbitBot },
      },
      ...extra,
    });

  describe('rate limits and permissions', () => {
    let api: ReturnType<typeof workspace>;
    beforeAll(async () => {
      api = workspace('ws-limits', sim.apiUrl);
      await api.put('/services/checkout/environments/staging').send(environment).expect(200);
    });

    it('answers 429 with Retry-After when the primary rate limit is exhausted', async () => {
      sim.control.forceRateLimit({ identity: 'orbit-bot' });
      const res = await api.get('/services/checkout/versions');
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(res.body).toMatchObject({
        error: { name: 'GitHubRateLimitError', message: expect.stringContaining('rate limit') },
        response: { statusCode: 429 },
      });
    });

    it("answers 429 with GitHub's retry-after for a secondary rate limit", async () => {
      sim.control.forceSecondaryRateLimit({ identity: 'orbit-bot', requests: 5, retryAfterSeconds: 42 });
      const res = await api.post('/services/checkout/environments/staging/deployments').send({ version: 'v1.2.0' });
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('42');
    });

    it('answers 403, not 429, when GitHub refuses for lack of permission', async () => {
      const asViewer = workspace('ws-limits', sim.apiUrl, { githubToken: DEMO_TOKENS.viewer });
      const runsBefore = sim.control.runs().length;
      const res = await asViewer
        .post('/services/checkout/environments/staging/deployments')
        .send({ version: 'v1.2.0' });
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
      expect(res.headers['retry-after']).toBeUndefined();
      expect(sim.control.runs()).toHaveLength(runsBefore);
    });

    it('answers 401 when GitHub does not accept the workspace token', async () => {
      const res = await backend
        .as({
          workspaceId: 'ws-limits',
          settings: { config: { github_api_url: sim.apiUrl }, secrets: { github_token: 'ghp_revoked_token' } },
        })
        .get('/services/checkout/versions');
      expect(res.status).toBe(401);
      expect(res.text).not.toContain('ghp_revoked_token');
    });

    it('answers 412 when the workspace configured no credential', async () => {
      const res = await backend
        .as({ workspaceId: 'ws-limits', settings: { config: { github_api_url: sim.apiUrl }, secrets: {} } })
        .get('/services/checkout/pipeline');
      expect(res.status).toBe(412);
      expect(res.body.error.name).toBe('GitHubCredentialMissingError');
    });
  });

  describe('GitHub Enterprise Server (/api/v3)', () => {
    it("runs the whole flow against the workspace's GHES base URL", async () => {
      expect(ghes.apiUrl).toBe(`${ghes.url}/api/v3`);
      const api = workspace('ws-ghes', ghes.apiUrl);
      const asReviewer = workspace('ws-ghes', ghes.apiUrl, { githubToken: DEMO_TOKENS.releaseManager });

      await api.put('/services/checkout/environments/staging').send(environment).expect(200);
      await api
        .put('/services/checkout/environments/production')
        .send({ ...environment, order: 1, githubEnvironment: 'production' })
        .expect(200);

      const versions = await api.get('/services/checkout/versions?query=v1.2.0');
      expect(versions.status).toBe(200);
      expect(versions.body.versions.map((v: { name: string }) => v.name)).toContain('v1.2.0');

      const triggered = await api
        .post('/services/checkout/environments/production/deployments')
        .send({ version: 'v1.2.0' });
      expect(triggered.status).toBe(200);
      const { run } = triggered.body;
      expect(run.apiUrl).toBe(`${ghes.apiUrl}/repos/acme/checkout/actions/runs/${run.runId}`);
      expect(ghes.control.run(run.runId)?.inputs).toMatchObject({ version: 'v1.2.0', environment: 'production' });
      expect(sim.control.run(run.runId)?.repo).not.toBe('acme/checkout');

      ghes.control.settle(run.runId);
      const waiting = await asReviewer.get('/services/checkout/pipeline');
      expect(waiting.status).toBe(200);
      const production = waiting.body.environments[1];
      expect(production).toMatchObject({
        environment: 'production',
        state: 'waiting_approval',
        htmlUrl: `${ghes.url}/acme/checkout/actions/workflows/deploy.yml`,
      });
      expect(production.pendingApprovals[0]).toMatchObject({ currentUserCanApprove: true });

      const approved = await asReviewer
        .post('/services/checkout/environments/production/reviews')
        .send({ runId: run.runId, decision: 'approve' });
      expect(approved.status).toBe(200);
      ghes.control.settle(run.runId);
      const done = await api.get('/services/checkout/pipeline');
      expect(done.body.environments[1]).toMatchObject({ state: 'success', currentVersion: 'v1.2.0' });
    });

    it('lets one environment use another GitHub than the workspace', async () => {
      const api = workspace('ws-mixed', sim.apiUrl);
      const put = await api
        .put('/services/onprem-checkout/environments/staging')
        .send({ ...environment, githubApiUrl: `${ghes.apiUrl}/` });
      expect(put.status).toBe(200);
      expect(put.body.environment.githubApiUrl).toBe(ghes.apiUrl);

      const ghesRuns = ghes.control.runs().length;
      const res = await api
        .post('/services/onprem-checkout/environments/staging/deployments')
        .send({ version: 'v1.1.0' });
      expect(res.status).toBe(200);
      expect(ghes.control.runs()).toHaveLength(ghesRuns + 1);
    });
  });

  it('falls back to orbit.deployment.githubApiUrl when the workspace names no GitHub', async () => {
    const api = workspace('ws-default-url', undefined);
    await api.put('/services/checkout/environments/staging').send(environment).expect(200);
    const runs = sim.control.runs().length;
    const res = await api.post('/services/checkout/environments/staging/deployments').send({ version: 'v1.0.0' });
    expect(res.status).toBe(200);
    expect(sim.control.runs()).toHaveLength(runs + 1);
  });

  it('never logs or returns a GitHub token', () => {
    const logs = backend.logs.dump();
    for (const token of [...Object.values(DEMO_TOKENS), 'ghp_revoked_token']) {
      expect(logs).not.toContain(token);
    }
  });
});
