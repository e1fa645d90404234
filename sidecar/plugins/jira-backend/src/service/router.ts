import { InputError } from '@backstage/errors';
import type { WorkspaceContextService } from '@internal/plugin-workspace-isolation-node';
import type express from 'express';
import Router from 'express-promise-router';
import type { JiraClient } from '../jira/JiraClient';
import type { JiraIssueSummary } from '../jira/response';
import { jiraErrorHandler } from './errors';
import { jiraSiteFromSettings } from './settings';

export interface RouterOptions {
  workspaceContext: WorkspaceContextService;
  client: JiraClient;
}

/** `GET /issues` answer. */
export interface IssuesResponse {
  issues: JiraIssueSummary[];
}

/**
 * Jira project keys: a letter, then letters, digits or underscores (Jira's
 * default rule; 2 to 255 characters as sites may configure). Matched
 * case-insensitively and sent upper-case, as Jira stores keys.
 */
const PROJECT_KEY = /^[A-Z][A-Z0-9_]{1,254}$/;
const MAX_STATUS_LENGTH = 255;

/** A single query parameter, or undefined; repeated parameters are a client mistake. */
function singleParam(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InputError(`Query parameter ${name} must be given once`);
  return value;
}

function parseProjectKey(value: unknown): string {
  const key = singleParam(value, 'projectKey')?.trim().toUpperCase();
  if (!key) throw new InputError('Query parameter projectKey is required, e.g. ?projectKey=OPS');
  if (!PROJECT_KEY.test(key)) {
    throw new InputError('projectKey must be a Jira project key: a letter, then letters, digits or underscores (e.g. OPS)');
  }
  return key;
}

function parseStatus(value: unknown): string | undefined {
  const status = singleParam(value, 'status')?.trim();
  if (status === undefined || status === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (status.length > MAX_STATUS_LENGTH || /[\u0000-\u001f\u007f]/.test(status)) {
    throw new InputError(`status must be a Jira status name of at most ${MAX_STATUS_LENGTH} characters`);
  }
  return status;
}

/**
 * Routes of the Jira plugin, served under `/api/jira`.
 *
 * `GET /issues?projectKey=KEY[&status=NAME]` → `{ issues: [{ key, summary,
 * status, assignee, createdAt }] }`, newest first (at most the client's
 * `maxResults`); `assignee` is the display name or null.
 *
 * The Jira site and credentials come only from the workspace's plugin
 * configuration (`workspaceContext.fromRequest(req).pluginSettings`). Errors:
 * 400 bad projectKey/status or a search Jira rejects; 412 the workspace has
 * not configured Jira; 403 Jira refused the credentials (401/403 upstream);
 * 404 unknown or invisible project, or a base_url without Jira's API;
 * 429 with Retry-After when Jira rate-limits; 503 Jira down, unreachable or
 * too slow. Bodies have Backstage's error shape.
 */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { workspaceContext, client } = options;
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/issues', async (req, res) => {
    const { pluginSettings } = await workspaceContext.fromRequest(req);
    const projectKey = parseProjectKey(req.query.projectKey);
    const status = parseStatus(req.query.status);
    const site = jiraSiteFromSettings(pluginSettings);
    const body: IssuesResponse = { issues: await client.searchIssues(site, { projectKey, status }) };
    res.json(body);
  });

  router.use(jiraErrorHandler());
  return router;
}
