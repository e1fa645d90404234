/**
 * The HTTP API of the Jira plugin (served under `/api/jira`), shared by the
 * plugin and the Orbit plugins gateway (which maps it onto
 * `idp.plugins.v1.PluginsService.ListJiraIssues`).
 *
 * The Jira site and credentials come only from the workspace's plugin
 * configuration. Errors have Backstage's JSON error shape with these statuses:
 * 400 bad projectKey/status or a search Jira rejects; 412 the workspace has
 * not configured Jira; 403 Jira refused the credentials (401/403 upstream);
 * 404 unknown or invisible project, or a base_url without Jira's API;
 * 429 with `Retry-After` when Jira rate-limits; 503 Jira down, unreachable or
 * too slow.
 */

/** One issue as the plugin answers it. */
export interface JiraIssueSummary {
  key: string;
  summary: string;
  status: string;
  /** Display name of the assignee; null when unassigned. */
  assignee: string | null;
  /** RFC 3339, UTC. */
  createdAt: string;
}

/** `GET /issues` answer: newest first, at most the plugin's `maxResults`. */
export interface IssuesResponse {
  issues: JiraIssueSummary[];
}
