import type { ErrorRequestHandler, Request, Response } from 'express';
import {
  GitHubCredentialMissingError,
  GitHubRateLimitError,
} from '../github/errors';

/**
 * The statuses Backstage's error middleware does not know: a GitHub rate
 * limit is 429 with `Retry-After` (so callers wait instead of retrying at
 * once, and never read it as a permission problem), a missing credential is
 * 412. The body has Backstage's error shape; everything else goes on to
 * Backstage's own middleware.
 */
export function gitHubErrorHandler(): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
    } else if (error instanceof GitHubRateLimitError) {
      res.setHeader(
        'Retry-After',
        String(Math.max(1, Math.ceil(error.retryAfterSeconds))),
      );
      sendError(req, res, 429, error);
    } else if (error instanceof GitHubCredentialMissingError) {
      sendError(req, res, 412, error);
    } else {
      next(error);
    }
  };
}

function sendError(req: Request, res: Response, statusCode: number, error: Error) {
  res.status(statusCode).json({
    error: { name: error.name, message: error.message },
    request: { method: req.method, url: req.url },
    response: { statusCode },
  });
}
