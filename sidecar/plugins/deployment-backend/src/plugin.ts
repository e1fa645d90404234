import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { workspaceContextServiceRef } from '@internal/plugin-workspace-isolation-node';
import { DatabaseDeploymentStore } from './database/DatabaseDeploymentStore';
import { createGitHubClient } from './github/GitHubClient';
import { createGitHubActionsProvider } from './provider/GitHubActionsProvider';
import { createAccessResolver } from './service/access';
import { createRouter } from './service/router';

/**
 * The `deployment` plugin: where each service of a workspace deploys, and
 * deployments over GitHub Actions (trigger, pipeline, approvals, history,
 * rollback). Depending on `workspaceContextServiceRef` is what puts every
 * route of this plugin behind workspace isolation.
 *
 * Backstage config (optional): `orbit.deployment.githubApiUrl`, the GitHub
 * REST base URL used when neither the environment nor the workspace's plugin
 * configuration names one.
 */
export const deploymentPlugin = createBackendPlugin({
  pluginId: 'deployment',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        workspaceContext: workspaceContextServiceRef,
      },
      async init({ config, database, httpRouter, logger, workspaceContext }) {
        const store = await DatabaseDeploymentStore.create({ database });
        // One client for every GitHub call: its ETag cache and request
        // coalescing are shared by all workspaces (keyed by credential).
        const client = createGitHubClient({ logger });
        const provider = createGitHubActionsProvider({ client, logger });
        const access = createAccessResolver({
          defaultBaseUrl: config.getOptionalString('orbit.deployment.githubApiUrl'),
        });
        httpRouter.use(await createRouter({ logger, workspaceContext, store, provider, access }));
      },
    });
  },
});
