import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { workspaceContextServiceRef } from '@internal/plugin-workspace-isolation-node';
import { createRouter } from './service/router';

/**
 * The `deployment` plugin: workspace-scoped deployments (GitHub Actions
 * support comes later). Depending on `workspaceContextServiceRef` is what puts
 * every route of this plugin behind workspace isolation.
 */
export const deploymentPlugin = createBackendPlugin({
  pluginId: 'deployment',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        workspaceContext: workspaceContextServiceRef,
      },
      async init({ httpRouter, logger, workspaceContext }) {
        httpRouter.use(await createRouter({ logger, workspaceContext }));
      },
    });
  },
});
