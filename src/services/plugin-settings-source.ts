import { errors } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import type { PluginSettingsSource } from "../sidecar/plugin-settings.js";
import type { OpenedPluginStore } from "../store/open-plugin-store.js";
import type { PluginStateStore } from "../store/plugin-state-store.js";
import { createStoreGuard } from "./store-errors.js";

/**
 * Reads a plugin's settings for the forwarder from the plugin state store: the
 * version at once (it keys the cache), the decrypted secrets only when a call goes
 * upstream. A disabled plugin is FAILED_PRECONDITION, like every data call.
 */
export function createPluginSettingsSource(
  stores: Pick<OpenedPluginStore, "dataPathStates" | "store">,
  logger: Logger,
): PluginSettingsSource {
  const guarded = createStoreGuard(logger);
  const { dataPathStates: cached, store: authoritative } = stores;

  return async (workspaceId, pluginId) => {
    let source: PluginStateStore = cached;
    let state = await guarded(() => cached.get(workspaceId, pluginId));
    // A plugin enabled through another replica a moment ago is still disabled in this
    // cache until the notification arrives: the database decides before a refusal.
    // Its secrets then come from there too, never from an entry older than the version.
    if (!state.enabled && authoritative !== cached) {
      source = authoritative;
      state = await guarded(() => authoritative.get(workspaceId, pluginId));
    }
    if (!state.enabled) throw errors.pluginDisabled(pluginId);
    let secrets: Promise<Record<string, string>> | undefined;
    return {
      version: state.version,
      async payload() {
        secrets ??= state.secretNames.length === 0 ? Promise.resolve({}) : guarded(() => source.revealSecrets(workspaceId, pluginId));
        return { config: { ...state.config }, secrets: await secrets };
      },
    };
  };
}
