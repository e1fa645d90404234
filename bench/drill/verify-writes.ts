import { bearer } from "../lib/plugins-client.js";
import type { PluginsClient } from "../lib/plugins-client.js";
import { waitFor } from "../lib/wait.js";
import type { WriteBook } from "./ledger.js";
import type { WriteCheck } from "./report.js";
import type { DrillWorkspace } from "./traffic.js";

/**
 * Reads every workspace's configuration back once the stack is whole again, and
 * checks it holds the last acknowledged value or a later (attempted, unacknowledged)
 * one. Reads are retried for a bounded time: right after the drill a dependency may
 * still be settling, which is not a lost write.
 */
export async function verifyWrites(client: PluginsClient, workspaces: readonly DrillWorkspace[], writes: WriteBook): Promise<WriteCheck> {
  const lost: Array<{ workspaceId: string; acknowledged: number; stored: string }> = [];
  for (const workspace of workspaces) {
    let stored = "";
    await waitFor(`reading ${workspace.id}'s configuration`, 30_000, async () => {
      const { plugin } = await client.getPlugin(
        { workspaceId: workspace.id, pluginId: "deployment" },
        { headers: bearer(workspace.adminToken) },
      );
      stored = plugin?.config.github_app_id ?? "";
      return true;
    });
    const value = Number(stored);
    const acknowledged = writes.acknowledged(workspace.id);
    if (!(Number.isInteger(value) && value >= acknowledged && value <= writes.attempted(workspace.id))) {
      lost.push({ workspaceId: workspace.id, acknowledged, stored });
    }
  }
  return { workspaces: workspaces.length, acknowledgedWrites: writes.acknowledgedWrites, lost };
}
