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
   * Routes callers may reach, below /api/<pluginId>: method and a pattern of
   * the path (no query string: the gate drops it). Everything else is 404.
   */
  readonly routes: ReadonlyArray<{ readonly method: 'GET'; readonly path: RegExp }>;
  /** The plugin's Backstage config for one workspace (secrets included; it stays in memory). */
  configFor(settings: PluginSettings): Record<string, unknown>;
  /** Annotations of the entity `component:default/<name>` the replacement catalog answers with. */
  annotationsFor(name: string): Record<string, string>;
}

/** Backstage entity names: [a-z0-9A-Z] with - _ . between, at most 63 characters. */
export const ENTITY_NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?';
