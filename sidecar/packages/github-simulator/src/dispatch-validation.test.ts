/**
 * How a workflow dispatch is validated (inputs limit, unknown inputs, refs,
 * triggers) and how GitHub Enterprise Server mode differs: the `/api/v3`
 * prefix, `return_run_details` refused up to 3.20, 10 inputs up to 3.19.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSimulator } from './server';
import { TOKENS, testSeed } from './testing/fixtures';
import { call } from './testing/http';
import type { GitHubSimulator, RepoSeed, WorkflowInputSeed } from './types';

/** acme/wide: a workflow declaring 25 optional inputs, the most GitHub accepts. */
const wideRepo: RepoSeed = {
  owner: 'acme',
  name: 'wide',
  collaborators: { dev: 'write' },
  workflows: [
    {
      name: 'Wide',
      file: 'wide.yml',
      inputs: Object.fromEntries(
        Array.from({ length: 25 }, (_, i): [string, WorkflowInputSeed] => [`input_${i + 1}`, { required: false }]),
      ),
    },
  ],
};

const inputs = (count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`input_${i + 1}`, `value ${i + 1}`]));

async function startSimulator(ghesVersion?: string): Promise<GitHubSimulator> {
  const seed = testSeed();
  return createGitHubSimulator({ seed: { ...seed, repos: [...(seed.repos ?? []), wideRepo] }, ghesVersion });
}

const message = (body: unknown) => (body as { message: string }).message;

describe('dispatch validation (github.com)', () => {
  let sim: GitHubSimulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim?.close();
  });

  const dispatch = (path: string, body: unknown, token: string = TOKENS.dev) =>
    call(sim.apiUrl, 'POST', path, { token, body });
  const deploy = '/repos/acme/checkout/actions/workflows/deploy.yml/dispatches';
  const wide = '/repos/acme/wide/actions/workflows/wide.yml/dispatches';

  it('accepts 25 inputs and refuses 26 with 422', async () => {
    const ok = await dispatch(wide, { ref: 'main', inputs: inputs(25), return_run_details: true });
    expect(ok.status, ok.text).toBe(200);
    const runId = (ok.body as { workflow_run_id: number }).workflow_run_id;
    expect(Object.keys(sim.control.run(runId)?.inputs ?? {})).toHaveLength(25);

    const before = sim.control.runs().length;
    const tooMany = await dispatch(wide, { ref: 'main', inputs: inputs(26) });
    expect(tooMany.status).toBe(422);
    expect(message(tooMany.body)).toContain('more than 25 properties');
    expect(sim.control.runs()).toHaveLength(before);
  });

  it('refuses inputs the workflow does not declare with "Unexpected inputs provided" and starts no run', async () => {
    const before = sim.control.runs().length;
    const response = await dispatch(deploy, {
      ref: 'main',
      inputs: { version: 'v1.2.0', environment: 'staging', colour: 'blue' },
    });
    expect(response.status).toBe(422);
    expect(message(response.body)).toBe('Unexpected inputs provided: ["colour"]');
    expect(sim.control.runs()).toHaveLength(before);
  });

  it('refuses a missing required input, a value outside a choice, an unknown ref and a workflow without workflow_dispatch', async () => {
    const cases: Array<[string, unknown, string]> = [
      [deploy, { ref: 'main', inputs: { environment: 'staging' } }, "Required input 'version' not provided"],
      [
        deploy,
        { ref: 'main', inputs: { version: 'v1', environment: 'qa' } },
        "Provided value 'qa' for input 'environment' not in the list of allowed values",
      ],
      [
        deploy,
        { ref: 'no-such-branch', inputs: { version: 'v1', environment: 'staging' } },
        'No ref found for: no-such-branch',
      ],
      [
        '/repos/acme/checkout/actions/workflows/ci.yml/dispatches',
        { ref: 'main' },
        "Workflow does not have 'workflow_dispatch' trigger",
      ],
    ];
    for (const [path, body, expected] of cases) {
      const response = await dispatch(path, body);
      expect(response.status, expected).toBe(422);
      expect(message(response.body)).toBe(expected);
    }
  });

  it('accepts a tag as ref and records it as the head branch', async () => {
    const response = await dispatch(deploy, {
      ref: 'v1.1.0',
      inputs: { version: 'v1.1.0', environment: 'staging' },
      return_run_details: true,
    });
    expect(response.status).toBe(200);
    const run = sim.control.run((response.body as { workflow_run_id: number }).workflow_run_id);
    expect(run?.headBranch).toBe('v1.1.0');
  });

  it('answers 404 for an unknown workflow and for a private repository the token cannot see, 403 without write access', async () => {
    const unknown = await dispatch('/repos/acme/checkout/actions/workflows/nope.yml/dispatches', { ref: 'main' });
    expect(unknown.status).toBe(404);
    const hidden = await dispatch(
      deploy,
      { ref: 'main', inputs: { version: 'v1', environment: 'staging' } },
      TOKENS.outsider,
    );
    expect(hidden.status).toBe(404);
    expect(message(hidden.body)).toBe('Not Found');
    const readOnly = await dispatch(
      deploy,
      { ref: 'main', inputs: { version: 'v1', environment: 'staging' } },
      TOKENS.viewer,
    );
    expect(readOnly.status).toBe(403);
    expect(message(readOnly.body)).toBe('Must have admin rights to Repository.');
  });
});

