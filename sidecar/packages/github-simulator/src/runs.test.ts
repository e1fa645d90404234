/**
 * Stateful runs over HTTP: dispatch (with and without run details), the run's
 * life (queued → in_progress → waiting for a required reviewer → completed),
 * the deployments and deployment statuses that follow it, approval, rejection
 * and cancellation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubSimulator } from './server';
import { TOKENS, testSeed } from './testing/fixtures';
import { call } from './testing/http';
import type { GitHubSimulator } from './types';

const repo = '/repos/acme/checkout';
const dispatchPath = `${repo}/actions/workflows/deploy.yml/dispatches`;

interface RunBody {
  id: number;
  status: string;
  conclusion: string | null;
  head_sha: string;
  head_branch: string;
  event: string;
  display_title: string;
  html_url: string;
}
interface JobBody {
  name: string;
  status: string;
  conclusion: string | null;
}
interface DeploymentBody {
  id: number;
  sha: string;
  environment: string;
}
interface StatusBody {
  state: string;
  log_url?: string;
  environment_url?: string;
}
interface PendingBody {
  environment: { id: number; name: string };
  current_user_can_approve: boolean;
  reviewers: Array<{ type: string; reviewer: { login: string } }>;
}

let sim: GitHubSimulator;

beforeAll(async () => {
  sim = await createGitHubSimulator({ seed: testSeed() });
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(() => {
  sim.control.reset();
});

const get = async <T>(path: string, token: string = TOKENS.dev): Promise<T> => {
  const response = await call(sim.apiUrl, 'GET', path, { token });
  expect(response.status, response.text).toBe(200);
  return response.body as T;
};

/** Dispatches deploy.yml as `dev` with run details and returns the run id. */
async function dispatch(environment: string, version = 'v1.2.0'): Promise<number> {
  const response = await call(sim.apiUrl, 'POST', dispatchPath, {
    token: TOKENS.dev,
    body: { ref: 'main', inputs: { version, environment }, return_run_details: true },
  });
  expect(response.status, response.text).toBe(200);
  return (response.body as { workflow_run_id: number }).workflow_run_id;
}

const runOf = (id: number) => get<RunBody>(`${repo}/actions/runs/${id}`);
const jobsOf = async (id: number) => (await get<{ jobs: JobBody[] }>(`${repo}/actions/runs/${id}/jobs`)).jobs;
const deploymentsTo = (environment: string) => get<DeploymentBody[]>(`${repo}/deployments?environment=${environment}`);
const statesOf = async (deploymentId: number) =>
  (await get<StatusBody[]>(`${repo}/deployments/${deploymentId}/statuses`)).map(s => s.state);
const pendingFor = (id: number, token: string) =>
  get<PendingBody[]>(`${repo}/actions/runs/${id}/pending_deployments`, token);

async function review(id: number, token: string, state: 'approved' | 'rejected', comment: string) {
  const [pending] = await pendingFor(id, token);
  if (!pending) throw new Error(`run ${id} has no pending deployment`);
  return call(sim.apiUrl, 'POST', `${repo}/actions/runs/${id}/pending_deployments`, {
    token,
    body: { environment_ids: [pending.environment.id], state, comment },
  });
}

