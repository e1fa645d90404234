import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { type WorkspaceContextService, workspaceContextServiceRef } from '@internal/plugin-workspace-isolation-node';
import { InputError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import Router from 'express-promise-router';
import express from 'express';
import type { Request, Response } from 'express';
import { type StockPluginDefinition, hostedOf, stockPluginDefinitions } from './definitions';
import {
  MAX_BODY_BYTES,
  type MatchedRequest,
  RouteRefusal,
  checkedBody,
  hasBody,
  matchRoute,
  pluginPathOf,
  searchOf,
} from './routes';
import { instanceControlRouter } from './instanceControl';
import { stockProcessSettingsFromEnv } from './processSettings';
import { StockCapacityError, StockSupervisor } from './supervisor';

/** Response headers passed back from a stock plugin (the rest, e.g. its cookies or CORS, are dropped). */
const PASSED_HEADERS = ['content-type', 'cache-control', 'etag', 'last-modified', 'deprecation'];

const parseJson = express.json({ limit: MAX_BODY_BYTES, strict: true });

/** A route refusal as the Backstage error its default handler answers with (404 or 400); anything else as is. */
function asBackstageError(error: unknown): unknown {
  if (!(error instanceof RouteRefusal)) return error;
  return error.status === 404 ? new NotFoundError(error.message) : new InputError(error.message);
}

/** Reads a JSON body into `req.body` with the front's limit; the parser's own refusals become 400. */
function readJsonBody(req: Request, res: Response): Promise<unknown> {
  if (!req.is('application/json')) {
    return Promise.reject(new RouteRefusal(400, 'the body must be JSON (Content-Type: application/json)'));
  }
  return new Promise((resolve, reject) =>
    parseJson(req, res, error =>
      error
        ? reject(new RouteRefusal(400, `the body is not accepted: ${(error as Error).message}`))
        : resolve(req.body),
    ),
  );
}

/** The body to forward for a matched route: the route's checked version of the caller's JSON, or none. */
async function forwardedBody(definition: StockPluginDefinition, matched: MatchedRequest, req: Request, res: Response) {
  try {
    if (!matched.route.body) {
      if (hasBody(req.headers))
        throw new RouteRefusal(400, `the ${definition.pluginId} route ${matched.path} takes no body`);
      return undefined;
    }
    return checkedBody(definition, matched, await readJsonBody(req, res));
  } catch (error) {
    throw asBackstageError(error);
  }
}

/**
 * The request handler of a stock plugin's front: matches the call to the
 * definition's allow-list (path, query, body), then forwards the canonical
 * path and query, and the route's checked body, to the calling workspace's own
 * process, started from the workspace's settings (`X-Orbit-Plugin-Config`).
 * Nothing of the caller's headers is forwarded. Errors thrown are Backstage
 * errors (400/404/503 with the message).
 */
export function stockForwarder(
  definition: StockPluginDefinition,
  supervisor: StockSupervisor,
  workspaceContext: WorkspaceContextService,
) {
  const { basePath } = hostedOf(definition);
  return async (req: Request, res: Response) => {
    let matched: MatchedRequest;
    try {
      matched = matchRoute(definition, req.method, req.path, searchOf(req.originalUrl));
    } catch (error) {
      throw asBackstageError(error);
    }
    const body = await forwardedBody(definition, matched, req, res);
    const context = await workspaceContext.fromRequest(req);
    if (!context.pluginSettings) {
      throw new InputError(`the ${definition.pluginId} plugin needs the workspace's settings (X-Orbit-Plugin-Config)`);
    }
    // Checked here too (the child's gate rewrites it), so a refused path starts no process.
    try {
      pluginPathOf(definition, matched, context.pluginSettings);
    } catch (error) {
      throw asBackstageError(error);
    }
    let chosen: Awaited<ReturnType<StockSupervisor['instanceFor']>>;
    try {
      chosen = await supervisor.instanceFor(definition, context.workspaceId, context.pluginSettings);
    } catch (error) {
      if (error instanceof StockCapacityError) res.setHeader('retry-after', String(error.retryAfterSeconds));
      throw new ServiceUnavailableError((error as Error).message);
    }
    const upstream = await supervisor.request(chosen.instance, {
      method: req.method,
      path: `${basePath}${matched.path}${matched.search}`,
      headers: { accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    res.status(upstream.statusCode ?? 502);
    for (const name of PASSED_HEADERS) {
      const value = upstream.headers[name];
      if (value !== undefined) res.setHeader(name, value);
    }
    // Answered with the settings being replaced: pass it on, but let nobody cache it.
    if (chosen.stale) res.setHeader('cache-control', 'no-store');
    upstream.pipe(res);
  };
}

/**
 * The sidecar's front of one stock plugin, under the same id (/api/<pluginId>):
 * behind workspace isolation like Orbit's own plugins, it answers `/health` for
 * the calling workspace and forwards the allow-listed routes (stockForwarder).
 */
export function createStockPlugin(definition: StockPluginDefinition, supervisor: StockSupervisor) {
  return createBackendPlugin({
    pluginId: definition.pluginId,
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          lifecycle: coreServices.rootLifecycle,
          workspaceContext: workspaceContextServiceRef,
        },
        async init({ httpRouter, lifecycle, workspaceContext }) {
          lifecycle.addShutdownHook(() => supervisor.close());
          const router = Router();
          router.get('/health', async (req, res) => {
            const { workspaceId } = await workspaceContext.fromRequest(req);
            const health = supervisor.healthOf(definition.pluginId, workspaceId);
            // In Backstage's error shape: the plugin's answer, so the gateway neither retries it
            // nor counts it against the sidecar's circuit (other workspaces keep working).
            if (!health.healthy) throw new ServiceUnavailableError(health.message);
            res.json({ status: 'ok', message: health.message });
          });
          // The gateway's prewarm (POST) and stop (DELETE) of the workspace's process; before the forwarding below.
          router.use('/instance', instanceControlRouter(definition, supervisor, workspaceContext));
          router.use(stockForwarder(definition, supervisor, workspaceContext));
          // Errors thrown above are Backstage errors: its default handler answers 400/404/503 with the message.
          httpRouter.use(router);
        },
      });
    },
  });
}

/**
 * Every stock plugin the sidecar hosts as a Backstage plugin of its own,
 * sharing one supervisor, stopped with the backend. Definitions that share
 * their id with an Orbit plugin (`jira`) are left out: that plugin mounts
 * their front (stockForwarder) itself.
 */
export function stockPlugins(supervisor = new StockSupervisor(stockProcessSettingsFromEnv())) {
  return [...stockPluginDefinitions.values()]
    .filter(definition => !definition.sharesOrbitPlugin)
    .map(definition => createStockPlugin(definition, supervisor));
}
