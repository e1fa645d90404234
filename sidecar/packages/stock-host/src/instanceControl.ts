import type { WorkspaceContextService } from '@internal/plugin-workspace-isolation-node';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import Router from 'express-promise-router';
import type { StockPluginDefinition } from './definitions';
import { StockCapacityError, type StockSupervisor } from './supervisor';

/**
 * The header that marks a call as the gateway's own control of a workspace's
 * process. The gateway never forwards it from a client (its request-header
 * allow-list), so ProxyPluginRequest cannot reach these routes: without it
 * they fall through to the plugin's route allow-list, where `/instance` is
 * not a route.
 */
export const INSTANCE_CONTROL_HEADER = 'x-orbit-instance-control';

/**
 * `/api/<pluginId>/instance`, behind the same service token and workspace
 * isolation as every route of the plugin; it acts on the calling workspace's
 * process only (the workspace comes from the verified context, never the path):
 *
 * - `POST` (with `X-Orbit-Plugin-Config`): start the process for these settings,
 *   blue/green next to a serving one, without waiting for it: 202. The gateway
 *   calls it after EnablePlugin / UpdatePluginConfig, so the next call finds it ready.
 * - `DELETE`: stop the workspace's processes (calls in flight finish first): 200
 *   `{"stopped": n}`. The gateway calls it after DisablePlugin.
 */
export function instanceControlRouter(
  definition: StockPluginDefinition,
  supervisor: StockSupervisor,
  workspaceContext: WorkspaceContextService,
) {
  const router = Router();
  router.use((req, _res, next) => {
    // Not the gateway's control call: leave it to the plugin's route allow-list.
    next(req.path !== '/' || req.header(INSTANCE_CONTROL_HEADER) !== '1' ? 'router' : undefined);
  });
  router.post('/', async (req, res) => {
    const context = await workspaceContext.fromRequest(req);
    if (!context.pluginSettings) {
      throw new InputError(
        `starting the ${definition.pluginId} process needs the workspace's settings (X-Orbit-Plugin-Config)`,
      );
    }
    try {
      supervisor.prewarm(definition, context.workspaceId, context.pluginSettings);
    } catch (error) {
      if (error instanceof StockCapacityError) res.setHeader('retry-after', String(error.retryAfterSeconds));
      throw new ServiceUnavailableError((error as Error).message);
    }
    res.status(202).json({ status: 'starting' });
  });
  router.delete('/', async (req, res) => {
    const { workspaceId } = await workspaceContext.fromRequest(req);
    res.json({ stopped: supervisor.stopInstances(definition.pluginId, workspaceId) });
  });
  return router;
}
