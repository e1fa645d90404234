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

export const sonarqubeDefinition: StockPluginDefinition = {
  pluginId: 'sonarqube',
  packageName: '@backstage-community/plugin-sonarqube-backend',
  routes: [{ method: 'GET', path: new RegExp(`^/entities/component/default/${ENTITY_NAME}/summary$`) }],
  configFor: settings => ({
    sonarqube: {
      baseUrl: settings.config.base_url,
      ...(settings.config.external_base_url ? { externalBaseUrl: settings.config.external_base_url } : {}),
      apiKey: settings.secrets.api_key,
      authType: settings.config.auth_type === 'Bearer' ? 'Bearer' : 'Basic',
    },
  }),
  // The project key is the entity's name; no "instance/" prefix: the child has one instance.
  annotationsFor: name => ({ 'sonarqube.org/project-key': name }),
};

export const jenkinsDefinition: StockPluginDefinition = {
  pluginId: 'jenkins',
  packageName: '@backstage-community/plugin-jenkins-backend',
  // Listing projects only; job, build, rebuild and consoleText routes are not allowed yet.
  routes: [{ method: 'GET', path: new RegExp(`^/v1/entity/default/component/${ENTITY_NAME}/projects$`) }],
  configFor: settings => ({
    jenkins: {
      baseUrl: settings.config.base_url,
      username: settings.config.username,
      apiKey: settings.secrets.api_key,
    },
  }),
  // The job's full name is the entity's name; no "instance:" prefix: the child has one instance.
  annotationsFor: name => ({ 'jenkins.io/job-full-name': name }),
};

/** The stock plugins the sidecar hosts, by plugin id. */
export const stockPluginDefinitions: ReadonlyMap<string, StockPluginDefinition> = new Map(
  [sonarqubeDefinition, jenkinsDefinition].map(definition => [definition.pluginId, definition]),
);
