import { CustomErrorBase } from '@backstage/errors';
import type { ErrorRequestHandler, Request, Response } from 'express';

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

/**
 * Answers the two errors Backstage's error middleware does not know (412 and
 * 429 with `Retry-After`) in Backstage's JSON error shape; everything else
 * (InputError 400, NotAllowedError 403, NotFoundError 404,
 * ServiceUnavailableError 503, …) goes on to Backstage's own middleware.
 */
export function jiraErrorHandler(): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
    } else if (error instanceof JiraRateLimitError) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
      sendError(req, res, 429, error);
    } else if (error instanceof JiraNotConfiguredError) {
      sendError(req, res, 412, error);
    } else {
      next(error);
    }
  };
}

function sendError(req: Request, res: Response, statusCode: number, error: Error) {
  res.status(statusCode).json({
    error: { name: error.name, message: error.message },
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode },
  });
}
