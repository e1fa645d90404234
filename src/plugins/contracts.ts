import { deploymentRoutes } from "./deployment/contract.js";
import { jiraRoutes } from "./jira/contract.js";
import type { PluginRoute } from "./plugin-route.js";

/**
 * The route table of each catalogue plugin whose contract the gateway compiles in,
 * by plugin id. The catalogue's `endpoints` (GetPlugin) come from here, so a route
 * is declared once, by its plugin.
 */
export const pluginRouteTables: Readonly<Record<string, Readonly<Record<string, PluginRoute>>>> = {
  deployment: deploymentRoutes,
  jira: jiraRoutes,
};
