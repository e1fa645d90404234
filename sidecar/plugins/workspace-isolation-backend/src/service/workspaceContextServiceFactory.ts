import { performance } from 'node:perf_hooks';
import {
  coreServices,
  createServiceFactory,
  type HttpAuthService,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import { runInPluginScope } from '@internal/egress-node';
import {
  GITHUB_TOKEN_HEADER,
  PLUGIN_SETTINGS_HEADER,
  workspaceContextServiceRef,
  type WorkspaceContext,
} from '@internal/plugin-workspace-isolation-node';
import type { Request, RequestHandler } from 'express';
import { parseWorkspaceHeaders } from './parseWorkspaceHeaders';
import { requestLedgerServiceRef, type RequestLedgerService } from './RequestLedger';

type RequestContexts = WeakMap<Request, WorkspaceContext>;

function pathOf(req: Request): string {
  const url = req.originalUrl ?? req.url;
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}

/**
 * The isolation middleware put in front of every route of a plugin that
 * depends on the workspace context service. For each request it:
 *
 * 1. counts it in the request ledger (synchronously, on arrival);
 * 2. logs one structured line when the response is done: method, path,
 *    status, duration and the workspace/user ids once validated. Header values
 *    (Authorization, X-Orbit-GitHub-Token) are never logged;
 * 3. requires a service principal (the gateway's static token; Backstage's
 *    credentials barrier in front of us has already rejected anonymous calls);
 * 4. validates the X-Orbit-* headers (400 InputError on failure) and stores
 *    the resulting context for `workspaceContext.fromRequest(req)`.
 */
function createWorkspaceIsolationMiddleware(options: {
  pluginId: string;
  httpAuth: HttpAuthService;
  logger: LoggerService;
  ledger: RequestLedgerService;
  contexts: RequestContexts;
}): RequestHandler {
  const { pluginId, httpAuth, logger, ledger, contexts } = options;

  return (req, res, next) => {
    const startedAt = performance.now();
    const path = pathOf(req);
    ledger.record(path);

    res.once('close', () => {
      // Only validated ids are logged; nothing else from the request headers.
      const context = contexts.get(req);
      logger.info(`${req.method} ${path} ${res.statusCode}`, {
        type: 'pluginRequest',
        method: req.method,
        path,
        status: res.statusCode,
        ...(context && { workspaceId: context.workspaceId }),
        ...(context?.userId && { userId: context.userId }),
        durationMs: Math.round(performance.now() - startedAt),
        ...(!res.writableFinished && { aborted: true }),
      });
    });

    const admit = async () => {
      await httpAuth.credentials(req, { allow: ['service'] });
      contexts.set(req, parseWorkspaceHeaders(req.headers));
      // Token and settings now live only in (non-enumerable) context
      // properties; drop the raw headers so that nothing downstream logs them.
      delete req.headers[GITHUB_TOKEN_HEADER];
      delete req.headers[PLUGIN_SETTINGS_HEADER];
    };
    // The rest of the request runs in the plugin's scope, so that a connection
    // the egress policy refuses is counted against this plugin.
    admit().then(() => runInPluginScope(pluginId, next), next);
  };
}

/**
 * Plugin-scoped factory for `workspaceContextServiceRef`.
 *
 * Each plugin that depends on the workspace context gets its own instance,
 * created before the plugin's `init` runs; creating it installs the isolation
 * middleware on that plugin's `httpRouter`, so it runs after Backstage's
 * credentials barrier and before any route the plugin adds.
 */
export const workspaceContextServiceFactory = createServiceFactory({
  service: workspaceContextServiceRef,
  deps: {
    httpRouter: coreServices.httpRouter,
    httpAuth: coreServices.httpAuth,
    logger: coreServices.logger,
    ledger: requestLedgerServiceRef,
    pluginMetadata: coreServices.pluginMetadata,
  },
  factory({ httpRouter, httpAuth, logger, ledger, pluginMetadata }) {
    const contexts: RequestContexts = new WeakMap();

    httpRouter.use(
      createWorkspaceIsolationMiddleware({
        pluginId: pluginMetadata.getId(),
        httpAuth,
        logger: logger.child({ component: 'workspace-isolation' }),
        ledger,
        contexts,
      }),
    );

    return {
      async fromRequest(req) {
        const context = contexts.get(req);
        if (!context) {
          throw new Error(
            'workspaceContext.fromRequest() was called for a request that did not pass the workspace isolation middleware; only call it from routes added with this plugin’s httpRouter',
          );
        }
        return context;
      },
    };
  },
});
