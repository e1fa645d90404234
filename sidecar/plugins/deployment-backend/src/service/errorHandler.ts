import { createPluginErrorHandler } from '@internal/plugin-workspace-isolation-node';
import type { ErrorRequestHandler } from 'express';
import { GitHubCredentialMissingError, GitHubRateLimitError } from '../github/errors';

/**
 * A GitHub rate limit is 429 with `Retry-After` (so callers wait instead of
 * retrying at once, and never read it as a permission problem); a missing
 * credential is 412.
 */
export function gitHubErrorHandler(): ErrorRequestHandler {
  return createPluginErrorHandler(error => {
    if (error instanceof GitHubRateLimitError) {
      return { status: 429, retryAfterSeconds: error.retryAfterSeconds };
    }
    if (error instanceof GitHubCredentialMissingError) return { status: 412 };
    return undefined;
  });
}
