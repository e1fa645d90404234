import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { PluginSettings } from '@internal/plugin-workspace-isolation-node';
import { type StockPluginDefinition, hostedOf } from '../definitions';
import { MAX_BODY_BYTES, RouteRefusal, checkedBody, hasBody, matchRoute, pluginPathOf, searchOf } from '../routes';

const HEALTH = new Set(['/.backstage/health/v1/readiness', '/.backstage/health/v1/liveness']);
const parseJson = express.json({ limit: MAX_BODY_BYTES, strict: true });

function refuse(res: Response, status: number, message: string) {
  const name = status === 404 ? 'NotFoundError' : 'InputError';
  res.status(status).json({ error: { name, message }, response: { statusCode: status } });
}

/**
 * The root-router gate of a stock plugin's process: in front of everything
 * Backstage mounts (its catalog-less core, `/.backstage/actions`, any route a
 * plugin adds), it lets through only the health checks and the definition's
 * allow-listed routes with their allowed query parameters, and a body only
 * where the route takes one, as the route checks it. This repeats the
 * sidecar front's checks so that the plugin is safe even if the front is
 * bypassed. Express has parsed `req.query` before a root middleware runs, and
 * some plugins forward `req.originalUrl`, so all three are rewritten, with
 * the path the route makes of the caller's (`pluginPath`, e.g. a job in a
 * folder in the plugin's own spelling).
 */
export function stockGate(definition: StockPluginDefinition, settings: PluginSettings) {
  const prefix = hostedOf(definition).basePath;
  return (req: Request, res: Response, next: NextFunction) => {
    const url = req.url ?? '';
    const path = url.split('?')[0]!;
    if (req.method === 'GET' && HEALTH.has(path)) {
      req.url = path;
      req.originalUrl = path;
      return next();
    }
    if (!path.startsWith(`${prefix}/`)) return refuse(res, 404, `no such route of ${definition.pluginId}`);
    let matched: ReturnType<typeof matchRoute>;
    let pluginPath: string;
    try {
      matched = matchRoute(definition, req.method, path.slice(prefix.length), searchOf(url));
      pluginPath = pluginPathOf(definition, matched, settings);
    } catch (error) {
      if (error instanceof RouteRefusal) return refuse(res, error.status, error.message);
      throw error;
    }
    req.url = `${prefix}${pluginPath}${matched.search}`;
    req.originalUrl = req.url;
    Object.defineProperty(req, 'query', { value: { ...matched.query }, writable: true, configurable: true });
    if (!matched.route.body) {
      if (hasBody(req.headers))
        return refuse(res, 400, `the ${definition.pluginId} route ${matched.path} takes no body`);
      return next();
    }
    if (!req.is('application/json')) return refuse(res, 400, 'the body must be JSON (Content-Type: application/json)');
    // Parsed here (express marks it parsed, so the plugin's own parser keeps what the route made of it).
    parseJson(req, res, error => {
      if (error) return refuse(res, 400, `the body is not accepted: ${(error as Error).message}`);
      try {
        req.body = checkedBody(definition, matched, req.body);
      } catch (refusal) {
        return refuse(res, 400, (refusal as Error).message);
      }
      next();
    });
  };
}
