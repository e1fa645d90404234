import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';
import { requestLedgerServiceRef } from './service/RequestLedger';

/**
 * The `workspace-isolation` plugin. Its only job is to serve the request
 * counters of the isolation layer on the root router:
 *
 *   GET /.orbit/requests  ->  { "total": n, "byPath": { "/api/...": n } }
 *
 * The route lives outside `/api/<pluginId>`, so Backstage's credentials barrier
 * does not cover it; it checks the caller itself and, like plugin routes,
 * accepts only a service principal (the gateway's static token).
 */
export const workspaceIsolationPlugin = createBackendPlugin({
  pluginId: 'workspace-isolation',
  register(env) {
    env.registerInit({
      deps: {
        rootHttpRouter: coreServices.rootHttpRouter,
        httpAuth: coreServices.httpAuth,
        ledger: requestLedgerServiceRef,
      },
      async init({ rootHttpRouter, httpAuth, ledger }) {
        const router = Router();
        router.get('/requests', async (req, res) => {
          await httpAuth.credentials(req, { allow: ['service'] });
          res.json(ledger.snapshot());
        });
        rootHttpRouter.use('/.orbit', router);
      },
    });
  },
});
