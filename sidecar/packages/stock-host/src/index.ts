export {
  jenkinsDefinition,
  sonarqubeDefinition,
  stockPluginDefinitions,
  type StockPluginDefinition,
} from './definitions';
export { StockSupervisor, type StockInstanceHealth } from './supervisor';
export { createStockPlugin, stockPlugins } from './stockPlugin';
