import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { workspaceContextServiceRef } from '@internal/plugin-workspace-isolation-node';
import Router from 'express-promise-router';
import { jsonBody } from '../service/jsonBody';

/**
 * Test fixture: two diagnostic routes under the deployment plugin's base path
 * that show what the isolation layer hands a plugin. They are not part of the
 * plugin's contract; the forwarding, isolation and telemetry suites, the fuzz
 * and the drills call them through the gateway.
 *
 * - `GET /api/deployment/whoami` → `{ workspaceId, userId, hasGitHubToken }`
 * - `POST /api/deployment/echo` (JSON body) → `{ workspaceId, body }`
 */
export const diagnosticRoutesModule = createBackendModule({
  pluginId: 'deployment',
  moduleId: 'test-diagnostics',
  register(env) {
    env.registerInit({
      deps: { httpRouter: coreServices.httpRouter, workspaceContext: workspaceContextServiceRef },
      async init({ httpRouter, workspaceContext }) {
        const router = Router();
        router.use(...jsonBody());
        router.get('/whoami', async (req, res) => {
          const { workspaceId, userId, githubToken } = await workspaceContext.fromRequest(req);
          res.json({ workspaceId, userId, hasGitHubToken: githubToken !== undefined });
        });
        router.post('/echo', async (req, res) => {
          const { workspaceId } = await workspaceContext.fromRequest(req);
          if (!req.is('application/json')) {
            throw new InputError('POST /echo expects a JSON body (Content-Type: application/json)');
          }
          res.json({ workspaceId, body: req.body });
        });
        httpRouter.use(router);
      },
    });
  },
});