describe('dispatch', () => {
  it('answers 200 with the run id and its URLs when return_run_details is true', async () => {
    const response = await call(sim.apiUrl, 'POST', dispatchPath, {
      token: TOKENS.dev,
      body: { ref: 'main', inputs: { version: 'v1.1.0', environment: 'staging' }, return_run_details: true },
    });
    expect(response.status).toBe(200);
    const details = response.body as { workflow_run_id: number; run_url: string; html_url: string };
    expect(details.run_url).toBe(`${sim.apiUrl}${repo}/actions/runs/${details.workflow_run_id}`);
    expect(details.html_url).toBe(`${sim.url}/acme/checkout/actions/runs/${details.workflow_run_id}`);

    const run = await call(sim.apiUrl, 'GET', new URL(details.run_url).pathname, { token: TOKENS.dev });
    expect(run.body).toMatchObject({
      id: details.workflow_run_id,
      status: 'queued',
      conclusion: null,
      event: 'workflow_dispatch',
      head_branch: 'main',
      display_title: 'Deploy v1.1.0 to staging',
    });
    const page = await fetch(details.html_url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Deploy v1.1.0 to staging');
  });

  it('answers 204 without a body when return_run_details is absent or false; the run is then found by listing', async () => {
    const since = sim.control
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    for (const body of [
      { ref: 'main', inputs: { version: 'v1.0.0', environment: 'staging' } },
      { ref: 'main', inputs: { version: 'v1.0.1', environment: 'staging' }, return_run_details: false },
    ]) {
      const response = await call(sim.apiUrl, 'POST', dispatchPath, { token: TOKENS.dev, body });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
    }
    const listing = await get<{ total_count: number; workflow_runs: RunBody[] }>(
      `${repo}/actions/workflows/deploy.yml/runs?event=workflow_dispatch&branch=main&created=${encodeURIComponent(`>=${since}`)}`,
    );
    expect(listing.total_count).toBe(2);
    expect(listing.workflow_runs.map(r => r.display_title)).toEqual([
      'Deploy v1.0.1 to staging',
      'Deploy v1.0.0 to staging',
    ]);
  });

  it('always returns run details under API version 2026-03-10', async () => {
    const response = await call(sim.apiUrl, 'POST', dispatchPath, {
      token: TOKENS.dev,
      headers: { 'x-github-api-version': '2026-03-10' },
      body: { ref: 'main', inputs: { version: 'v1.2.0', environment: 'staging' } },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-github-api-version-selected')).toBe('2026-03-10');
    expect((response.body as { workflow_run_id: number }).workflow_run_id).toBeGreaterThan(0);
  });

  it('keeps a fresh run out of listings for `runListingLag` listings, like GitHub indexing delay', async () => {
    const lagging = await createGitHubSimulator({ seed: testSeed(), runListingLag: 1 });
    try {
      const dispatched = await call(lagging.apiUrl, 'POST', dispatchPath, {
        token: TOKENS.dev,
        body: { ref: 'main', inputs: { version: 'v1.2.0', environment: 'staging' } },
      });
      expect(dispatched.status).toBe(204);
      const list = async () =>
        (
          (await call(lagging.apiUrl, 'GET', `${repo}/actions/runs?event=workflow_dispatch`, { token: TOKENS.dev }))
            .body as { total_count: number }
        ).total_count;
      expect(await list()).toBe(0);
      expect(await list()).toBe(1);
    } finally {
      await lagging.close();
    }
  });
});

describe('a run to an unprotected environment', () => {
  it('goes queued → in_progress → completed/success, and its deployment queued → in_progress → success', async () => {
    const id = await dispatch('staging');
    expect((await runOf(id)).status).toBe('queued');
    expect(await deploymentsTo('staging')).toEqual([]);

    sim.control.advance(id);
    const running = await runOf(id);
    expect(running.status).toBe('in_progress');
    expect((await jobsOf(id)).map(j => [j.name, j.status])).toEqual([['deploy', 'in_progress']]);
    const [deployment] = await deploymentsTo('staging');
    expect(deployment?.sha).toBe(running.head_sha);
    expect(await statesOf(deployment?.id ?? 0)).toEqual(['in_progress', 'queued']);

    sim.control.advance(id);
    expect(await runOf(id)).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect((await jobsOf(id)).map(j => [j.status, j.conclusion])).toEqual([['completed', 'success']]);
    const statuses = await get<StatusBody[]>(`${repo}/deployments/${deployment?.id}/statuses`);
    expect(statuses.map(s => s.state)).toEqual(['success', 'in_progress', 'queued']);
    expect(statuses[0]?.environment_url).toBe('https://staging.checkout.acme.example');
    expect(statuses[0]?.log_url).toMatch(new RegExp(`/acme/checkout/actions/runs/${id}/job/\\d+$`));
  });

  it('marks the previous successful deployment of the environment inactive', async () => {
    const first = await dispatch('staging', 'v1.1.0');
    sim.control.settle(first);
    const second = await dispatch('staging', 'v1.2.0');
    sim.control.settle(second);
    const [newer, older] = await deploymentsTo('staging');
    expect((await statesOf(newer?.id ?? 0))[0]).toBe('success');
    expect((await statesOf(older?.id ?? 0))[0]).toBe('inactive');
  });

  it('fails when told to, and the deployment fails with it', async () => {
    const id = await dispatch('staging');
    sim.control.advance(id);
    sim.control.failRun(id);
    sim.control.settle(id);
    expect(await runOf(id)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    const [deployment] = await deploymentsTo('staging');
    expect((await statesOf(deployment?.id ?? 0))[0]).toBe('failure');
  });

  it('is cancelled through the REST API (202), and a completed run cannot be cancelled (409)', async () => {
    const id = await dispatch('staging');
    sim.control.advance(id);
    const cancelled = await call(sim.apiUrl, 'POST', `${repo}/actions/runs/${id}/cancel`, { token: TOKENS.dev });
    expect(cancelled.status).toBe(202);
    expect(await runOf(id)).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    const [deployment] = await deploymentsTo('staging');
    expect((await statesOf(deployment?.id ?? 0))[0]).toBe('error');
    const again = await call(sim.apiUrl, 'POST', `${repo}/actions/runs/${id}/cancel`, { token: TOKENS.dev });
    expect(again.status).toBe(409);
  });
});

describe('a run to an environment with a required reviewer', () => {
  it('waits for approval, tells who may approve, and completes once the required reviewer approves', async () => {
    const id = await dispatch('production');
    sim.control.advance(id);
    expect((await runOf(id)).status).toBe('in_progress');
    sim.control.advance(id);
    expect((await runOf(id)).status).toBe('waiting');
    expect((await jobsOf(id)).map(j => j.status)).toEqual(['waiting']);
    // Nothing moves until someone reviews.
    expect(sim.control.settle(id)[0]?.status).toBe('waiting');
    expect(sim.control.run(id)?.waitingFor).toEqual(['production']);

    const [asReviewer] = await pendingFor(id, TOKENS.releaseManager);
    expect(asReviewer?.environment.name).toBe('production');
    expect(asReviewer?.current_user_can_approve).toBe(true);
    expect(asReviewer?.reviewers.map(r => [r.type, r.reviewer.login])).toEqual([['User', 'release-manager']]);
    expect((await pendingFor(id, TOKENS.dev))[0]?.current_user_can_approve).toBe(false);

    const [deployment] = await deploymentsTo('production');
    expect(await statesOf(deployment?.id ?? 0)).toEqual(['queued']);

    const approved = await review(id, TOKENS.releaseManager, 'approved', 'ship it');
    expect(approved.status).toBe(200);
    expect((approved.body as DeploymentBody[]).map(d => [d.id, d.environment])).toEqual([
      [deployment?.id, 'production'],
    ]);
    expect((await runOf(id)).status).toBe('in_progress');
    expect(await pendingFor(id, TOKENS.releaseManager)).toEqual([]);

    sim.control.advance(id);
    expect(await runOf(id)).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(await statesOf(deployment?.id ?? 0)).toEqual(['success', 'in_progress', 'queued']);
    const approvals = await get<
      Array<{ state: string; comment: string; user: { login: string }; environments: Array<{ name: string }> }>
    >(`${repo}/actions/runs/${id}/approvals`);
    expect(approvals.map(a => [a.state, a.user.login, a.comment, a.environments.map(e => e.name)])).toEqual([
      ['approved', 'release-manager', 'ship it', ['production']],
    ]);
  });

  it('refuses a review by someone who is not a required reviewer with 403, distinct from a rate limit', async () => {
    const id = await dispatch('production');
    sim.control.settle(id);
    const response = await review(id, TOKENS.dev, 'approved', 'self-service');
    expect(response.status).toBe(403);
    expect((response.body as { message: string }).message).toBe(
      'dev is not a required reviewer for the production environment.',
    );
    expect(Number(response.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    expect(response.headers.get('retry-after')).toBeNull();
    expect((await runOf(id)).status).toBe('waiting');
  });

  it('fails the run when the reviewer rejects, as GitHub does, and then has nothing left to review', async () => {
    const id = await dispatch('production');
    sim.control.settle(id);
    const rejected = await review(id, TOKENS.releaseManager, 'rejected', 'not today');
    expect(rejected.status).toBe(200);
    expect(await runOf(id)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect((await jobsOf(id)).map(j => [j.status, j.conclusion])).toEqual([['completed', 'failure']]);
    const [deployment] = await deploymentsTo('production');
    expect(await statesOf(deployment?.id ?? 0)).toEqual(['failure', 'queued']);
    expect(await pendingFor(id, TOKENS.releaseManager)).toEqual([]);
    const approvals = await get<Array<{ state: string }>>(`${repo}/actions/runs/${id}/approvals`);
    expect(approvals.map(a => a.state)).toEqual(['rejected']);

    const again = await call(sim.apiUrl, 'POST', `${repo}/actions/runs/${id}/pending_deployments`, {
      token: TOKENS.releaseManager,
      body: { environment_ids: [1], state: 'approved', comment: 'oops' },
    });
    expect(again.status).toBe(422);
  });

  it('forbids self-review where the environment prevents it', async () => {
    // octo/hello: build → qa (5 minute wait timer) → prod (reviewers release-manager and octo-admin, no self-review).
    const run = sim.control.dispatch({
      repo: 'octo/hello',
      workflow: 'release.yaml',
      ref: 'main',
      inputs: { version: '1.0.0' },
      actor: 'octo-admin',
    });
    const [atTimer] = sim.control.settle(run.id);
    expect(atTimer?.waitingFor).toEqual(['prod']);
    expect(atTimer?.jobs.map(j => [j.name, j.conclusion])).toEqual([
      ['build', 'success'],
      ['qa', 'success'],
      ['prod', null],
    ]);
    const pending = await call(sim.apiUrl, 'GET', `/repos/octo/hello/actions/runs/${run.id}/pending_deployments`, {
      token: TOKENS.admin,
    });
    const [entry] = pending.body as PendingBody[];
    expect(entry?.current_user_can_approve).toBe(false);
    const self = await call(sim.apiUrl, 'POST', `/repos/octo/hello/actions/runs/${run.id}/pending_deployments`, {
      token: TOKENS.admin,
      body: { environment_ids: [entry?.environment.id], state: 'approved', comment: 'me' },
    });
    expect(self.status).toBe(403);
    const other = await call(sim.apiUrl, 'POST', `/repos/octo/hello/actions/runs/${run.id}/pending_deployments`, {
      token: TOKENS.releaseManager,
      body: { environment_ids: [entry?.environment.id], state: 'approved', comment: 'ok' },
    });
    expect(other.status).toBe(200);
    expect(sim.control.settle(run.id)[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
  });
});
