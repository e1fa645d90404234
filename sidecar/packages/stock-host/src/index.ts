export {
  githubActionsDefinition,
  jenkinsDefinition,
  jiraDefinition,
  sonarqubeDefinition,
  stockPluginDefinitions,
  type StockPluginDefinition,
} from './definitions';
export {
  StockCapacityError,
  StockSupervisor,
  type StockInstanceHealth,
  type StockStopReason,
  type StockStoppedEvent,
} from './supervisor';
export {
  IDLE_SECONDS_ENV,
  MAX_PROCESSES_ENV,
  stockProcessSettingsFromEnv,
  stockProcessSettingsProblem,
  type StockProcessSettings,
} from './processSettings';
export { INSTANCE_CONTROL_HEADER } from './instanceControl';
export { createStockPlugin, stockForwarder, stockPlugins } from './stockPlugin';
export { createStockFrontModule, type StockFrontMount } from './stockModule';
