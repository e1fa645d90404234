import { CustomErrorBase } from '@backstage/errors';
import { createPluginErrorHandler } from '@internal/plugin-workspace-isolation-node';
import type { ErrorRequestHandler } from 'express';

/**
 * The workspace has no usable Jira configuration (base_url, email, api_token).
 * Answered 412 Precondition Failed: the request is fine, the workspace is not
 * set up. Backstage has no 412 error class, hence `jiraErrorHandler`.
 */
export class JiraNotConfiguredError extends CustomErrorBase {
  override name = 'JiraNotConfiguredError' as const;
}

/** Jira rate-limited the workspace's account: 429 with `Retry-After`, never a permission error. */
export class JiraRateLimitError extends CustomErrorBase {
  override name = 'JiraRateLimitError' as const;
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Jira's rate limit is 429 with `Retry-After`; a workspace without Jira settings is 412. */
export function jiraErrorHandler(): ErrorRequestHandler {
  return createPluginErrorHandler(error => {
    if (error instanceof JiraRateLimitError) {
      return { status: 429, retryAfterSeconds: error.retryAfterSeconds };
    }
    if (error instanceof JiraNotConfiguredError) return { status: 412 };
    return undefined;
  });
}
