import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { workspaceContextServiceRef } from '@internal/plugin-workspace-isolation-node';
import type { RequestHandler } from 'express';
import { jiraRestRoutesExtensionPoint } from './extensions';
import { createJiraClient } from './jira/JiraClient';
import { createRouter } from './service/router';

/** Default upper bound of one Jira call. */
const DEFAULT_TIMEOUT_MS = 10_000;
/** Issues per answer (Jira's enhanced search gives at most 100 with fields). */
const DEFAULT_MAX_RESULTS = 50;

/**
 * The `jira` plugin: a project's issues through Jira Cloud's REST search, with
 * each workspace's own Jira site, email and API token (its plugin
 * configuration). Depending on `workspaceContextServiceRef` puts every route
 * behind workspace isolation.
 *
 * Backstage config (optional): `orbit.jira.timeoutMs` (default 10000) and
 * `orbit.jira.maxResults` (default 50, at most 100).
 */
export const jiraPlugin = createBackendPlugin({
  pluginId: 'jira',
  register(env) {
    let restHandler: RequestHandler | undefined;
    env.registerExtensionPoint(jiraRestRoutesExtensionPoint, {
      setRestHandler(handler) {
        if (restHandler) throw new Error('the jira plugin takes one handler of its Jira REST paths');
        restHandler = handler;
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        workspaceContext: workspaceContextServiceRef,
      },
      async init({ config, httpRouter, logger, workspaceContext }) {
        const client = createJiraClient({
          logger,
          timeoutMs: config.getOptionalNumber('orbit.jira.timeoutMs') ?? DEFAULT_TIMEOUT_MS,
          maxResults: Math.max(
            1,
            Math.min(100, config.getOptionalNumber('orbit.jira.maxResults') ?? DEFAULT_MAX_RESULTS),
          ),
        });
        httpRouter.use(await createRouter({ workspaceContext, client, restHandler }));
      },
    });
  },
});
