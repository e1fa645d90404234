import type { StockPluginDefinition } from './definition';
import { PROXIED, getRoute, proxyConfig } from './proxied';

// Path segments (GitHub's rules; no segment of dots only, no percent-escapes).
const SEGMENTS = {
  owner: '[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})',
  repo: '(?!\\.{1,2}(?:/|$))[A-Za-z0-9_.-]{1,100}',
  workflow_id: '[0-9]{1,20}|[A-Za-z0-9_-][A-Za-z0-9_.-]{0,250}\\.ya?ml',
  run_id: '[0-9]{1,20}',
  job_id: '[0-9]{1,20}',
};

// Query parameters as GitHub's REST description (@octokit/openapi) names them; values held to their types.
const PAGE = { per_page: /^(?:[1-9][0-9]?|100)$/, page: /^[1-9][0-9]{0,5}$/ };
const REF = /^(?!.*\.\.)[A-Za-z0-9._/-]{1,255}$/;
const RUN_STATUS =
  /^(?:completed|action_required|cancelled|failure|neutral|skipped|stale|success|timed_out|in_progress|queued|requested|waiting|pending)$/;
const RUN_FILTERS = {
  ...PAGE,
  actor: /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/,
  branch: REF,
  event: /^[a-z_]{1,64}$/,
  status: RUN_STATUS,
  created: /^[0-9TZ:+<>=.*-]{1,64}$/,
  exclude_pull_requests: /^(?:true|false)$/,
  check_suite_id: /^[0-9]{1,20}$/,
  head_sha: /^[0-9a-f]{40}$/,
};

/**
 * `github-actions`: Backstage's proxy backend (unmodified) in front of the
 * workspace's GitHub REST API, for the frontend-only GitHub Actions plugin and
 * Orbit's GitHubPRsList. Read-only listings: pull requests, workflows, runs,
 * jobs, branches and the repository itself.
 */
export const githubActionsDefinition: StockPluginDefinition = {
  pluginId: 'github-actions',
  packageName: '@backstage/plugin-proxy-backend',
  isolation:
    "a Backstage process per workspace with one proxy endpoint whose target and `authorization` come from that workspace's settings (never the caller's headers); GET only; allow-listed GitHub REST paths and query parameters",
  hosted: PROXIED,
  routes: [
    getRoute('/repos/{owner}/{repo}', SEGMENTS),
    getRoute('/repos/{owner}/{repo}/pulls', SEGMENTS, {
      ...PAGE,
      state: /^(?:open|closed|all)$/,
      head: /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}):(?!.*\.\.)[A-Za-z0-9._/-]{1,255}$/,
      base: REF,
      sort: /^(?:created|updated|popularity|long-running)$/,
      direction: /^(?:asc|desc)$/,
    }),
    getRoute('/repos/{owner}/{repo}/branches', SEGMENTS, { ...PAGE, protected: /^(?:true|false)$/ }),
    getRoute('/repos/{owner}/{repo}/actions/workflows', SEGMENTS, PAGE),
    getRoute('/repos/{owner}/{repo}/actions/workflows/{workflow_id}', SEGMENTS),
    getRoute('/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', SEGMENTS, RUN_FILTERS),
    getRoute('/repos/{owner}/{repo}/actions/runs', SEGMENTS, RUN_FILTERS),
    getRoute('/repos/{owner}/{repo}/actions/runs/{run_id}', SEGMENTS, {
      exclude_pull_requests: /^(?:true|false)$/,
    }),
    getRoute('/repos/{owner}/{repo}/actions/runs/{run_id}/jobs', SEGMENTS, {
      ...PAGE,
      filter: /^(?:latest|all)$/,
    }),
    getRoute('/repos/{owner}/{repo}/actions/jobs/{job_id}', SEGMENTS),
  ],
  configFor: settings => {
    const token = settings.secrets.token;
    return proxyConfig(settings.config.github_api_url || 'https://api.github.com', {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'orbit-plugins-gateway',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
  },
  // The proxy looks up no entity.
  annotationsFor: () => ({}),
};
