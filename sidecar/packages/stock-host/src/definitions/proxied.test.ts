import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RouteRefusal, matchRoute } from '../routes';
import { githubActionsDefinition } from './github-actions';
import { jiraDefinition } from './jira';

const statusOf = (run: () => unknown) => {
  try {
    run();
    return 200;
  } catch (error) {
    if (error instanceof RouteRefusal) return error.status;
    throw error;
  }
};
const get = (definition: typeof jiraDefinition, path: string, search = '') =>
  statusOf(() => matchRoute(definition, 'GET', path, search));

// GitHub's REST description, from the GitHub simulator's devDependency (@octokit/openapi): the same file its
// conformance test checks the simulator's answers against.
const openapi = JSON.parse(
  readFileSync(
    createRequire(resolve(__dirname, '../../../github-simulator/package.json')).resolve(
      '@octokit/openapi/generated/api.github.com.json',
    ),
    'utf8',
  ),
) as {
  paths: Record<string, { get?: { parameters?: { $ref?: string; in?: string; name?: string }[] } }>;
  components: { parameters: Record<string, { in: string; name: string }> };
};
const queryOf = (template: string) =>
  (openapi.paths[template]?.get?.parameters ?? [])
    .map(parameter => (parameter.$ref ? openapi.components.parameters[parameter.$ref.split('/').pop()!]! : parameter))
    .filter(parameter => parameter.in === 'query')
    .map(parameter => parameter.name!);

describe('github-actions routes', () => {
  const examples: [string, string][] = [
    ['/repos/{owner}/{repo}', '/repos/acme/checkout'],
    ['/repos/{owner}/{repo}/pulls', '/repos/acme/checkout/pulls'],
    ['/repos/{owner}/{repo}/branches', '/repos/acme/checkout/branches'],
    ['/repos/{owner}/{repo}/actions/workflows', '/repos/acme/checkout/actions/workflows'],
    ['/repos/{owner}/{repo}/actions/workflows/{workflow_id}', '/repos/acme/checkout/actions/workflows/deploy.yml'],
    [
      '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      '/repos/acme/checkout/actions/workflows/161335/runs',
    ],
    ['/repos/{owner}/{repo}/actions/runs', '/repos/acme/checkout/actions/runs'],
    ['/repos/{owner}/{repo}/actions/runs/{run_id}', '/repos/acme/checkout/actions/runs/30433642'],
    ['/repos/{owner}/{repo}/actions/runs/{run_id}/jobs', '/repos/acme/checkout/actions/runs/30433642/jobs'],
    ['/repos/{owner}/{repo}/actions/jobs/{job_id}', '/repos/acme/checkout/actions/jobs/399444496'],
  ];

  it("are GitHub's documented GET paths, each query parameter one the path documents", () => {
    expect(githubActionsDefinition.routes).toHaveLength(examples.length);
    for (const [template, path] of examples) {
      expect(openapi.paths[template]?.get, template).toBeDefined();
      const { route } = matchRoute(githubActionsDefinition, 'GET', path, '');
      expect(queryOf(template), template).toEqual(expect.arrayContaining(Object.keys(route.query ?? {})));
    }
  });

  it('refuse dot segments, encoded characters, other hosts and writes', () => {
    for (const path of [
      '/repos/acme/../pulls',
      '/repos/acme/./pulls',
      '/repos/acme/checkout/pulls/',
      '/repos/acme/%2e%2e/pulls',
      '/repos/acme/checkout%2Fpulls',
      '//evil.example/repos/acme/checkout/pulls',
      '/repos/-acme/checkout/pulls',
      '/repos/acme/checkout/contents/README.md',
      '/repos/acme/checkout/actions/runs/1/logs',
      '/user',
    ]) {
      expect(get(githubActionsDefinition, path), path).toBe(404);
    }
    expect(statusOf(() => matchRoute(githubActionsDefinition, 'POST', '/repos/acme/checkout/pulls', ''))).toBe(404);
  });

  it('take query parameters of their own only, one value each, within their types', () => {
    const pulls = '/repos/acme/checkout/pulls';
    expect(get(githubActionsDefinition, pulls, 'state=all&per_page=100&page=2&sort=updated&direction=asc')).toBe(200);
    for (const search of [
      'per_page=0',
      'per_page=101',
      'state=merged',
      'state=open&state=all',
      'access_token=x',
      'base=..',
    ]) {
      expect(get(githubActionsDefinition, pulls, search), search).toBe(400);
    }
    const runs = '/repos/acme/checkout/actions/runs';
    expect(get(githubActionsDefinition, runs, 'branch=feature/x&status=in_progress&created=%3E%3D2026-01-01')).toBe(
      200,
    );
    expect(get(githubActionsDefinition, runs, 'head_sha=abc')).toBe(400);
  });
});

describe('jira REST routes', () => {
  it('are JQL search, one issue and one project, below /rest/api/3', () => {
    expect(
      get(jiraDefinition, '/rest/api/3/search/jql', 'jql=project+%3D+OPS&fields=summary%2Cstatus&maxResults=50'),
    ).toBe(200);
    expect(get(jiraDefinition, '/rest/api/3/issue/OPS-12', 'fields=summary')).toBe(200);
    expect(get(jiraDefinition, '/rest/api/3/project/OPS')).toBe(200);
    for (const path of [
      '/rest/api/3/myself',
      '/rest/api/2/search',
      '/rest/api/3/issue/ops-1',
      '/rest/api/3/search/jql/../myself',
    ]) {
      expect(get(jiraDefinition, path), path).toBe(404);
    }
  });

  it('refuse a parameter of their own list only, and control characters in JQL', () => {
    for (const search of ['jql=a%0Ab', 'jql=', 'jql=a&baseUrl=http://x', 'jql=a&maxResults=5001']) {
      expect(get(jiraDefinition, '/rest/api/3/search/jql', search), search).toBe(400);
    }
  });

  it('send the workspace account as Basic credentials set by the proxy config, and nothing without a token', () => {
    const config = jiraDefinition.configFor({
      config: { base_url: 'https://acme.atlassian.net', email: 'bot@acme.example' },
      secrets: { api_token: 't0k' },
    }) as {
      proxy: {
        endpoints: Record<string, { target: string; headers: Record<string, string>; allowedMethods: string[] }>;
      };
    };
    const endpoint = config.proxy.endpoints['/upstream']!;
    expect(endpoint).toMatchObject({ target: 'https://acme.atlassian.net', allowedMethods: ['GET'] });
    expect(endpoint.headers.authorization).toBe(`Basic ${Buffer.from('bot@acme.example:t0k').toString('base64')}`);
    const none = jiraDefinition.configFor({
      config: { base_url: 'https://acme.atlassian.net' },
      secrets: {},
    }) as typeof config;
    expect(none.proxy.endpoints['/upstream']!.headers.authorization).toBeUndefined();
  });
});
