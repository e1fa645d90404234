import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { Catalogue, CatalogueEntry } from "../catalogue/catalogue.js";
import type { PluginsService } from "../gen/idp/plugins/v1/plugins_pb.js";
import type { Plugin } from "../gen/idp/plugins/v1/plugins_pb.js";
import { NO_USER } from "../auth/identity.js";
import { identityKey } from "../lib/context-keys.js";
import { errors } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { mergeConfig } from "../store/merge.js";
import type { PluginMutation, PluginState, PluginStateStore } from "../store/plugin-state-store.js";
import type { ConfigValidator } from "./config-validation.js";
import { toPluginMessage } from "./plugin-message.js";
import type { PluginForwarder } from "../sidecar/plugin-forwarder.js";
import type { PluginHealth } from "../sidecar/plugin-health.js";
import type { SidecarCaller } from "../sidecar/sidecar-client.js";
import { returnableHeaders } from "../sidecar/forward-policy.js";
import { createStoreGuard } from "./store-errors.js";
import { listGitHubPullRequests } from "../plugins/deployment/pull-requests.js";
import { listJiraIssues } from "../plugins/jira/issues.js";
import { invocationOf } from "../sidecar/plugin-forwarder.js";
import type { PluginSettings, PluginSettingsPayload, PluginSettingsSource } from "../sidecar/plugin-settings.js";
import type { StockInstances } from "../sidecar/stock-instances.js";
import { isStockPlugin } from "../sidecar/stock-instances.js";

export interface PluginsServiceDeps {
  readonly catalogue: Catalogue;
  readonly store: PluginStateStore;
  readonly validator: ConfigValidator;
  readonly logger: Logger;
  /** Absent when no sidecar is configured: data calls then answer UNAVAILABLE. */
  readonly forwarder: PluginForwarder | undefined;
  /** A plugin's settings in a workspace; FAILED_PRECONDITION when it is disabled there (the one enabled check of a data call). */
  readonly settings: PluginSettingsSource;
  readonly health: PluginHealth;
  /** Prewarm / stop of a stock plugin's process for the workspace after a settings change (absent: nothing is done). */
  readonly instances?: StockInstances;
}

const CATEGORIES = ["api-catalog", "ci-cd", "infrastructure", "cloud-resources", "project-management"];

/**
 * idp.plugins.v1.PluginsService. Workspace checks and admin gating have already
 * happened in the gate interceptor; handlers validate their own arguments and read
 * the caller only from the verified identity.
 */
