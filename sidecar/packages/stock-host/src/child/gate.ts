import type { NextFunction, Request, Response } from 'express';
import type { StockPluginDefinition } from '../definitions';

const HEALTH = new Set(['/.backstage/health/v1/readiness', '/.backstage/health/v1/liveness']);

/**
 * The root-router gate of a stock plugin's process: in front of everything
 * Backstage mounts (its catalog-less core, `/.backstage/actions`, any route a
 * plugin adds), it lets through only the health checks and the definition's
 * allow-listed routes, and drops the query string. Express has parsed
 * `req.query` before a root middleware runs, and some plugins forward
 * `req.originalUrl`, so all three are rewritten.
 */
export function stockGate(definition: StockPluginDefinition) {
  const prefix = `/api/${definition.pluginId}`;
  return (req: Request, res: Response, next: NextFunction) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method === 'GET' && HEALTH.has(path)) return next();
    const below = path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
    const allowed =
      below !== undefined && definition.routes.some(route => route.method === req.method && route.path.test(below));
    if (!allowed) {
      res.status(404).json({
        error: { name: 'NotFoundError', message: `no such route of ${definition.pluginId}` },
        response: { statusCode: 404 },
      });
      return;
    }
    req.url = path;
    req.originalUrl = path;
    Object.defineProperty(req, 'query', { value: {}, writable: true, configurable: true });
    next();
  };
}
