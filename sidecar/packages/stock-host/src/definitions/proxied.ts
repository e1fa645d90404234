import type { StockRoute } from './definition';

/** The one endpoint of the proxy backend in a child: `/api/proxy/upstream`, whose target is the workspace's upstream. */
export const PROXY_ENDPOINT = '/upstream';
export const PROXIED = { pluginId: 'proxy', basePath: `/api/proxy${PROXY_ENDPOINT}` } as const;

/**
 * The proxy backend's config of a child: one endpoint to the workspace's
 * upstream, GET only, with the workspace's credentials set by the config
 * (lower-case names, so they replace whatever the request carried; the
 * front forwards none of the caller's headers anyway), and no header of the
 * upstream's answer passed back beyond the proxy's safe list.
 */
export function proxyConfig(target: string, headers: Record<string, string>) {
  return {
    proxy: {
      endpoints: {
        [PROXY_ENDPOINT]: {
          target,
          changeOrigin: true,
          credentials: 'require',
          allowedMethods: ['GET'],
          allowedHeaders: [],
          headers,
        },
      },
    },
  };
}

/** A GET route from a path template whose `{name}` parts match the given patterns (one segment each). */
export function getRoute(
  template: string,
  segments: Readonly<Record<string, string>>,
  query?: Readonly<Record<string, RegExp>>,
): StockRoute {
  const pattern = template.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const segment = segments[name];
    if (!segment) throw new Error(`no pattern for {${name}} in ${template}`);
    return `(?:${segment})`;
  });
  return { method: 'GET', path: new RegExp(`^${pattern}$`), ...(query ? { query } : {}) };
}