export function createPluginsService(deps: PluginsServiceDeps): ServiceImpl<typeof PluginsService> {
  const { catalogue, store, validator } = deps;

  const entryOf = (pluginId: string): CatalogueEntry => {
    if (pluginId === "") throw errors.missingField("plugin_id");
    const entry = catalogue.get(pluginId);
    if (!entry) throw errors.pluginNotFound(pluginId);
    return entry;
  };

  const guarded = createStoreGuard(deps.logger);

  /** Validates the state a mutation would leave, then applies it (with schema defaults filled in). */
  const write = async (
    workspaceId: string,
    entry: CatalogueEntry,
    context: HandlerContext,
    mutation: PluginMutation,
    expectedVersion?: number,
  ): Promise<{ plugin: Plugin; changed: boolean }> => {
    const actor = context.values.get(identityKey)?.userId ?? NO_USER;
    return guarded(async () => {
      const current = await store.get(workspaceId, entry.id);
      const enabled = mutation.enabled ?? current.enabled;
      const config = validator.check(entry, {
        config: mergeConfig(current.config, mutation.config).next,
        secrets: Object.fromEntries(Object.entries(mutation.secrets ?? {}).filter(([, value]) => value !== "")),
        enabled,
      });
      // Enabling or changing config stores the validated config (defaults included);
      // disabling leaves it as it is.
      const touchesConfig = mutation.config !== undefined || mutation.enabled === true;
      const { state, changed } = await store.apply(
        workspaceId,
        entry.id,
        actor,
        touchesConfig ? { ...mutation, config: withRemovals(config, mutation.config ?? {}) } : mutation,
        expectedVersion === undefined ? {} : { expectedVersion },
      );
      return { plugin: toPluginMessage(entry, viewOf(state)), changed };
    });
  };

  return {
    async listPlugins(request, context) {
      if (request.category !== "" && !CATEGORIES.includes(request.category)) {
        throw errors.invalidField("category", `must be one of ${CATEGORIES.join(", ")} (or empty for all)`);
      }
      const states = new Map((await guarded(() => store.list(request.workspaceId))).map((state) => [state.pluginId, state]));
      const entries = catalogue.entries.filter(
        (entry) =>
          (request.category === "" || entry.category === request.category) &&
          (request.enabledOnly === undefined || (states.get(entry.id)?.enabled ?? false) === request.enabledOnly),
      );
      const plugins = await Promise.all(
        entries.map(async (entry) =>
          toPluginMessage(entry, { ...viewOf(states.get(entry.id)), status: await deps.health.statusOf(entry, callerOf(context)) }),
        ),
      );
      return { plugins };
    },

    async getPlugin(request, context) {
      const entry = entryOf(request.pluginId);
      const state = await guarded(() => store.get(request.workspaceId, entry.id));
      return { plugin: toPluginMessage(entry, { ...viewOf(state), status: await deps.health.statusOf(entry, callerOf(context)) }) };
    },

    async getPluginSchema(request) {
      const entry = entryOf(request.pluginId);
      return {
        // Secrets are not part of `config`; the schema names them so a form can offer write-only fields.
        jsonSchema: JSON.stringify({ ...entry.configSchema, "x-orbit-secret-keys": entry.secretKeys }),
        endpoints: entry.endpoints.map((endpoint) => ({
          path: endpoint.path,
          method: endpoint.method,
          description: endpoint.description,
          exampleResponse: endpoint.exampleResponse,
          parameters: endpoint.parameters.map((parameter) => ({ ...parameter, defaultValue: parameter.defaultValue ?? "" })),
        })),
      };
    },

    async enablePlugin(request, context) {
      const entry = entryOf(request.pluginId);
      const { plugin, changed } = await write(request.workspaceId, entry, context, { enabled: true, config: request.config });
      await prewarm(request.workspaceId, entry, context);
      return {
        success: true,
        message: changed ? `plugin "${entry.id}" enabled` : `plugin "${entry.id}" was already enabled with this configuration`,
        plugin,
      };
    },

    async disablePlugin(request, context) {
      const entry = entryOf(request.pluginId);
      const { changed } = await write(request.workspaceId, entry, context, { enabled: false });
      await deps.instances?.stop(entry, callerOf(context));
      return { success: true, message: changed ? `plugin "${entry.id}" disabled` : `plugin "${entry.id}" was already disabled` };
    },

    async updatePluginConfig(request, context) {
      const entry = entryOf(request.pluginId);
      const { plugin, changed } = await write(
        request.workspaceId,
        entry,
        context,
        { config: request.config, secrets: request.secrets },
        request.expectedVersion,
      );
      if (plugin.enabled) await prewarm(request.workspaceId, entry, context);
      return { success: true, message: changed ? "configuration updated" : "configuration unchanged", plugin };
    },

    async listPluginAuditLog(request) {
      if (request.pluginId !== "") entryOf(request.pluginId);
      if (request.limit < 0 || request.limit > 1000) throw errors.invalidField("limit", "must be between 0 and 1000 (0 means 100)");
      const entries = await guarded(() =>
        store.listAudit(request.workspaceId, request.pluginId || undefined, { limit: request.limit || 100 }),
      );
      return {
        entries: entries.map((entry) => ({
          pluginId: entry.pluginId,
          actor: entry.actor,
          action: entry.action,
          changedConfigKeys: [...entry.changedConfigKeys],
          changedSecretKeys: [...entry.changedSecretKeys],
          at: BigInt(Math.floor(entry.at.getTime() / 1000)),
        })),
      };
    },

    async proxyPluginRequest(request, context) {
      const { entry, settings, forwarder } = await enabledPlugin(request.workspaceId, request.pluginId);
      const { response, fromCache } = await forwarder.forward(
        entry,
        {
          httpMethod: request.httpMethod,
          endpointPath: request.endpointPath,
          query: request.queryParams,
          headers: request.headers,
          body: request.body,
        },
        context,
        settings,
      );
      return {
        statusCode: response.status,
        data: response.body,
        headers: returnableHeaders(response.headers),
        errorMessage: "",
        fromCache,
      };
    },

    async getPluginData(request, context) {
      const { entry, settings, forwarder } = await enabledPlugin(request.workspaceId, request.pluginId);
      const { path = "/", ...query } = request.params;
      const { response, fromCache } = await forwarder.forward(
        entry,
        { httpMethod: "GET", endpointPath: path, query, headers: { accept: "application/json" }, body: new Uint8Array() },
        context,
        settings,
      );
      return { data: response.body, fromCache };
    },

    async listJiraIssues(request, context) {
      const { entry, settings, forwarder } = await enabledPlugin(request.workspaceId, "jira");
      return listJiraIssues(forwarder, entry, request, { ...invocationOf(context, { asUser: false }), settings });
    },

    async listGitHubPullRequests(request, context) {
      const { entry, settings, forwarder } = await enabledPlugin(request.workspaceId, "deployment");
      return listGitHubPullRequests(forwarder, entry, request, { ...invocationOf(context), settings });
    },
  };

  /**
   * A stock plugin runs in a process of the workspace's own, started with its settings: after a
   * change the sidecar starts it at once (blue/green), so the next call does not wait for a start.
   * Best effort (see StockInstances): the stored change stands whatever happens here.
   */
  async function prewarm(workspaceId: string, entry: CatalogueEntry, context: HandlerContext): Promise<void> {
    if (!deps.instances || !isStockPlugin(entry)) return;
    let payload: PluginSettingsPayload;
    try {
      payload = await (await deps.settings(workspaceId, entry.id)).payload();
    } catch {
      return; // disabled meanwhile, or the store is unreachable: the next data call decides
    }
    // EnablePlugin carries no secrets: a first enable of a plugin that has secret keys would start a
    // process bound to fail or be replaced at once; its UpdatePluginConfig with the secrets prewarms it.
    if (entry.secretKeys.length > 0 && Object.keys(payload.secrets).length === 0) return;
    await deps.instances.prewarm(entry, callerOf(context), payload);
  }

  /**
   * Data calls need the plugin enabled in the workspace, whatever they do next: checked
   * once here (a disabled plugin is FAILED_PRECONDITION before a missing sidecar is
   * UNAVAILABLE), and the settings read travel with the call so the forwarder does not
   * read them again.
   */
  async function enabledPlugin(
    workspaceId: string,
    pluginId: string,
  ): Promise<{ entry: CatalogueEntry; settings: PluginSettings; forwarder: PluginForwarder }> {
    const entry = entryOf(pluginId);
    const settings = await deps.settings(workspaceId, entry.id);
    if (!deps.forwarder) throw errors.noSidecar();
    return { entry, settings, forwarder: deps.forwarder };
  }
}

function callerOf(context: HandlerContext): SidecarCaller {
  const identity = context.values.get(identityKey);
  return { workspaceId: identity?.workspaceId ?? "", userId: identity?.userId ?? NO_USER };
}

function viewOf(state: PluginState | undefined) {
  return state
    ? { enabled: state.enabled, config: state.config, secretKeysSet: state.secretNames, version: state.version }
    : { enabled: false, config: {}, secretKeysSet: [], version: 0 };
}

/** Keeps the caller's "" removals, which validation dropped from the effective config. */
function withRemovals(config: Record<string, string>, requested: Readonly<Record<string, string>>): Record<string, string> {
  const result = { ...config };
  for (const [key, value] of Object.entries(requested)) if (value === "") result[key] = "";
  return result;
}