describe('GitHub Enterprise Server mode', () => {
  const deploy = '/repos/acme/checkout/actions/workflows/deploy.yml/dispatches';
  const body = { ref: 'main', inputs: { version: 'v1.2.0', environment: 'staging' } };

  describe('3.20', () => {
    let sim: GitHubSimulator;
    beforeAll(async () => {
      sim = await startSimulator('3.20');
    });
    afterAll(async () => {
      await sim?.close();
    });

    it('serves the API under /api/v3 only, with the enterprise version header', async () => {
      expect(sim.apiUrl).toBe(`${sim.url}/api/v3`);
      const repo = await call(sim.apiUrl, 'GET', '/repos/acme/checkout', { token: TOKENS.dev });
      expect(repo.status).toBe(200);
      expect(repo.headers.get('x-github-enterprise-version')).toBe('3.20.0');
      expect((repo.body as { url: string }).url).toBe(`${sim.url}/api/v3/repos/acme/checkout`);
      const atRoot = await call(sim.url, 'GET', '/repos/acme/checkout', { token: TOKENS.dev });
      expect(atRoot.status).toBe(404);
    });

    it('refuses return_run_details with 422 and dispatches without it (204); the run URLs carry the prefix', async () => {
      const refused = await call(sim.apiUrl, 'POST', deploy, {
        token: TOKENS.dev,
        body: { ...body, return_run_details: true },
      });
      expect(refused.status).toBe(422);
      expect(message(refused.body)).toContain('"return_run_details" is not a permitted key.');
      expect(sim.control.runs()).toHaveLength(0);

      const plain = await call(sim.apiUrl, 'POST', deploy, { token: TOKENS.dev, body });
      expect(plain.status).toBe(204);
      const [run] = sim.control.runs();
      expect(run?.url).toBe(`${sim.url}/api/v3/repos/acme/checkout/actions/runs/${run?.id}`);
      const listed = await call(sim.apiUrl, 'GET', '/repos/acme/checkout/actions/runs?event=workflow_dispatch', {
        token: TOKENS.dev,
      });
      expect(
        (listed.body as { workflow_runs: Array<{ id: number; url: string }> }).workflow_runs.map(r => r.url),
      ).toEqual([run?.url]);
    });

    it('accepts 25 inputs (the 10-input limit ended with 3.19)', async () => {
      const response = await call(sim.apiUrl, 'POST', '/repos/acme/wide/actions/workflows/wide.yml/dispatches', {
        token: TOKENS.dev,
        body: { ref: 'main', inputs: inputs(25) },
      });
      expect(response.status).toBe(204);
    });

    it('refuses API version 2026-03-10, which GitHub Enterprise Server does not know', async () => {
      const response = await call(sim.apiUrl, 'GET', '/repos/acme/checkout', {
        token: TOKENS.dev,
        headers: { 'x-github-api-version': '2026-03-10' },
      });
      expect(response.status).toBe(400);
      expect(message(response.body)).toContain("Unsupported 'X-GitHub-Api-Version' header");
    });
  });

  it('3.19 refuses more than 10 inputs, as its description documents', async () => {
    const sim = await startSimulator('3.19');
    try {
      const wide = '/repos/acme/wide/actions/workflows/wide.yml/dispatches';
      const ten = await call(sim.apiUrl, 'POST', wide, {
        token: TOKENS.dev,
        body: { ref: 'main', inputs: inputs(10) },
      });
      expect(ten.status).toBe(204);
      const eleven = await call(sim.apiUrl, 'POST', wide, {
        token: TOKENS.dev,
        body: { ref: 'main', inputs: inputs(11) },
      });
      expect(eleven.status).toBe(422);
      expect(message(eleven.body)).toContain('more than 10 properties');
    } finally {
      await sim.close();
    }
  });

  it('3.21 accepts return_run_details and answers with prefixed URLs', async () => {
    const sim = await startSimulator('3.21');
    try {
      const response = await call(sim.apiUrl, 'POST', deploy, {
        token: TOKENS.dev,
        body: { ...body, return_run_details: true },
      });
      expect(response.status).toBe(200);
      const details = response.body as { workflow_run_id: number; run_url: string };
      expect(details.run_url).toBe(`${sim.url}/api/v3/repos/acme/checkout/actions/runs/${details.workflow_run_id}`);
    } finally {
      await sim.close();
    }
  });

  it('serves the root as well when serveRootInGhesMode is set', async () => {
    const sim = await createGitHubSimulator({ seed: testSeed(), ghesVersion: '3.20', serveRootInGhesMode: true });
    try {
      expect((await call(sim.url, 'GET', '/repos/acme/checkout', { token: TOKENS.dev })).status).toBe(200);
      expect((await call(sim.apiUrl, 'GET', '/repos/acme/checkout', { token: TOKENS.dev })).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});
