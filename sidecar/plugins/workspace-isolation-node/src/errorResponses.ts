import { findEgressRefusal } from '@internal/egress-node';
import type { ErrorRequestHandler, Request, Response } from 'express';

/**
 * How an Orbit plugin error is answered when Backstage's error middleware has
 * no status for it: 412 (the workspace is not set up for this call) or 429
 * with `Retry-After` (a third-party API limited the workspace; the gateway
 * turns it into RESOURCE_EXHAUSTED with the retry time).
 */
export type PluginErrorStatus = { readonly status: 412 } | { readonly status: 429; readonly retryAfterSeconds: number };

/**
 * Express error handler for the end of a plugin router: answers the errors
 * `classify` recognises in Backstage's JSON error shape and passes everything
 * else on to Backstage's own middleware (InputError 400, NotAllowedError 403,
 * NotFoundError 404, ServiceUnavailableError 503, …). A connection the egress
 * policy refused is always 412: the workspace's upstream URL is not allowed.
 */
export function createPluginErrorHandler(
  classify: (error: unknown) => PluginErrorStatus | undefined,
): ErrorRequestHandler {
  return (error, req, res, next) => {
    const refusal = findEgressRefusal(error);
    const answer = res.headersSent ? undefined : refusal ? { status: 412 as const } : classify(error);
    if (!answer) {
      next(error);
      return;
    }
    if (answer.status === 429) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(answer.retryAfterSeconds))));
    }
    sendError(req, res, answer.status, refusal ?? (error as Error));
  };
}

function sendError(req: Request, res: Response, statusCode: number, error: Error) {
  res.status(statusCode).json({
    error: { name: error.name, message: error.message },
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode },
  });
}
