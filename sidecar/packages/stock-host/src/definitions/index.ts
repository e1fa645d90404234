import type { StockPluginDefinition } from './definition';
import { jenkinsDefinition } from './jenkins';
import { sonarqubeDefinition } from './sonarqube';

export { ENTITY_NAME, type StockPluginDefinition, type StockRoute } from './definition';
export { jenkinsDefinition } from './jenkins';
export { sonarqubeDefinition } from './sonarqube';

/** The stock plugins the sidecar hosts, by plugin id (one file per plugin in this folder). */
export const stockPluginDefinitions: ReadonlyMap<string, StockPluginDefinition> = new Map(
  [sonarqubeDefinition, jenkinsDefinition].map(definition => [definition.pluginId, definition]),
);
