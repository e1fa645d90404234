import { bearer } from "../lib/plugins-client.js";
import type { PluginsClient } from "../lib/plugins-client.js";
import type { FuzzWorkspace } from "./world.js";

/**
 * After the run: every workspace must still hold exactly the configuration it was
 * given, stay enabled with its secret set, and its audit trail must name only its own
 * admin — so no forged write from another workspace took effect.
 */
export async function checkIntegrity(client: PluginsClient, workspaces: readonly FuzzWorkspace[]): Promise<string[]> {
  const problems: string[] = [];
  for (const workspace of workspaces) {
    const headers = bearer(workspace.admin.token);
    const { plugin } = await client.getPlugin({ workspaceId: workspace.id, pluginId: "deployment" }, { headers });
    if (!plugin?.enabled) problems.push(`${workspace.id}: the deployment plugin is no longer enabled`);
    for (const [key, value] of Object.entries(workspace.config)) {
      if (plugin?.config[key] !== value) problems.push(`${workspace.id}: config ${key} changed`);
    }
    if (!plugin?.secretKeysSet.includes("github_token")) problems.push(`${workspace.id}: secret github_token is no longer set`);
    const { entries } = await client.listPluginAuditLog({ workspaceId: workspace.id, pluginId: "", limit: 1000 }, { headers });
    const strangers = entries.filter((entry) => entry.actor !== workspace.admin.id);
    if (strangers.length > 0) problems.push(`${workspace.id}: ${strangers.length} audit entries by other actors`);
  }
  return problems;
}
