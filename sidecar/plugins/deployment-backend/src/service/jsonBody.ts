import { InputError } from '@backstage/errors';
import express from 'express';

/**
 * JSON body parsing for the plugin's routers. body-parser's own errors carry
 * the raw body; a malformed body becomes a plain InputError (400) instead.
 */
export function jsonBody(): [express.RequestHandler, express.ErrorRequestHandler] {
  return [
    express.json(),
    (err, _req, _res, next) => {
      next(err?.type === 'entity.parse.failed' ? new InputError('Request body is not valid JSON') : err);
    },
  ];
}
