import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { WorkspaceContextService } from '@internal/plugin-workspace-isolation-node';
import express from 'express';
import Router from 'express-promise-router';

export interface RouterOptions {
  logger: LoggerService;
  workspaceContext: WorkspaceContextService;
}

/**
 * Routes of the deployment plugin, served under `/api/deployment`.
 *
 * By the time a request gets here Backstage has checked the service token and
 * the workspace isolation middleware has validated the X-Orbit-* headers. The
 * workspace comes only from `workspaceContext.fromRequest(req)`. Errors thrown
 * here (e.g. `InputError`) become Backstage's JSON error responses through the
 * error middleware that the `httpRouter` service puts after the plugin routes.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { workspaceContext } = options;

  const router = Router();
  router.use(express.json());
  // body-parser's own errors carry the raw body; report a plain InputError.
  router.use(((err, _req, _res, next) => {
    if (err?.type === 'entity.parse.failed') {
      next(new InputError('Request body is not valid JSON'));
    } else {
      next(err);
    }
  }) as express.ErrorRequestHandler);

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/whoami', async (req, res) => {
    const { workspaceId, userId, githubToken } =
      await workspaceContext.fromRequest(req);
    res.json({ workspaceId, userId, hasGitHubToken: githubToken !== undefined });
  });

  router.post('/echo', async (req, res) => {
    const { workspaceId } = await workspaceContext.fromRequest(req);
    if (!req.is('application/json')) {
      throw new InputError(
        'POST /echo expects a JSON body (Content-Type: application/json)',
      );
    }
    res.json({ workspaceId, body: req.body });
  });

  return router;
}
