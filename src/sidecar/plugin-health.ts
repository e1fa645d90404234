import { create } from "@bufbuild/protobuf";
import type { CatalogueEntry } from "../catalogue/catalogue.js";
import { PluginStatusSchema } from "../gen/idp/plugins/v1/plugins_pb.js";
import type { PluginStatus } from "../gen/idp/plugins/v1/plugins_pb.js";
import type { PluginCounters } from "./plugin-counters.js";
import type { SidecarCaller, SidecarClient } from "./sidecar-client.js";

interface Probe {
  healthy: boolean;
  message: string;
  checkedAt: number;
  refreshing?: Promise<void>;
}

/** The plugin's own explanation in a health answer (Backstage's `{"error": {"message"}}`, at most 300 characters), if any. */
function reasonIn(body: Uint8Array): string | undefined {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as { error?: { message?: unknown } };
    const message = parsed.error?.message;
    return typeof message === "string" ? message.slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}

export interface PluginHealth {
  /** The plugin's status: the sidecar's answer to its health route plus this replica's counts. */
  statusOf(entry: CatalogueEntry, caller: SidecarCaller): Promise<PluginStatus>;
  /** How many (workspace, plugin) probes are kept (bounded by `maxEntries`). */
  readonly size: number;
}

/**
 * Health of each plugin for each workspace as the sidecar reports it, probed at most once per `maxAgeMs`.
 * The first probe is awaited (briefly) so the first answer is true; later ones refresh
 * in the background so ListPlugins never waits on a slow sidecar. At most `maxEntries`
 * (workspace, plugin) probes are kept: the least recently asked for is forgotten first
 * (and probed afresh if asked for again), so very many workspaces cannot grow the map without bound.
 */
export function createPluginHealth(
  sidecar: SidecarClient | undefined,
  counters: PluginCounters,
  maxAgeMs = 30_000,
  firstProbeTimeoutMs = 1_000,
  maxEntries = 10_000,
): PluginHealth {
  // A Map iterates in insertion order: re-inserting on every use keeps the least recently used first.
  const probes = new Map<string, Probe>();

  async function probe(entry: CatalogueEntry, caller: SidecarCaller, record: Probe): Promise<void> {
    if (!sidecar) {
      Object.assign(record, { healthy: false, message: "no plugin sidecar is configured", checkedAt: Date.now() });
      return;
    }
    try {
      const response = await sidecar.request({
        pluginId: entry.id,
        method: "GET",
        path: `${entry.apiBasePath}/health`,
        caller,
        signal: AbortSignal.timeout(2_000),
      });
      const healthy = response.status === 200;
      const reason = healthy ? undefined : reasonIn(response.body);
      Object.assign(record, {
        healthy,
        message: healthy
          ? "ok"
          : `the sidecar answered HTTP ${response.status} for ${entry.apiBasePath}/health${reason ? `: ${reason}` : ""}`,
        checkedAt: Date.now(),
      });
    } catch (error) {
      Object.assign(record, { healthy: false, message: (error as Error).message, checkedAt: Date.now() });
    }
  }

  return {
    get size() {
      return probes.size;
    },
    async statusOf(entry, caller) {
      // Per workspace: a stock plugin runs in a process of each workspace's own, so one
      // workspace's plugin can be down (e.g. settings its upstream refuses) while others are fine.
      const key = `${caller.workspaceId}\u0000${entry.id}`;
      let record = probes.get(key);
      if (record) {
        probes.delete(key);
      } else {
        record = { healthy: false, message: "not checked yet", checkedAt: 0 };
        const oldest = probes.size >= maxEntries ? probes.keys().next().value : undefined;
        if (oldest !== undefined) probes.delete(oldest);
      }
      probes.set(key, record);
      if (!record.refreshing && Date.now() - record.checkedAt > maxAgeMs) {
        const current = record;
        current.refreshing = probe(entry, caller, current).finally(() => {
          current.refreshing = undefined;
        });
      }
      if (record.checkedAt === 0 && record.refreshing) {
        await Promise.race([record.refreshing, new Promise((resolve) => setTimeout(resolve, firstProbeTimeoutMs).unref())]);
      }
      const counts = counters.of(entry.id);
      return create(PluginStatusSchema, {
        healthy: record.healthy,
        statusMessage: record.message,
        lastCheckedAt: BigInt(Math.floor(record.checkedAt / 1000)),
        requestCount: counts.requests,
        errorCount: counts.errors,
      });
    },
  };
}
