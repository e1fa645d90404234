import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSimulator, DEMO_TOKENS, type GitHubSimulator } from '@orbit-idp/github-simulator';
import { type CallerOptions, type DeploymentTestBackend, startDeploymentBackend } from '../testUtils/deploymentBackend';

describe('deployment environments', () => {
  let sim: GitHubSimulator;
  let backend: DeploymentTestBackend;

  const staging = { order: 0, repository: 'acme/checkout', workflow: 'deploy.yml' };

  beforeAll(async () => {
    sim = await createGitHubSimulator({ seed: 'demo' });
    sim.control.seed({
      repos: [
        {
          owner: 'acme',
          name: 'legacy',
          collaborators: { 'orbit-bot': 'write' },
          workflows: [
            {
              name: 'Release',
              file: 'release.yml',
              inputs: { tag: { required: true }, target: { required: true } },
            },
            { name: 'Plain', file: 'plain.yml' },
          ],
        },
      ],
    });
    backend = await startDeploymentBackend();
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.close();
  });

  /** A caller of workspace `workspaceId` whose plugin configuration points at the simulator. */
  const workspace = (workspaceId: string, extra: Partial<CallerOptions> = {}) =>
    backend.as({
      workspaceId,
      userId: 'user_admin',
      settings: {
        config: { github_api_url: sim.apiUrl },
        secrets: { github_token: DEMO_TOKENS.orbitBot },
      },
      ...extra,
    });

  describe('CRUD', () => {
    it('creates, replaces, lists and deletes environments', async () => {
      const api = workspace('ws-crud');

      const created = await api.put('/services/checkout/environments/staging').send(staging);
      expect(created.status).toBe(200);
      expect(created.body.created).toBe(true);
      expect(created.body.environment).toEqual({
        service: 'checkout',
        name: 'staging',
        order: 0,
        repository: 'acme/checkout',
        workflow: 'deploy.yml',
        job: null,
        githubEnvironment: null,
        ref: 'main',
        versionInput: 'version',
        environmentInput: 'environment',
        githubApiUrl: null,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedBy: 'user_admin',
      });

      const production = await api.put('/services/checkout/environments/production').send({
        order: 1,
        repository: 'acme/checkout',
        workflow: 'deploy.yml',
        job: 'deploy',
        githubEnvironment: 'production',
        ref: '',
        versionInput: '',
        environmentInput: '',
        githubApiUrl: '',
      });
      expect(production.status).toBe(200);
      expect(production.body.environment).toMatchObject({
        job: 'deploy',
        githubEnvironment: 'production',
        ref: 'main',
        versionInput: 'version',
        environmentInput: 'environment',
        githubApiUrl: null,
      });

      const replaced = await api
        .put('/services/checkout/environments/staging')
        .send({ ...staging, order: 5, environmentInput: '-' });
      expect(replaced.status).toBe(200);
      expect(replaced.body.created).toBe(false);
      expect(replaced.body.environment).toMatchObject({ order: 5, environmentInput: '-' });

      const listed = await api.get('/services/checkout/environments');
      expect(listed.status).toBe(200);
      expect(listed.body.environments.map((e: { name: string }) => e.name)).toEqual(['production', 'staging']);

      await api
        .put('/services/payments/environments/staging')
        .send({ order: 0, repository: 'acme/payments', workflow: 'deploy.yml' })
        .expect(200);
      const services = await api.get('/services');
      expect(services.status).toBe(200);
      expect(services.body).toEqual({
        services: [
          { name: 'checkout', environments: ['production', 'staging'], repositories: ['acme/checkout'] },
          { name: 'payments', environments: ['staging'], repositories: ['acme/payments'] },
        ],
      });

      const deleted = await api.delete('/services/checkout/environments/production');
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ deleted: true });
      const again = await api.delete('/services/checkout/environments/production');
      expect(again.body).toEqual({ deleted: false });
      const after = await api.get('/services/checkout/environments');
      expect(after.body.environments.map((e: { name: string }) => e.name)).toEqual(['staging']);
    });

    it('lists no environments for a service nobody configured', async () => {
      const res = await workspace('ws-empty').get('/services/nothing/environments');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ environments: [] });
    });
  });

  describe('validation', () => {
    it('names every offending field of a malformed environment', async () => {
      const res = await workspace('ws-validate').put('/services/checkout/environments/staging').send({
        order: -1,
        repository: 'not-a-repository',
        workflow: 'deploy.sh',
        versionInput: '1version',
        githubApiUrl: 'ftp://ghe.example',
        colour: 'blue',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      const message: string = res.body.error.message;
      for (const field of ['order', 'repository', 'workflow', 'versionInput', 'githubApiUrl', 'colour']) {
        expect(message).toContain(field);
      }
    });

    it('rejects an order that is not an integer and a missing repository', async () => {
      const res = await workspace('ws-validate')
        .put('/services/checkout/environments/staging')
        .send({ order: 1.5, workflow: 'deploy.yml' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/order .*integer/);
      expect(res.body.error.message).toContain('repository');
    });

    it('rejects malformed service and environment names in the path', async () => {
      const api = workspace('ws-validate');
      const badService = await api.put('/services/Checkout/environments/staging').send(staging);
      expect(badService.status).toBe(400);
      expect(badService.body.error.message).toContain('service');
      const badEnvironment = await api.put('/services/checkout/environments/-staging').send(staging);
      expect(badEnvironment.status).toBe(400);
      expect(badEnvironment.body.error.message).toContain('environment');
    });

    it('answers 404 for a repository GitHub does not have', async () => {
      const res = await workspace('ws-validate')
        .put('/services/checkout/environments/staging')
        .send({ ...staging, repository: 'acme/nope' });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('acme/nope');
    });

    it('answers 404 for a workflow the repository does not have', async () => {
      const res = await workspace('ws-validate')
        .put('/services/checkout/environments/staging')
        .send({ ...staging, workflow: 'missing.yml' });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('missing.yml');
    });

    it('refuses a workflow without workflow_dispatch', async () => {
      const res = await workspace('ws-validate')
        .put('/services/checkout/environments/staging')
        .send({ ...staging, workflow: 'ci.yml' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('workflow_dispatch');
    });

    it('refuses input names the workflow does not declare, and accepts its own', async () => {
      const api = workspace('ws-validate');
      const wrong = await api
        .put('/services/legacy/environments/staging')
        .send({ order: 0, repository: 'acme/legacy', workflow: 'release.yml' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.message).toContain('versionInput "version"');
      expect(wrong.body.error.message).toContain('environmentInput "environment"');

      const right = await api.put('/services/legacy/environments/staging').send({
        order: 0,
        repository: 'acme/legacy',
        workflow: 'release.yml',
        versionInput: 'tag',
        environmentInput: 'target',
      });
      expect(right.status).toBe(200);

      // A workflow that declares no inputs at all cannot be checked further.
      const plain = await api
        .put('/services/legacy/environments/qa')
        .send({ order: 1, repository: 'acme/legacy', workflow: 'plain.yml' });
      expect(plain.status).toBe(200);
    });

    it('answers 412 when the workspace has no GitHub credential', async () => {
      const res = await backend
        .as({ workspaceId: 'ws-no-credential', settings: { config: { github_api_url: sim.apiUrl }, secrets: {} } })
        .put('/services/checkout/environments/staging')
        .send(staging);
      expect(res.status).toBe(412);
      expect(res.body.error.name).toBe('GitHubCredentialMissingError');
      expect(res.body.response).toEqual({ statusCode: 412 });
    });
  });

  describe('workspace isolation', () => {
    it("never shows or changes one workspace's environments to another", async () => {
      const a = workspace('ws-iso-a');
      const b = workspace('ws-iso-b');
      await a.put('/services/checkout/environments/staging').send(staging).expect(200);

      expect((await b.get('/services')).body).toEqual({ services: [] });
      expect((await b.get('/services/checkout/environments')).body).toEqual({ environments: [] });
      expect((await b.delete('/services/checkout/environments/staging')).body).toEqual({ deleted: false });
      expect((await b.get('/services/checkout/pipeline')).status).toBe(404);

      const own = await b.put('/services/checkout/environments/staging').send({ ...staging, order: 9 });
      expect(own.body.created).toBe(true);

      const aEnvironments = (await a.get('/services/checkout/environments')).body.environments;
      expect(aEnvironments).toHaveLength(1);
      expect(aEnvironments[0].order).toBe(0);
    });

    it('takes the workspace only from the isolation header', async () => {
      const a = workspace('ws-iso-c');
      await a
        .put('/services/checkout/environments/staging')
        .send({ ...staging, workspaceId: 'ws-iso-d' })
        .expect(400);
      expect((await workspace('ws-iso-d').get('/services')).body).toEqual({ services: [] });
    });
  });

  describe('GET /workflows', () => {
    it('lists workflows with whether they accept dispatch and their inputs', async () => {
      const res = await workspace('ws-workflows').get('/workflows?repository=acme/checkout');
      expect(res.status).toBe(200);
      const byPath = Object.fromEntries(res.body.workflows.map((w: { path: string }) => [w.path, w]));
      expect(byPath['.github/workflows/deploy.yml']).toMatchObject({
        name: 'Deploy',
        state: 'active',
        acceptsDispatch: true,
        inputs: ['version', 'environment', 'dry_run'],
      });
      expect(byPath['.github/workflows/ci.yml']).toMatchObject({ acceptsDispatch: false });
    });

    it('validates the repository', async () => {
      const res = await workspace('ws-workflows').get('/workflows?repository=nope');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('repository');
    });
  });

  it('never logs or returns the workspace token', async () => {
    expect(backend.logs.dump()).not.toContain(DEMO_TOKENS.orbitBot);
  });
});
