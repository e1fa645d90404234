import { LRUCache } from "lru-cache";
import type { Database, StoreLogger } from "./database.js";
import { DatabaseUnavailableError } from "./errors.js";
import { PLUGIN_STATE_CHANNEL, stateChangePayload } from "./plugin-state-store.js";
import type { PluginState, PluginStateStore } from "./plugin-state-store.js";

export interface PluginStateCacheOptions {
  /** The longest an entry is used without hearing of a change (bounds staleness when a notification cannot be seen). */
  readonly ttlMs: number;
  /** Entries kept at most (one per workspace and plugin that was called). */
  readonly maxEntries?: number;
  /**
   * While the database cannot be reached, serve the last state (and secrets) read within
   * this long instead of failing the call; 0 fails at once.
   */
  readonly staleGraceMs?: number;
  readonly logger?: StoreLogger;
}

export interface CachedPluginStateStore extends PluginStateStore {
  /**
   * The same store with every read going to the database, for management reads and the
   * read behind a write: another replica's commit reaches this cache by notification, a
   * moment after its caller was answered, and a caller who reads right after writing must
   * see the write whichever replica answers. Only while the database cannot be reached does
   * it answer with what was last read (within the grace, as the cached reads do). Writes
   * through it drop this replica's entry like any other.
   */
  readonly authoritative: PluginStateStore;
  /** Stops listening for changes (the database's close stops it too). */
  close(): Promise<void>;
}

interface Entry {
  state?: Promise<PluginState>;
  /** Decrypted: held in this process only, for at most the TTL, like the state it belongs to. */
  secrets?: Promise<Record<string, string>>;
}

/** What was last read from the database, for riding out an outage. */
interface LastRead {
  state?: PluginState;
  secrets?: Record<string, string>;
}

/**
 * Every data call needs its plugin's state (enabled? which config version?), so
 * reading it from the database per call would put a round trip on the hot path.
 * This keeps it in memory and drops an entry as soon as any replica commits a change:
 * writes announce themselves with NOTIFY (see PluginStateStore.apply), and every
 * replica LISTENs. While the listening connection is down nothing is cached, so a
 * replica never serves state it could not hear about; the TTL bounds what it cannot
 * see at all (a row edited by hand, a pooler that drops LISTEN). A disabled plugin's
 * state is not kept: enabling is seen at once, whichever replica committed it.
 * Concurrent misses of one key share one query.
 */
