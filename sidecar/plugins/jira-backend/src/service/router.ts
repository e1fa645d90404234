import { InputError } from '@backstage/errors';
import type { WorkspaceContextService } from '@internal/plugin-workspace-isolation-node';
import type express from 'express';
import Router from 'express-promise-router';
import {
  type JiraResponses,
  type JiraRouteName,
  jiraRoutes,
  MAX_STATUS_LENGTH,
  PROJECT_KEY_PATTERN,
  PROJECT_KEY_RULE,
  STATUS_RULE,
} from '@internal/plugin-jira-common';
import type { JiraClient } from '../jira/JiraClient';
import { jiraErrorHandler } from './errors';
import { jiraSiteFromSettings } from './settings';

export interface RouterOptions {
  workspaceContext: WorkspaceContextService;
  client: JiraClient;
  /** Answers the Jira REST paths (`/rest/...`), when a module gave one (see extensions.ts). */
  restHandler?: express.RequestHandler;
}

/** A single query parameter, or undefined; repeated parameters are a client mistake. */
function singleParam(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InputError(`Query parameter ${name} must be given once`);
  return value;
}

function parseProjectKey(value: unknown): string {
  const key = singleParam(value, 'projectKey')?.trim().toUpperCase();
  if (!key) throw new InputError('Query parameter projectKey is required, e.g. ?projectKey=OPS');
  if (!PROJECT_KEY_PATTERN.test(key)) throw new InputError(`projectKey ${PROJECT_KEY_RULE}`);
  return key;
}

function parseStatus(value: unknown): string | undefined {
  const status = singleParam(value, 'status')?.trim();
  if (status === undefined || status === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (status.length > MAX_STATUS_LENGTH || /[\u0000-\u001f\u007f]/.test(status)) {
    throw new InputError(`status ${STATUS_RULE}`);
  }
  return status;
}

/**
 * Routes of the Jira plugin: the route table, shapes and error statuses of
 * `@internal/plugin-jira-common`. The Jira site and credentials come only from
 * the workspace's plugin configuration
 * (`workspaceContext.fromRequest(req).pluginSettings`).
 */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { workspaceContext, client, restHandler } = options;
  const router = Router();

  /** Registers one route of the contract; the handler's answer is that route's 200 body. */
  const route = <K extends JiraRouteName>(
    name: K,
    handler: (req: express.Request) => Promise<JiraResponses[K]> | JiraResponses[K],
  ) => {
    const { method, path } = jiraRoutes[name];
    const verb = method.toLowerCase() as 'get';
    router[verb](path, async (req, res) => {
      res.json(await handler(req));
    });
  };

  route('health', () => ({ status: 'ok' }));

  route('listIssues', async req => {
    const { pluginSettings } = await workspaceContext.fromRequest(req);
    const projectKey = parseProjectKey(req.query.projectKey);
    const status = parseStatus(req.query.status);
    const site = jiraSiteFromSettings(pluginSettings);
    return { issues: await client.searchIssues(site, { projectKey, status }) };
  });

  // Jira's own REST paths go to the module's handler (the stock proxy front), the rest is 404.
  if (restHandler)
    router.use((req, res, next) => (req.path.startsWith('/rest/') ? restHandler(req, res, next) : next()));

  router.use(jiraErrorHandler());
  return router;
}
