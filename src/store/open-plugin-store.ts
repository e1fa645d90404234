import type { Catalogue } from "../catalogue/catalogue.js";
import { assertKeyRingUsable } from "../secrets/key-ring-check.js";
import { createSecretSealer } from "../secrets/envelope.js";
import { parseKeyRing } from "../secrets/key-ring.js";
import type { Logger } from "../lib/logger.js";
import { syncCatalogue } from "./catalogue-sync.js";
import { createDatabase } from "./database.js";
import type { Database } from "./database.js";
import { migrate } from "./migrate.js";
import { createPluginStateStore } from "./plugin-state-store.js";
import { createCachedPluginStateStore } from "./cached-plugin-state-store.js";
import type { PluginStateStore } from "./plugin-state-store.js";

export interface PluginStoreSettings {
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly secretsKeys?: string;
  /** How long a plugin's state is cached in memory at most (changes drop it at once); 0 reads it on every call. */
  readonly pluginStateCacheTtl?: number;
  /** While the database is unreachable, data calls use the state last read within this long (needs the cache); 0 fails them. */
  readonly pluginStateStaleGrace?: number;
}

export interface OpenedPluginStore {
  readonly db: Database;
  /**
   * For management calls and every write: reads go to the database, so a change committed
   * through any replica is seen at once by whoever reads next.
   */
  readonly store: PluginStateStore;
  /**
   * For the data path, read on every call: cached when PLUGIN_STATE_CACHE_TTL > 0, and then
   * a change committed through another replica is seen when its notification arrives.
   */
  readonly dataPathStates: PluginStateStore;
  /** Whether a key ring is configured, i.e. secrets can be written. */
  readonly canStoreSecrets: boolean;
}

/**
 * Start-up of the persistence layer, in the order it must happen: connect, migrate
 * (once across replicas), load the catalogue as data, and refuse to start when the
 * stored secrets could not be decrypted with the configured key ring.
 */
export async function openPluginStore(settings: PluginStoreSettings, catalogue: Catalogue, logger: Logger): Promise<OpenedPluginStore> {
  // Parse the ring first: a malformed ring is a configuration error even before any I/O.
  const keyRing = settings.secretsKeys === undefined ? undefined : parseKeyRing(settings.secretsKeys);
  const db = await createDatabase({
    ...(settings.databaseUrl ? { url: settings.databaseUrl } : { dataDir: settings.dataDir }),
    logger,
  });
  try {
    await migrate(db, { logger });
    await syncCatalogue(
      db,
      catalogue.entries.map((entry) => ({
        id: entry.id,
        name: entry.name,
        category: entry.category,
        apiBasePath: entry.apiBasePath,
        version: entry.version,
        definition: entry,
      })),
    );
    await assertKeyRingUsable(db, keyRing);
  } catch (error) {
    await db.close();
    throw error;
  }
  const stored = createPluginStateStore({ db, ...(keyRing ? { sealer: createSecretSealer(keyRing) } : {}) });
  const ttlMs = settings.pluginStateCacheTtl ?? 0;
  if (ttlMs <= 0) return { db, store: stored, dataPathStates: stored, canStoreSecrets: keyRing !== undefined };
  const cached = await createCachedPluginStateStore(stored, db, { ttlMs, staleGraceMs: settings.pluginStateStaleGrace ?? 0, logger });
  return { db, store: cached.authoritative, dataPathStates: cached, canStoreSecrets: keyRing !== undefined };
}
