import type { StockPluginDefinition } from './definition';
import { PROXIED, getRoute, proxyConfig } from './proxied';

const SEGMENTS = {
  issue: '[A-Z][A-Z0-9_]{0,254}-[0-9]{1,10}|[0-9]{1,18}',
  project: '[A-Z][A-Z0-9_]{0,254}|[0-9]{1,18}',
};

// Query parameters of Jira Cloud's REST v3 (developer.atlassian.com, "Issue search", "Issues", "Projects").
const LIST = /^[A-Za-z0-9_.*,-]{1,1000}$/;
const BOOLEAN = /^(?:true|false)$/;
const ISSUE_VIEW = { fields: LIST, fieldsByKeys: BOOLEAN, expand: LIST, properties: LIST };

/**
 * `jira`, Jira's own REST API: Backstage's proxy backend (unmodified) in
 * front of the workspace's Jira site, below `/api/jira/rest/` (the typed
 * `/issues` route stays the Orbit jira plugin's; both use the same settings).
 * Read-only: JQL search, one issue, one project.
 */
export const jiraDefinition: StockPluginDefinition = {
  pluginId: 'jira',
  packageName: '@backstage/plugin-proxy-backend',
  isolation:
    "`/rest/…`: a Backstage process per workspace with one proxy endpoint to that workspace's Jira site and account (never the caller's headers); GET only; three allow-listed Jira REST paths with their query parameters",
  hosted: PROXIED,
  sharesOrbitPlugin: true,
  routes: [
    getRoute('/rest/api/3/search/jql', SEGMENTS, {
      ...ISSUE_VIEW,
      // JQL runs on the workspace's own site with its own account: any query, no control characters.
      jql: /^[^\u0000-\u001f\u007f]{1,2000}$/,
      nextPageToken: /^[A-Za-z0-9_=+/-]{1,2000}$/,
      maxResults: /^(?:[1-9][0-9]{0,2}|[1-4][0-9]{3}|5000)$/,
      failFast: BOOLEAN,
      reconcileIssues: /^[0-9,]{1,1000}$/,
    }),
    getRoute('/rest/api/3/issue/{issue}', SEGMENTS, { ...ISSUE_VIEW, updateHistory: BOOLEAN, failFast: BOOLEAN }),
    getRoute('/rest/api/3/project/{project}', SEGMENTS, { expand: LIST, properties: LIST }),
  ],
  configFor: settings => {
    const { email } = settings.config;
    const token = settings.secrets.api_token;
    return proxyConfig(settings.config.base_url ?? '', {
      accept: 'application/json',
      ...(email && token ? { authorization: `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}` } : {}),
    });
  },
  annotationsFor: () => ({}),
};
