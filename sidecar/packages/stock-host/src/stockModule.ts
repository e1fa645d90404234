import { type ExtensionPoint, coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { workspaceContextServiceRef } from '@internal/plugin-workspace-isolation-node';
import type { RequestHandler } from 'express';
import type { StockPluginDefinition } from './definitions';
import { stockForwarder } from './stockPlugin';
import type { StockSupervisor } from './supervisor';

/** What an Orbit plugin that shares its id with a stock plugin offers: a place for the stock front's handler. */
export interface StockFrontMount {
  setRestHandler(handler: RequestHandler): void;
}

/**
 * The front of a stock plugin whose id an Orbit plugin owns (`jira`): a
 * module of that plugin handing the stock front (stockForwarder) to the
 * plugin's extension point, so it runs behind the same workspace isolation,
 * with the same settings, next to the plugin's own routes.
 */
export function createStockFrontModule(
  definition: StockPluginDefinition,
  supervisor: StockSupervisor,
  mount: ExtensionPoint<StockFrontMount>,
) {
  return createBackendModule({
    pluginId: definition.pluginId,
    moduleId: 'stock-front',
    register(env) {
      env.registerInit({
        deps: { mount, lifecycle: coreServices.rootLifecycle, workspaceContext: workspaceContextServiceRef },
        async init({ mount: target, lifecycle, workspaceContext }) {
          lifecycle.addShutdownHook(() => supervisor.close());
          target.setRestHandler(stockForwarder(definition, supervisor, workspaceContext));
        },
      });
    },
  });
}
