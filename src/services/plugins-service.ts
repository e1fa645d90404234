import type { ServiceImpl } from "@connectrpc/connect";
import type { Catalogue, CatalogueEntry } from "../catalogue/catalogue.js";
import { PluginsService } from "../gen/idp/plugins/v1/plugins_pb.js";
import { errors } from "../lib/errors.js";
import { DISABLED_VIEW, toPluginMessage } from "./plugin-message.js";

export interface PluginsServiceDeps {
  readonly catalogue: Catalogue;
}

const CATEGORIES = ["api-catalog", "ci-cd", "infrastructure", "cloud-resources", "project-management"];

/**
 * idp.plugins.v1.PluginsService. Workspace checks and admin gating have already
 * happened in the gate interceptor; handlers validate their own arguments only.
 */
export function createPluginsService(deps: PluginsServiceDeps): ServiceImpl<typeof PluginsService> {
  const { catalogue } = deps;

  const entryOf = (pluginId: string): CatalogueEntry => {
    if (pluginId === "") throw errors.missingField("plugin_id");
    const entry = catalogue.get(pluginId);
    if (!entry) throw errors.pluginNotFound(pluginId);
    return entry;
  };

  const notYet = (procedure: string) => async (): Promise<never> => {
    throw errors.notYetAvailable(procedure, "this gateway version does not store per-workspace plugin configuration yet");
  };
  const noSidecarYet = (procedure: string) => async (): Promise<never> => {
    throw errors.notYetAvailable(procedure, "this gateway version does not forward to the plugin sidecar yet");
  };

  return {
    async listPlugins(request) {
      if (request.category !== "" && !CATEGORIES.includes(request.category)) {
        throw errors.invalidField("category", `must be one of ${CATEGORIES.join(", ")} (or empty for all)`);
      }
      const plugins = catalogue.entries
        .filter((entry) => request.category === "" || entry.category === request.category)
        .map((entry) => toPluginMessage(entry, DISABLED_VIEW))
        .filter((plugin) => request.enabledOnly === undefined || plugin.enabled === request.enabledOnly);
      return { plugins };
    },

    async getPlugin(request) {
      return { plugin: toPluginMessage(entryOf(request.pluginId), DISABLED_VIEW) };
    },

    async getPluginSchema(request) {
      const entry = entryOf(request.pluginId);
      return {
        jsonSchema: JSON.stringify(entry.configSchema),
        endpoints: entry.endpoints.map((endpoint) => ({
          path: endpoint.path,
          method: endpoint.method,
          description: endpoint.description,
          exampleResponse: endpoint.exampleResponse,
          parameters: endpoint.parameters.map((parameter) => ({ ...parameter, defaultValue: parameter.defaultValue ?? "" })),
        })),
      };
    },

    enablePlugin: notYet("EnablePlugin"),
    disablePlugin: notYet("DisablePlugin"),
    updatePluginConfig: notYet("UpdatePluginConfig"),
    proxyPluginRequest: noSidecarYet("ProxyPluginRequest"),
    getPluginData: noSidecarYet("GetPluginData"),
    listJiraIssues: noSidecarYet("ListJiraIssues"),
    listGitHubPullRequests: noSidecarYet("ListGitHubPullRequests"),
  };
}
