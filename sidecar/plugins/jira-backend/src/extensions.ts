import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { RequestHandler } from 'express';

/**
 * Lets a module answer the Jira REST paths below `/api/jira/rest/` (Jira's own
 * API, e.g. `/rest/api/3/search/jql`) next to this plugin's typed routes: the
 * sidecar mounts the stock proxy backend's front there (one catalogue id,
 * `jira`, for both). The handler runs behind the same workspace isolation as
 * the plugin's routes. Without a module, those paths are 404.
 */
export interface JiraRestRoutesExtensionPoint {
  setRestHandler(handler: RequestHandler): void;
}

export const jiraRestRoutesExtensionPoint = createExtensionPoint<JiraRestRoutesExtensionPoint>({
  id: 'jira.rest-routes',
});
