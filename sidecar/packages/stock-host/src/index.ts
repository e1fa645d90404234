export {
  githubActionsDefinition,
  jenkinsDefinition,
  jiraDefinition,
  sonarqubeDefinition,
  stockPluginDefinitions,
  type StockPluginDefinition,
} from './definitions';
export { StockSupervisor, type StockInstanceHealth } from './supervisor';
export { createStockPlugin, stockForwarder, stockPlugins } from './stockPlugin';
export { createStockFrontModule, type StockFrontMount } from './stockModule';
