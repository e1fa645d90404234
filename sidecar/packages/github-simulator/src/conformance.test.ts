/**
 * Every endpoint the simulator implements, called over HTTP and checked against
 * the operation's response schema in GitHub's OpenAPI description
 * (@octokit/openapi generated/api.github.com.json; GHES mode against each
 * ghes-3.x description the package carries).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAppJwt } from './jwt';
import { routes } from './routes';
import { createGitHubSimulator } from './server';
import { APP_ID, INSTALLATION_ID, TOKENS, appKeys, testSeed } from './testing/fixtures';
import { call, type ApiResponse } from './testing/http';
import { OpenApiResponseValidator } from './testing/openapi';
import type { GitHubSimulator } from './types';

interface Case {
  name: string;
  method: string;
  template: string;
  path: () => string;
  token?: string | (() => string);
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
}

let sim: GitHubSimulator;
let validator: OpenApiResponseValidator;
const ids: Record<string, number> = {};

beforeAll(async () => {
  validator = OpenApiResponseValidator.load('api.github.com');
  sim = await createGitHubSimulator({ seed: testSeed() });
  const c = sim.control;
  const dispatch = (environment: string, version = 'v1.1.0') =>
    c.dispatch({
      repo: 'acme/checkout',
      workflow: 'deploy.yml',
      ref: 'main',
      inputs: { version, environment },
      actor: 'dev',
    }).id;

  // Runs in every state, so that nullable fields are exercised both ways.
  ids.queued = dispatch('staging');
  ids.staging = dispatch('staging');
  c.settle(ids.staging);
  ids.waiting = dispatch('production');
  c.settle(ids.waiting);
  ids.approved = dispatch('production', 'v1.2.0');
  c.settle(ids.approved);
  c.review(ids.approved, { login: 'release-manager', state: 'approved', comment: 'ship it' });
  ids.inProgress = dispatch('staging', 'v1.0.1');
  c.advance(ids.inProgress);
  ids.failed = dispatch('staging', 'v1.0.0');
  c.failRun(ids.failed);
  c.settle(ids.failed);
  ids.rejected = dispatch('production', 'v1.0.0');
  c.settle(ids.rejected);
  c.review(ids.rejected, { login: 'release-manager', state: 'rejected', comment: 'not today' });
  ids.completedForCancel = dispatch('staging');
  c.settle(ids.completedForCancel);
  ids.toCancel = dispatch('staging');
  ids.toReview = dispatch('production', 'v1.2.0');
  c.settle(ids.toReview);

  const deployments = c.run(ids.approved)?.jobs[0]?.deploymentId;
  if (!deployments) throw new Error('no deployment for the approved run');
  ids.deployment = deployments;
  ids.job = c.run(ids.staging)?.jobs[0]?.id ?? 0;
  ids.workflow = c.run(ids.staging)?.workflowId ?? 0;
}, 120_000);

afterAll(async () => {
  await sim?.close();
});

const dev = TOKENS.dev;
const repo = '/repos/acme/checkout';
const appJwt = () => signAppJwt(APP_ID, appKeys().privateKey, Math.floor(sim.control.now().getTime() / 1000));

const cases: Case[] = [
  { name: 'rate limit', method: 'GET', template: '/rate_limit', path: () => '/rate_limit', token: dev, status: 200 },
  { name: 'authenticated user', method: 'GET', template: '/user', path: () => '/user', token: dev, status: 200 },
  { name: 'user needs auth', method: 'GET', template: '/user', path: () => '/user', status: 401 },
  { name: 'authenticated app', method: 'GET', template: '/app', path: () => '/app', token: appJwt, status: 200 },
  {
    name: 'installation token',
    method: 'POST',
    template: '/app/installations/{installation_id}/access_tokens',
    path: () => `/app/installations/${INSTALLATION_ID}/access_tokens`,
    token: appJwt,
    status: 201,
  },
  {
    name: 'installation token for selected repos',
    method: 'POST',
    template: '/app/installations/{installation_id}/access_tokens',
    path: () => `/app/installations/${INSTALLATION_ID}/access_tokens`,
    token: appJwt,
    body: { repositories: ['checkout'], permissions: { actions: 'read' } },
    status: 201,
  },
  {
    name: 'installation token, unknown installation',
    method: 'POST',
    template: '/app/installations/{installation_id}/access_tokens',
    path: () => '/app/installations/1/access_tokens',
    token: appJwt,
    status: 404,
  },
  { name: 'repository', method: 'GET', template: '/repos/{owner}/{repo}', path: () => repo, token: dev, status: 200 },
  {
    name: 'public repository, anonymous',
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    path: () => '/repos/octo/hello',
    status: 200,
  },
  {
    name: 'private repository, no access',
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    path: () => repo,
    token: TOKENS.outsider,
    status: 404,
  },
  {
    name: 'bad credentials',
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    path: () => repo,
    token: 'ghp_nope',
    status: 401,
  },
  {
    name: 'workflow file',
    method: 'GET',
    template: '/repos/{owner}/{repo}/contents/{path}',
    path: () => `${repo}/contents/.github/workflows/deploy.yml?ref=v1.2.0`,
    token: dev,
    status: 200,
  },
  {
    name: 'directory',
    method: 'GET',
    template: '/repos/{owner}/{repo}/contents/{path}',
    path: () => `${repo}/contents/.github`,
    token: dev,
    status: 200,
  },
  {
    name: 'missing file',
    method: 'GET',
    template: '/repos/{owner}/{repo}/contents/{path}',
    path: () => `${repo}/contents/nope.txt`,
    token: dev,
    status: 404,
  },
  {
    name: 'branches',
    method: 'GET',
    template: '/repos/{owner}/{repo}/branches',
    path: () => `${repo}/branches`,
    token: dev,
    status: 200,
  },
  {
    name: 'git ref',
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/ref/{ref}',
    path: () => `${repo}/git/ref/tags/v1.0.0`,
    token: dev,
    status: 200,
  },
  {
    name: 'git ref missing',
    method: 'GET',
    template: '/repos/{owner}/{repo}/git/ref/{ref}',
    path: () => `${repo}/git/ref/heads/nope`,
    token: dev,
    status: 404,
  },
  {
    name: 'tags',
    method: 'GET',
    template: '/repos/{owner}/{repo}/tags',
    path: () => `${repo}/tags`,
    token: dev,
    status: 200,
  },
  {
    name: 'commits',
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits',
    path: () => `${repo}/commits?sha=main&per_page=50`,
    token: dev,
    status: 200,
  },
  {
    name: 'commits of unknown sha',
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits',
    path: () => `${repo}/commits?sha=${'0'.repeat(40)}`,
    token: dev,
    status: 404,
  },
  {
    name: 'commit',
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}',
    path: () => `${repo}/commits/v1.1.0`,
    token: dev,
    status: 200,
  },
  {
    name: 'unknown commit',
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}',
    path: () => `${repo}/commits/${'a'.repeat(40)}`,
    token: dev,
    status: 422,
  },
  {
    name: 'pulls',
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls',
    path: () => `${repo}/pulls?state=all`,
    token: dev,
    status: 200,
  },
  {
    name: 'pulls, bad state',
    method: 'GET',
    template: '/repos/{owner}/{repo}/pulls',
    path: () => `${repo}/pulls?state=merged`,
    token: dev,
    status: 422,
  },
  {
    name: 'workflows',
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/workflows',
    path: () => `${repo}/actions/workflows`,
    token: dev,
    status: 200,
  },
  {
    name: 'workflow by file',
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}',
    path: () => `${repo}/actions/workflows/deploy.yml`,
    token: dev,
    status: 200,
  },
  {
    name: 'workflow by id',
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}',
    path: () => `${repo}/actions/workflows/${ids.workflow}`,
    token: dev,
    status: 200,
  },
  {
    name: 'dispatch',
    method: 'POST',
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    path: () => `${repo}/actions/workflows/deploy.yml/dispatches`,
    token: dev,
    body: { ref: 'main', inputs: { version: 'v1.2.0', environment: 'staging' } },
    status: 204,
  },
  {
    name: 'dispatch with run details',
    method: 'POST',
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    path: () => `${repo}/actions/workflows/deploy.yml/dispatches`,
    token: dev,
    body: { ref: 'v1.2.0', inputs: { version: 'v1.2.0', environment: 'staging' }, return_run_details: true },
    status: 200,
  },
  {
    name: 'dispatch, unexpected inputs',
    method: 'POST',
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    path: () => `${repo}/actions/workflows/deploy.yml/dispatches`,
    token: dev,
    body: { ref: 'main', inputs: { version: 'v1', environment: 'staging', colour: 'blue' } },
    status: 422,
  },
  {
    name: 'dispatch without write access',
    method: 'POST',
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    path: () => `${repo}/actions/workflows/deploy.yml/dispatches`,
    token: TOKENS.viewer,
    body: { ref: 'main', inputs: { version: 'v1', environment: 'staging' } },
    status: 403,
  },
  {
    name: 'workflow runs',
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
    path: () => `${repo}/actions/workflows/deploy.yml/runs?per_page=100`,
    token: dev,
    status: 200,
  },
  {
    name: 'workflow runs, filtered',
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
    path: () =>
      `${repo}/actions/workflows/deploy.yml/runs?event=workflow_dispatch&branch=main&status=waiting&created=%3E%3D2000-01-01T00:00:00Z`,
    token: dev,
    status: 200,
  },
  {
    name: 'repository runs',
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/runs',
    path: () => `${repo}/actions/runs?status=failure`,
    token: dev,
    status: 200,
  },
  ...(['queued', 'inProgress', 'waiting', 'staging', 'failed', 'rejected'] as const).map(
    (state): Case => ({
      name: `run (${state})`,
      method: 'GET',
      template: '/repos/{owner}/{repo}/actions/runs/{run_id}',
      path: () => `${repo}/actions/runs/${ids[state]}`,
      token: dev,
      status: 200,
    }),
  ),
  {
    name: 'unknown run',
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}',
    path: () => `${repo}/actions/runs/1`,
    token: dev,
    status: 404,
  },
  ...(['queued', 'inProgress', 'waiting', 'staging', 'failed', 'rejected'] as const).map(
    (state): Case => ({
      name: `jobs (${state})`,
      method: 'GET',
      template: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
      path: () => `${repo}/actions/runs/${ids[state]}/jobs?filter=all`,
      token: dev,
      status: 200,
    }),
  ),
  {
    name: 'job',
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/jobs/{job_id}',
    path: () => `${repo}/actions/jobs/${ids.job}`,
    token: dev,
    status: 200,
  },
  {
    name: 'cancel',
    method: 'POST',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/cancel',
    path: () => `${repo}/actions/runs/${ids.toCancel}/cancel`,
    token: dev,
    status: 202,
  },
  {
    name: 'cancel a completed run',
    method: 'POST',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/cancel',
    path: () => `${repo}/actions/runs/${ids.completedForCancel}/cancel`,
    token: dev,
    status: 409,
  },
  {
    name: 'pending deployments (reviewer)',
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
    path: () => `${repo}/actions/runs/${ids.waiting}/pending_deployments`,
    token: TOKENS.releaseManager,
    status: 200,
  },
  {
    name: 'pending deployments (none)',
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
    path: () => `${repo}/actions/runs/${ids.staging}/pending_deployments`,
    token: dev,
    status: 200,
  },
  {
    name: 'review by a non-reviewer',
    method: 'POST',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
    path: () => `${repo}/actions/runs/${ids.toReview}/pending_deployments`,
    token: dev,
    body: { environment_ids: [0], state: 'approved', comment: 'me' },
    status: 403,
  },
  {
    name: 'review',
    method: 'POST',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
    path: () => `${repo}/actions/runs/${ids.toReview}/pending_deployments`,
    token: TOKENS.releaseManager,
    body: () => undefined,
    status: 200,
  },
  {
    name: 'approvals',
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/approvals',
    path: () => `${repo}/actions/runs/${ids.approved}/approvals`,
    token: dev,
    status: 200,
  },
  {
    name: 'environments',
    method: 'GET',
    template: '/repos/{owner}/{repo}/environments',
    path: () => `${repo}/environments`,
    token: dev,
    status: 200,
  },
  {
    name: 'environments with rules',
    method: 'GET',
    template: '/repos/{owner}/{repo}/environments',
    path: () => '/repos/octo/hello/environments',
    token: TOKENS.admin,
    status: 200,
  },
  {
    name: 'environment',
    method: 'GET',
    template: '/repos/{owner}/{repo}/environments/{environment_name}',
    path: () => `${repo}/environments/production`,
    token: dev,
    status: 200,
  },
  {
    name: 'deployments',
    method: 'GET',
    template: '/repos/{owner}/{repo}/deployments',
    path: () => `${repo}/deployments`,
    token: dev,
    status: 200,
  },
  {
    name: 'deployments, filtered',
    method: 'GET',
    template: '/repos/{owner}/{repo}/deployments',
    path: () => `${repo}/deployments?environment=production&task=deploy&ref=main`,
    token: dev,
    status: 200,
  },
  {
    name: 'deployment',
    method: 'GET',
    template: '/repos/{owner}/{repo}/deployments/{deployment_id}',
    path: () => `${repo}/deployments/${ids.deployment}`,
    token: dev,
    status: 200,
  },
  {
    name: 'unknown deployment',
    method: 'GET',
    template: '/repos/{owner}/{repo}/deployments/{deployment_id}',
    path: () => `${repo}/deployments/1`,
    token: dev,
    status: 404,
  },
  {
    name: 'deployment statuses',
    method: 'GET',
    template: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    path: () => `${repo}/deployments/${ids.deployment}/statuses`,
    token: dev,
    status: 200,
  },
];

async function run(c: Case): Promise<ApiResponse> {
  const token = typeof c.token === 'function' ? c.token() : c.token;
  let body = typeof c.body === 'function' ? (c.body as () => unknown)() : c.body;
  if (c.name === 'review') {
    const pending = await call(sim.apiUrl, 'GET', `${repo}/actions/runs/${ids.toReview}/pending_deployments`, {
      token,
    });
    const envId = (pending.body as Array<{ environment: { id: number } }>)[0]?.environment.id;
    body = { environment_ids: [envId], state: 'approved', comment: 'LGTM' };
  }
  if (c.name === 'review by a non-reviewer') {
    const pending = await call(sim.apiUrl, 'GET', `${repo}/actions/runs/${ids.toReview}/pending_deployments`, {
      token,
    });
    const envId = (pending.body as Array<{ environment: { id: number } }>)[0]?.environment.id;
    body = { environment_ids: [envId], state: 'approved', comment: 'me' };
  }
  return call(sim.apiUrl, c.method, c.path(), { token, body, headers: c.headers });
}

describe('OpenAPI conformance (api.github.com)', () => {
  it.each(cases.map(c => [c.name, c] as const))('%s', async (_name, c) => {
    const response = await run(c);
    expect(response.status, response.text.slice(0, 500)).toBe(c.status);
    const check = validator.check(c.method, c.template, response.status, response.body);
    expect(check.errors, response.text.slice(0, 2000)).toEqual([]);
    expect(check.ok).toBe(true);
    if (c.status < 300) expect(check.documented).toBe(true);
  });

  it('covers every implemented operation with a success case', () => {
    const covered = new Set(cases.filter(c => c.status < 300).map(c => `${c.method} ${c.template}`));
    const implemented = routes().map(r => `${r.method} ${r.template}`);
    expect(implemented.filter(r => !covered.has(r))).toEqual([]);
    for (const r of routes())
      expect(validator.operation(r.method, r.template), `${r.method} ${r.template}`).toBeDefined();
  });

  it('answers a conditional request with 304 and no body, as documented', async () => {
    const first = await call(sim.apiUrl, 'GET', `${repo}/pulls`, { token: dev });
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
    const second = await call(sim.apiUrl, 'GET', `${repo}/pulls`, {
      token: dev,
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(second.status).toBe(304);
    expect(second.text).toBe('');
    expect(validator.check('GET', '/repos/{owner}/{repo}/pulls', 304, second.body).ok).toBe(true);
  });
});

describe('the validator is not vacuous', () => {
  const get = async (path: string) =>
    (await call(sim.apiUrl, 'GET', path, { token: dev })).body as Record<string, unknown>;
  const template = '/repos/{owner}/{repo}/actions/runs/{run_id}';

  it('accepts the real body', async () => {
    const body = await get(`${repo}/actions/runs/${ids.waiting}`);
    expect(validator.check('GET', template, 200, body).errors).toEqual([]);
  });

  it('rejects a body without a required field', async () => {
    const { head_sha: _dropped, ...body } = await get(`${repo}/actions/runs/${ids.waiting}`);
    const check = validator.check('GET', template, 200, body);
    expect(check.ok).toBe(false);
    expect(check.errors.join('\n')).toContain('head_sha');
  });

  it('rejects a field of the wrong type', async () => {
    const body = { ...(await get(`${repo}/actions/runs/${ids.waiting}`)), run_number: '7' };
    expect(validator.check('GET', template, 200, body).ok).toBe(false);
  });

  it('rejects a null where the schema does not allow one, and a wrong nested shape', async () => {
    const body = await get(`${repo}/actions/runs/${ids.waiting}`);
    expect(validator.check('GET', template, 200, { ...body, head_branch: null }).ok).toBe(true); // nullable in the spec
    expect(validator.check('GET', template, 200, { ...body, id: null }).ok).toBe(false);
    expect(validator.check('GET', template, 200, { ...body, actor: { login: 'dev' } }).ok).toBe(false);
  });

  it('rejects an invented field (strict mode)', async () => {
    const body = { ...(await get(`${repo}/actions/runs/${ids.waiting}`)), head_brnach: 'main' };
    const check = validator.check('GET', template, 200, body);
    expect(check.ok).toBe(false);
    expect(check.errors.join('\n')).toContain('head_brnach');
  });

  it('rejects a wrong list shape and an enum value GitHub does not send', async () => {
    const jobs = await get(`${repo}/actions/runs/${ids.staging}/jobs`);
    const jobsTemplate = '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs';
    expect(validator.check('GET', jobsTemplate, 200, jobs).ok).toBe(true);
    const [job] = jobs.jobs as Array<Record<string, unknown>>;
    expect(validator.check('GET', jobsTemplate, 200, { ...jobs, jobs: [{ ...job, status: 'running' }] }).ok).toBe(
      false,
    );
    expect(validator.check('GET', jobsTemplate, 200, { total_count: 1, jobs: job }).ok).toBe(false);
  });

  it('rejects a body on a documented empty answer, and an undocumented success status', () => {
    const dispatch = '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches';
    expect(validator.check('POST', dispatch, 204, undefined).ok).toBe(true);
    expect(validator.check('POST', dispatch, 204, { ok: true }).ok).toBe(false);
    expect(validator.check('POST', dispatch, 201, {}).ok).toBe(false);
    expect(
      validator.check('POST', dispatch, 200, { workflow_run_id: 1, run_url: 'not a url', html_url: 'https://x' }).ok,
    ).toBe(false);
  });
});

// Each GHES description the package carries, with the simulator in that version's mode.
// Strict as for github.com: the simulator sends no field these releases do not document.
describe.each([
  ['ghes-3.19', '3.19'],
  ['ghes-3.18', '3.18'],
  ['ghes-3.17', '3.17'],
] as const)('OpenAPI conformance (%s description, /api/v3)', (specName, ghesVersion) => {
  let ghes: GitHubSimulator;
  let ghesValidator: OpenApiResponseValidator;

  beforeAll(async () => {
    ghesValidator = OpenApiResponseValidator.load(specName, { strict: true });
    ghes = await createGitHubSimulator({ seed: testSeed(), ghesVersion });
    const id = ghes.control.dispatch({
      repo: 'acme/checkout',
      workflow: 'deploy.yml',
      ref: 'main',
      inputs: { version: 'v1.0.0', environment: 'production' },
    }).id;
    ghes.control.settle(id);
    ids.ghesRun = id;
    ids.ghesDeployment = ghes.control.run(id)?.jobs[0]?.deploymentId ?? 0;
    const env = await call(ghes.apiUrl, 'GET', `${repo}/environments/production`, { token: dev });
    ids.ghesProduction = (env.body as { id: number }).id;
  }, 120_000);

  afterAll(async () => {
    await ghes?.close();
  });

  const ghesCases: Array<[string, string, () => string, number, unknown?]> = [
    ['GET', '/repos/{owner}/{repo}', () => repo, 200],
    ['GET', '/repos/{owner}/{repo}/contents/{path}', () => `${repo}/contents/.github/workflows/deploy.yml`, 200],
    ['GET', '/repos/{owner}/{repo}/actions/workflows', () => `${repo}/actions/workflows`, 200],
    [
      'POST',
      '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      () => `${repo}/actions/workflows/deploy.yml/dispatches`,
      204,
      { ref: 'main', inputs: { version: 'v1.1.0', environment: 'staging' } },
    ],
    // GHES 3.20 and older do not know return_run_details: a validation error.
    [
      'POST',
      '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      () => `${repo}/actions/workflows/deploy.yml/dispatches`,
      422,
      { ref: 'main', inputs: { version: 'v1.1.0', environment: 'staging' }, return_run_details: true },
    ],
    [
      'GET',
      '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      () => `${repo}/actions/workflows/deploy.yml/runs`,
      200,
    ],
    ['GET', '/repos/{owner}/{repo}/actions/runs/{run_id}', () => `${repo}/actions/runs/${ids.ghesRun}`, 200],
    ['GET', '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs', () => `${repo}/actions/runs/${ids.ghesRun}/jobs`, 200],
    [
      'GET',
      '/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
      () => `${repo}/actions/runs/${ids.ghesRun}/pending_deployments`,
      200,
    ],
    [
      'POST',
      '/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
      () => `${repo}/actions/runs/${ids.ghesRun}/pending_deployments`,
      403,
      () => ({ environment_ids: [ids.ghesProduction], state: 'approved', comment: 'not mine' }),
    ],
    ['GET', '/repos/{owner}/{repo}/environments', () => `${repo}/environments`, 200],
    ['GET', '/repos/{owner}/{repo}/environments/{environment_name}', () => `${repo}/environments/production`, 200],
    ['GET', '/repos/{owner}/{repo}/deployments', () => `${repo}/deployments`, 200],
    [
      'GET',
      '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      () => `${repo}/deployments/${ids.ghesDeployment}/statuses`,
      200,
    ],
    ['GET', '/repos/{owner}/{repo}/tags', () => `${repo}/tags`, 200],
    ['GET', '/repos/{owner}/{repo}/commits', () => `${repo}/commits`, 200],
    ['GET', '/repos/{owner}/{repo}/pulls', () => `${repo}/pulls`, 200],
    ['GET', '/rate_limit', () => '/rate_limit', 200],
  ];

  it.each(ghesCases)('%s %s', async (method, template, path, status, body) => {
    const response = await call(ghes.apiUrl, method, path(), {
      token: dev,
      body: typeof body === 'function' ? (body as () => unknown)() : body,
    });
    expect(response.status, response.text.slice(0, 300)).toBe(status);
    const check = ghesValidator.check(method, template, response.status, response.body);
    expect(check.errors).toEqual([]);
  });
});