export async function createCachedPluginStateStore(
  inner: PluginStateStore,
  db: Pick<Database, "listen">,
  options: PluginStateCacheOptions,
): Promise<CachedPluginStateStore> {
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new LRUCache<string, Entry>({ max: maxEntries, ttl: options.ttlMs, ttlAutopurge: false });
  const graceMs = options.staleGraceMs ?? 0;
  // Each entry lives `graceMs` from the read that last set it.
  const lastReads = graceMs > 0 ? new LRUCache<string, LastRead>({ max: maxEntries, ttl: graceMs, ttlAutopurge: false }) : undefined;
  let listening = false;
  let servingStale = false;

  /**
   * Reads through to the database, remembering the answer; when the database is
   * unreachable, answers with what was last read within the grace period instead.
   */
  const remembered = <F extends keyof LastRead>(key: string, field: F, read: () => Promise<NonNullable<LastRead[F]>>) =>
    read().then(
      (value) => {
        if (lastReads) lastReads.set(key, { ...lastReads.get(key), [field]: value });
        servingStale = false;
        return value;
      },
      (error: unknown) => {
        const last = lastReads?.get(key)?.[field];
        if (!(error instanceof DatabaseUnavailableError) || last === undefined) throw error;
        if (!servingStale) {
          servingStale = true;
          options.logger?.warn(
            { graceMs },
            "plugin state database unreachable: data calls use the plugin state last read, for as long as the grace period allows",
          );
        }
        return last as NonNullable<LastRead[F]>;
      },
    );

  const unlisten = await db.listen(PLUGIN_STATE_CHANNEL, {
    message(payload) {
      const key = keyOfPayload(payload);
      if (key === undefined) {
        entries.clear();
        lastReads?.clear();
      } else {
        entries.delete(key);
        lastReads?.delete(key);
      }
    },
    lost() {
      // What was last read stays: if the database itself is gone, it is all there is.
      listening = false;
      entries.clear();
    },
    resumed() {
      // Changes made while not listening were never heard of.
      entries.clear();
      lastReads?.clear();
      listening = true;
    },
  });

  /**
   * The cached promise of one field of an entry. A failure is not kept, so the next call
   * tries again; nor is a value `keep` turns down, and the whole entry goes with it.
   */
  const cached = <F extends keyof Entry>(
    key: string,
    field: F,
    load: () => NonNullable<Entry[F]>,
    keep?: (value: Awaited<NonNullable<Entry[F]>>) => boolean,
  ): NonNullable<Entry[F]> => {
    if (!listening) return load();
    let entry = entries.get(key);
    if (entry === undefined) {
      entry = {};
      entries.set(key, entry);
    }
    const existing = entry[field];
    if (existing !== undefined) return existing as NonNullable<Entry[F]>;
    const loading = load();
    entry[field] = loading;
    const owner = entry;
    loading.then(
      (value) => {
        if (keep && !keep(value as Awaited<NonNullable<Entry[F]>>) && owner[field] === loading && entries.peek(key) === owner) {
          entries.delete(key);
        }
      },
      () => {
        if (owner[field] === loading) delete owner[field];
      },
    );
    return loading;
  };

  const list: PluginStateStore["list"] = (workspaceId) => inner.list(workspaceId);
  const listAudit: PluginStateStore["listAudit"] = (workspaceId, pluginId, listOptions) =>
    inner.listAudit(workspaceId, pluginId, listOptions);
  const apply: PluginStateStore["apply"] = async (workspaceId, pluginId, actor, mutation, applyOptions) => {
    const key = keyOf(workspaceId, pluginId);
    try {
      const result = await inner.apply(workspaceId, pluginId, actor, mutation, applyOptions);
      lastReads?.delete(key);
      return result;
    } finally {
      // Not only on success: a write whose commit was cut off may have landed.
      // This replica's next call sees its own write even before the notification arrives.
      // (What was last read stays on failure: writes fail while the database is away, and
      // an outage is when it is needed; a cut-off commit is then served for the grace at most.)
      entries.delete(key);
    }
  };

  return {
    authoritative: {
      // Still remembered: in an outage, what was last read within the grace is all there is.
      get: (workspaceId, pluginId) => remembered(keyOf(workspaceId, pluginId), "state", () => inner.get(workspaceId, pluginId)),
      revealSecrets: (workspaceId, pluginId) =>
        remembered(keyOf(workspaceId, pluginId), "secrets", () => inner.revealSecrets(workspaceId, pluginId)),
      list,
      listAudit,
      apply,
    },
    get: (workspaceId, pluginId) => {
      const key = keyOf(workspaceId, pluginId);
      // Only an enabled plugin's state is kept: one enabled through another replica a moment
      // ago, before its notification arrives here, must not be refused as disabled.
      return cached(key, "state", () => remembered(key, "state", () => inner.get(workspaceId, pluginId)), isEnabled);
    },
    revealSecrets: (workspaceId, pluginId) => {
      const key = keyOf(workspaceId, pluginId);
      return cached(key, "secrets", () => remembered(key, "secrets", () => inner.revealSecrets(workspaceId, pluginId)));
    },
    list,
    listAudit,
    apply,
    async close() {
      listening = false;
      entries.clear();
      lastReads?.clear();
      await unlisten();
    },
  };
}

const isEnabled = (state: PluginState) => state.enabled;

/** Entries are keyed like the change notifications that drop them. */
const keyOf = stateChangePayload;

/** The cache key a change notification names; undefined for a payload that names none (then everything is dropped). */
function keyOfPayload(payload: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(payload);
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((part) => typeof part === "string")) {
      return keyOf(parsed[0] as string, parsed[1] as string);
    }
  } catch {
    // fall through
  }
  return undefined;
}
