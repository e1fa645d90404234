/**
 * Web (HTML) links derived from a GitHub REST base URL, without asking GitHub:
 * `https://api.github.com` → `https://github.com`; GitHub Enterprise Server's
 * `https://HOST/api/v3` → `https://HOST`; anything else (a proxy, the
 * simulator) serves its pages at the same base.
 */
export function githubWebBaseUrl(apiBaseUrl: string): string {
  const base = apiBaseUrl.replace(/\/+$/, '');
  const url = new URL(base);
  if (url.hostname === 'api.github.com') return `${url.protocol}//github.com`;
  return base.replace(/\/api\/v3$/, '');
}

/** The page listing a workflow's runs: where an environment's deployments live on GitHub. */
export function workflowRunsUrl(apiBaseUrl: string, repository: string, workflow: string): string {
  return `${githubWebBaseUrl(apiBaseUrl)}/${repository}/actions/workflows/${encodeURIComponent(workflow)}`;
}
