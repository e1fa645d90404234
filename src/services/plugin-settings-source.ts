import { errors } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import type { PluginSettingsSource } from "../sidecar/plugin-settings.js";
import type { PluginStateStore } from "../store/plugin-state-store.js";
import { createStoreGuard } from "./store-errors.js";

/**
 * Reads a plugin's settings for the forwarder from the plugin state store: the
 * version at once (it keys the cache), the decrypted secrets only when a call goes
 * upstream. A disabled plugin is FAILED_PRECONDITION, like every data call.
 */
export function createPluginSettingsSource(store: PluginStateStore, logger: Logger): PluginSettingsSource {
  const guarded = createStoreGuard(logger);

  return async (workspaceId, pluginId) => {
    const state = await guarded(() => store.get(workspaceId, pluginId));
    if (!state.enabled) throw errors.pluginDisabled(pluginId);
    let secrets: Promise<Record<string, string>> | undefined;
    return {
      version: state.version,
      async payload() {
        secrets ??= state.secretNames.length === 0 ? Promise.resolve({}) : guarded(() => store.revealSecrets(workspaceId, pluginId));
        return { config: { ...state.config }, secrets: await secrets };
      },
    };
  };
}
