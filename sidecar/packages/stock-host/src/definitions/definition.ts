import type { PluginSettings } from '@internal/plugin-workspace-isolation-node';

/**
 * What the sidecar needs to know to host one stock plugin for one workspace:
 * the Backstage config generated from the workspace's settings, the only
 * routes callers may reach, and the catalog entity the plugin is shown.
 */
export interface StockPluginDefinition {
  /** Backstage plugin id; its routes are under /api/<pluginId> in both processes. */
  readonly pluginId: string;
  /** The npm package whose default export is the plugin (loaded in the child only). */
  readonly packageName: string;
  /**
   * One line saying how a workspace is kept to its own upstream (shown in the
   * plugin tables of README.md and sidecar/README.md, `npm run docs:plugins`).
   */
  readonly isolation: string;
  /**
   * Where the routes are inside the child, when not at /api/<pluginId>: the
   * Backstage plugin the child hosts (the proxy backend is `proxy`) and the
   * path its routes are below (`/api/proxy/upstream`, the one proxy endpoint).
   */
  readonly hosted?: { readonly pluginId: string; readonly basePath: string };
  /**
   * The plugin id is also an Orbit plugin's (`jira`): the sidecar front is then
   * not a Backstage plugin of its own but a handler that Orbit plugin mounts
   * for these routes (stockPlugins() leaves it out; see jiraRestModule).
   */
  readonly sharesOrbitPlugin?: boolean;
  /**
   * Routes callers may reach, below /api/<pluginId>. Everything else is 404;
   * a query parameter or a body a route does not declare is 400.
   */
  readonly routes: ReadonlyArray<StockRoute>;
  /** The plugin's Backstage config for one workspace (secrets included; it stays in memory). */
  configFor(settings: PluginSettings): Record<string, unknown>;
  /**
   * Annotations of the entity `component:default/<name>` the replacement
   * catalog answers with, from the name and the workspace's settings.
   */
  annotationsFor(name: string, settings: PluginSettings): Record<string, string>;
}

/**
 * One route of a stock plugin callers may reach. Nothing a route accepts may
 * select an instance, a cluster or a target: those come from the workspace's
 * settings only (the definition's `configFor`).
 */
export interface StockRoute {
  readonly method: 'GET' | 'POST';
  /** Pattern of the path below /api/<pluginId> (anchored). */
  readonly path: RegExp;
  /**
   * Query parameters the route takes, each with the pattern its one value must
   * match (anchored). Absent: the route takes none.
   */
  readonly query?: Readonly<Record<string, RegExp>>;
  /**
   * The route takes a JSON body: given the parsed body and the path, returns
   * the body the plugin receives (checked, with anything that names an entity
   * or instance forced from the path), or throws an Error saying what is wrong.
   * Absent: the route takes no body.
   */
  readonly body?: (body: unknown, path: string) => unknown;
  /**
   * The path the plugin receives for the caller's (matched) path, given the
   * workspace's settings: checks what the pattern cannot (e.g. that a job named
   * in the path is the entity's own) and turns the caller's spelling into the
   * plugin's; throws an Error saying what is wrong to refuse (400). Absent: the
   * path as is.
   */
  readonly pluginPath?: (path: string, settings: PluginSettings) => string;
}

/** Backstage entity names: [a-z0-9A-Z] with - _ . between, at most 63 characters. */
export const ENTITY_NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?';

/** The Backstage plugin a definition's child hosts and the path its routes are below, inside the child. */
export function hostedOf(definition: StockPluginDefinition): { pluginId: string; basePath: string } {
  return definition.hosted ?? { pluginId: definition.pluginId, basePath: `/api/${definition.pluginId}` };
}
