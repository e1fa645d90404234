import type { IncomingHttpHeaders } from 'node:http';
import type { PluginSettings } from '@internal/plugin-workspace-isolation-node';
import type { StockPluginDefinition, StockRoute } from './definitions';

/** Largest JSON body a stock plugin route takes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The raw query string of a URL, without the '?' ('' if none). */
export function searchOf(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1);
}

/** Whether a request carries a body (any length, any transfer encoding). */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/** Why a request does not fit a stock plugin's routes: 404 (no such route) or 400 (the route refuses it). */
export class RouteRefusal extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

export interface MatchedRequest {
  readonly route: StockRoute;
  /** The path below /api/<pluginId>, then the allowed query parameters in a canonical order ('' if none). */
  readonly path: string;
  readonly search: string;
  /** The parameters behind `search`, for code that reads `req.query`. */
  readonly query: Readonly<Record<string, string>>;
}

/**
 * Matches a request to a definition's allow-list: the route by method and
 * path, then every query parameter against the route's own list (one value
 * each, matching its pattern). The query is parsed from the raw URL with
 * URLSearchParams, never with Express's extended parser (which makes arrays
 * and objects of `a[b]=c`).
 */
export function matchRoute(definition: StockPluginDefinition, method: string, path: string, rawSearch: string) {
  const route = definition.routes.find(candidate => candidate.method === method && candidate.path.test(path));
  if (!route) throw new RouteRefusal(404, `no route ${method} ${path} in the ${definition.pluginId} plugin`);
  const params = new URLSearchParams(rawSearch);
  const query: Record<string, string> = {};
  for (const name of new Set(params.keys())) {
    const pattern = route.query?.[name];
    if (!pattern) {
      throw new RouteRefusal(
        400,
        route.query
          ? `the ${definition.pluginId} route ${path} takes no query parameter "${name}" (it takes ${Object.keys(route.query).join(', ')})`
          : `the ${definition.pluginId} route ${path} takes no query parameters`,
      );
    }
    const values = params.getAll(name);
    if (values.length !== 1 || !pattern.test(values[0]!)) {
      throw new RouteRefusal(
        400,
        `query parameter "${name}" of the ${definition.pluginId} route ${path} must be one value matching ${pattern.source}`,
      );
    }
    query[name] = values[0]!;
  }
  const names = Object.keys(query).sort();
  const search = names.length
    ? `?${new URLSearchParams(names.map((name): [string, string] => [name, query[name]!])).toString()}`
    : '';
  return { route, path, search, query } satisfies MatchedRequest;
}

/** The body a route with a body forwards: what the route makes of the caller's JSON, or a 400 saying why not. */
export function checkedBody(definition: StockPluginDefinition, matched: MatchedRequest, body: unknown): unknown {
  const check = matched.route.body;
  if (!check) throw new RouteRefusal(400, `the ${definition.pluginId} route ${matched.path} takes no body`);
  try {
    return check(body, matched.path);
  } catch (error) {
    throw new RouteRefusal(
      400,
      `the body of ${definition.pluginId} ${matched.path} was refused: ${(error as Error).message}`,
    );
  }
}

/**
 * The path below /api/<pluginId> the plugin receives for a matched request:
 * the route's `pluginPath` of it with the workspace's settings, or the path as
 * is; a 400 saying why when the route refuses it.
 */
export function pluginPathOf(definition: StockPluginDefinition, matched: MatchedRequest, settings: PluginSettings) {
  const rewrite = matched.route.pluginPath;
  if (!rewrite) return matched.path;
  try {
    return rewrite(matched.path, settings);
  } catch (error) {
    throw new RouteRefusal(
      400,
      `the ${definition.pluginId} route ${matched.path} was refused: ${(error as Error).message}`,
    );
  }
}
