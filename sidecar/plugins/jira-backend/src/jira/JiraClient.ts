import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import { findEgressRefusal } from '@internal/plugin-workspace-isolation-node';
import { JiraRateLimitError } from '../service/errors';
import type { JiraSite } from '../service/settings';
import { projectIssuesJql } from './jql';
import type { JiraIssueSummary } from '@internal/plugin-jira-common';
import { parseSearchResponse } from './response';

export interface JiraClientOptions {
  logger: LoggerService;
  /** Upper bound for one Jira call, body included. */
  timeoutMs: number;
  /** Issues per search (Jira's enhanced search returns up to 100 with fields). */
  maxResults: number;
}

export interface JiraClient {
  /** The project's issues (optionally in one status), newest first. */
  searchIssues(site: JiraSite, query: { projectKey: string; status?: string }): Promise<JiraIssueSummary[]>;
}

/** Jira Cloud's enhanced JQL search (the old `/rest/api/3/search` is gone). */
const SEARCH_PATH = '/rest/api/3/search/jql';
const FIELDS = 'summary,status,assignee,created';
/** When Jira rate-limits without saying for how long. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

/**
 * Calls Jira with the workspace's credentials and turns every failure into a
 * Backstage error the router answers with. The API token only ever goes into
 * the Authorization header: no message or log line contains it.
 */
export function createJiraClient(options: JiraClientOptions): JiraClient {
  const { logger, timeoutMs, maxResults } = options;

  return {
    async searchIssues(site, { projectKey, status }) {
      const url = new URL(`${site.baseUrl}${SEARCH_PATH}`);
      url.searchParams.set('jql', projectIssuesJql(projectKey, status));
      url.searchParams.set('fields', FIELDS);
      url.searchParams.set('maxResults', String(maxResults));
      const where = new URL(site.baseUrl).host;

      let response: Response;
      let body: string;
      try {
        response = await fetch(url, {
          headers: {
            accept: 'application/json',
            authorization: `Basic ${Buffer.from(`${site.email}:${site.apiToken}`).toString('base64')}`,
          },
          signal: AbortSignal.timeout(timeoutMs),
        });
        body = await response.text();
      } catch (error) {
        // The egress policy refused the workspace's base_url before connecting: 412, nothing was sent.
        const refusal = findEgressRefusal(error);
        if (refusal) {
          logger.warn(`Jira search at ${where} refused: ${refusal.message}`);
          throw refusal;
        }
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        logger.warn(
          `Jira search at ${where} failed: ${timedOut ? `no answer within ${timeoutMs} ms` : 'network error'}`,
        );
        throw new ServiceUnavailableError(
          timedOut ? `Jira at ${where} did not answer within ${timeoutMs} ms` : `Jira at ${where} could not be reached`,
        );
      }

      if (response.ok) {
        const issues = parseSearchResponse(body);
        if (!issues) {
          logger.warn(`Jira search at ${where} answered ${response.status} with an unexpected body`);
          throw new ServiceUnavailableError(`Jira at ${where} answered with an unexpected response`);
        }
        return issues;
      }
      logger.warn(`Jira search at ${where} answered ${response.status}`);
      throw errorFor(response, body, { where, projectKey });
    },
  };
}

/** Jira's answer → the error the plugin answers with (see the router's docs for the mapping). */
function errorFor(response: Response, body: string, context: { where: string; projectKey: string }): Error {
  const { where, projectKey } = context;
  const messages = errorMessages(body);
  switch (response.status) {
    case 400:
      // An unknown project, or one the account cannot browse, is a 400 in Jira.
      if (messages.some(m => /does not exist for the field 'project'/.test(m))) {
        return new NotFoundError(
          `Jira project ${projectKey} does not exist or the workspace's Jira account cannot see it`,
        );
      }
      return new InputError(`Jira rejected the search: ${messages.join(' ') || 'bad request'}`);
    case 401:
      return new NotAllowedError(`Jira at ${where} rejected the workspace's credentials (email and API token)`);
    case 403:
      return new NotAllowedError(`The workspace's Jira account may not search issues at ${where}`);
    case 404:
      return new NotFoundError(
        `Jira at ${where} has no issue search at ${SEARCH_PATH}; check the workspace's Jira base_url`,
      );
    case 429:
      return new JiraRateLimitError(
        `Jira at ${where} is rate-limiting the workspace's account`,
        retryAfterSeconds(response.headers.get('retry-after')) ?? DEFAULT_RETRY_AFTER_SECONDS,
      );
    default:
      return new ServiceUnavailableError(`Jira at ${where} answered ${response.status}`);
  }
}

/** `errorMessages` and `errors` of Jira's error body; none for a non-JSON body. */
function errorMessages(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { errorMessages?: unknown; errors?: unknown };
    const list = Array.isArray(parsed.errorMessages)
      ? parsed.errorMessages.filter((m): m is string => typeof m === 'string')
      : [];
    const fields =
      parsed.errors && typeof parsed.errors === 'object'
        ? Object.values(parsed.errors).filter((m): m is string => typeof m === 'string')
        : [];
    return [...list, ...fields];
  } catch {
    return [];
  }
}

/** `Retry-After` in seconds or as an HTTP date. */
function retryAfterSeconds(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - Date.now()) / 1000));
}
