import type { CatalogueEntry } from "../catalogue/catalogue.js";
import type { Logger } from "../lib/logger.js";
import type { PluginSettingsPayload } from "./plugin-settings.js";
import type { SidecarCaller, SidecarClient } from "./sidecar-client.js";

/**
 * Marks the gateway's own control calls of a workspace's stock plugin process. Clients can
 * never send it (it is not in the forwardable request headers), so ProxyPluginRequest cannot
 * reach the sidecar's `/instance` routes. The sidecar's name: stock-host's INSTANCE_CONTROL_HEADER.
 */
const INSTANCE_CONTROL_HEADER = "x-orbit-instance-control";
const CONTROL_TIMEOUT_MS = 2_000;

/** A stock community plugin (one Backstage process per workspace in the sidecar), as opposed to Orbit's own `@internal/` plugins. */
export function isStockPlugin(entry: CatalogueEntry): boolean {
  return !entry.backstagePackage.startsWith("@internal/");
}

/**
 * The gateway's side of the stock plugins' process operations. Best effort: a failure is
 * logged and never fails the admin's call (the first data call starts the process anyway,
 * and the sidecar's idle stop is the backstop for a stop that did not arrive).
 */
export interface StockInstances {
  /** After EnablePlugin / UpdatePluginConfig: the sidecar starts the process with these settings (blue/green) and answers at once. */
  prewarm(entry: CatalogueEntry, caller: SidecarCaller, settings: PluginSettingsPayload): Promise<void>;
  /** After DisablePlugin: the sidecar stops the workspace's process once its calls in flight are answered. */
  stop(entry: CatalogueEntry, caller: SidecarCaller): Promise<void>;
}

export function createStockInstances(sidecar: SidecarClient | undefined, logger: Logger): StockInstances {
  async function control(
    entry: CatalogueEntry,
    caller: SidecarCaller,
    method: "POST" | "DELETE",
    settings?: PluginSettingsPayload,
  ): Promise<void> {
    if (!sidecar || !isStockPlugin(entry)) return;
    const action = method === "POST" ? "prewarm" : "stop";
    try {
      const response = await sidecar.request({
        pluginId: entry.id,
        method,
        path: `${entry.apiBasePath}/instance`,
        headers: { [INSTANCE_CONTROL_HEADER]: "1" },
        caller,
        ...(settings ? { pluginSettings: settings } : {}),
        signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
      });
      if (response.status >= 300) {
        logger.warn({ pluginId: entry.id, workspaceId: caller.workspaceId, status: response.status }, `stock plugin ${action} refused`);
      }
    } catch (error) {
      logger.warn({ pluginId: entry.id, workspaceId: caller.workspaceId, err: (error as Error).message }, `stock plugin ${action} failed`);
    }
  }
  return {
    prewarm: (entry, caller, settings) => control(entry, caller, "POST", settings),
    stop: (entry, caller) => control(entry, caller, "DELETE"),
  };
}
