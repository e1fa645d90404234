import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../test/support/eventually.js";
import { createSecretSealer } from "../secrets/envelope.js";
import { generateKey, parseKeyRing } from "../secrets/key-ring.js";
import { createCachedPluginStateStore } from "./cached-plugin-state-store.js";
import type { CachedPluginStateStore } from "./cached-plugin-state-store.js";
import { createDatabase } from "./database.js";
import type { Database } from "./database.js";
import { PLUGIN_STATE_CHANNEL, createPluginStateStore, stateChangePayload } from "./plugin-state-store.js";
import type { PluginStateStore } from "./plugin-state-store.js";
import { DatabaseUnavailableError } from "./errors.js";
import { migrate } from "./migrate.js";
import { TcpRelay } from "./test-support/tcp-relay.js";
import {
  backends,
  createScratchPostgres,
  postgresBackend,
  seedCatalogue,
  uniqueWorkspace,
  useSeededDatabase,
} from "./test-support/test-databases.js";
import type { ScratchDatabase } from "./test-support/test-databases.js";

const sealer = createSecretSealer(parseKeyRing(`k1:${generateKey()}`));
/** Long enough that only a change notification can explain a fresh read within a test. */
const HOUR_MS = 3_600_000;

/** The real store, counting the reads that reach the database. */
function countingStore(db: Database): { store: PluginStateStore; reads: { get: number; secrets: number } } {
  const inner = createPluginStateStore({ db, sealer });
  const reads = { get: 0, secrets: 0 };
  return {
    reads,
    store: {
      ...inner,
      get: (workspaceId, pluginId) => {
        reads.get++;
        return inner.get(workspaceId, pluginId);
      },
      revealSecrets: (workspaceId, pluginId) => {
        reads.secrets++;
        return inner.revealSecrets(workspaceId, pluginId);
      },
    },
  };
}

/**
 * Waits until the store has handled every change notification committed so far: a write's
 * own notification arrives a moment after the write and drops the entry once more.
 * PostgreSQL delivers notifications in commit order, so once a marker sent now has
 * dropped its entry, every earlier one has been handled too. The marker is an enabled
 * plugin (only those are kept), written without a notification of its own.
 */
async function notificationsHandled(store: PluginStateStore, reads: { get: number }, db: Database): Promise<void> {
  const marker = uniqueWorkspace("marker");
  await db.query(
    "INSERT INTO workspace_plugins (workspace_id, plugin_id, enabled, version, updated_by) VALUES ($1, 'jira', true, 1, 'test')",
    [marker],
  );
  await store.get(marker, "jira");
  await db.query("SELECT pg_notify($1, $2)", [PLUGIN_STATE_CHANNEL, stateChangePayload(marker, "jira")]);
  const dropped = await eventually(
    async () => {
      const before = reads.get;
      await store.get(marker, "jira");
      return reads.get > before;
    },
    (wasDropped) => wasDropped,
    "the marker's notification to drop its entry",
  );
  expect(dropped).toBe(true);
}

/**
 * A plugin's state once every pending notification is handled and the store caches
 * (after a lost listening connection it caches again only once it listens again).
 */
async function settledRead(store: PluginStateStore, reads: { get: number }, db: Database, workspaceId: string, pluginId: string) {
  await notificationsHandled(store, reads, db);
  const served = await eventually(
    async () => {
      await store.get(workspaceId, pluginId);
      const before = reads.get;
      const state = await store.get(workspaceId, pluginId);
      return { state, fromMemory: reads.get === before };
    },
    (read) => read.fromMemory,
    "a read served from memory",
  );
  expect(served.fromMemory).toBe(true);
  return served.state;
}

describe.each(backends)("cached plugin state on $name", (backend) => {
  const opened = useSeededDatabase(backend);
  let counted: ReturnType<typeof countingStore>;
  let cached: CachedPluginStateStore;
  beforeAll(async () => {
    counted = countingStore(opened.db);
    cached = await createCachedPluginStateStore(counted.store, opened.db, { ttlMs: HOUR_MS });
  });
  afterAll(() => cached.close());

  it("reads a plugin's state from the database once, then from memory", async () => {
    const ws = uniqueWorkspace();
    await cached.apply(ws, "jira", "alice", { enabled: true, config: { jira_url: "https://jira.example" } });
    await settledRead(cached, counted.reads, opened.db, ws, "jira");
    const before = counted.reads.get;
    const states = [await cached.get(ws, "jira"), await cached.get(ws, "jira"), await cached.get(ws, "jira")];
    expect(counted.reads.get - before).toBe(0);
    expect(states.map((state) => state.version)).toEqual([1, 1, 1]);
    expect(states[0]).toMatchObject({ enabled: true, config: { jira_url: "https://jira.example" } });
  });

  it("lets concurrent misses of one plugin share one database read", async () => {
    const ws = uniqueWorkspace();
    const before = counted.reads.get;
    const states = await Promise.all(Array.from({ length: 20 }, () => cached.get(ws, "deployment")));
    expect(counted.reads.get - before).toBe(1);
    expect(new Set(states.map((state) => state.version))).toEqual(new Set([0]));
  });

  it("never keeps a disabled plugin's state: each read of it goes to the database", async () => {
    const ws = uniqueWorkspace();
    await cached.apply(ws, "jira", "alice", { config: { jira_url: "https://jira.example" } });
    // So that the write's own notification cannot be what sends the second read to the database.
    await notificationsHandled(cached, counted.reads, opened.db);
    const before = counted.reads.get;
    const states = [await cached.get(ws, "jira"), await cached.get(ws, "jira")];
    expect(counted.reads.get - before).toBe(2);
    expect(states.map((state) => state.enabled)).toEqual([false, false]);
  });

  it("sees its own write on the very next read, secrets included", async () => {
    const ws = uniqueWorkspace();
    await cached.apply(ws, "jira", "alice", { enabled: true, secrets: { api_token: "first-token" } });
    expect(await cached.revealSecrets(ws, "jira")).toEqual({ api_token: "first-token" });
    expect((await cached.get(ws, "jira")).enabled).toBe(true);

    await cached.apply(ws, "jira", "alice", { enabled: false, secrets: { api_token: "second-token" } });
    expect(await cached.get(ws, "jira")).toMatchObject({ enabled: false, version: 2 });
    expect(await cached.revealSecrets(ws, "jira")).toEqual({ api_token: "second-token" });
  });

  it("drops a plugin's entry when another store on the same database commits a change", async () => {
    const ws = uniqueWorkspace();
    const other = createPluginStateStore({ db: opened.db, sealer });
    await other.apply(ws, "kubernetes", "bob", { enabled: true });
    expect((await cached.get(ws, "kubernetes")).version).toBe(1);

    await other.apply(ws, "kubernetes", "bob", { config: { namespace: "prod" } });
    const fresh = await eventually(
      () => cached.get(ws, "kubernetes"),
      (state) => state.version === 2,
      "the other store's change",
    );
    expect(fresh).toMatchObject({ version: 2, config: { namespace: "prod" } });
  });

  it("keeps a failed read out of the cache", async () => {
    const ws = uniqueWorkspace();
    const bare = await createCachedPluginStateStore(createPluginStateStore({ db: opened.db }), opened.db, { ttlMs: HOUR_MS });
    try {
      await createPluginStateStore({ db: opened.db, sealer }).apply(ws, "jira", "alice", { secrets: { api_token: "t" } });
      // No key ring: revealing fails, and fails again rather than replaying a cached failure forever.
      await expect(bare.revealSecrets(ws, "jira")).rejects.toThrow(/ORBIT_SECRETS_KEYS/);
      await expect(bare.revealSecrets(ws, "jira")).rejects.toThrow(/ORBIT_SECRETS_KEYS/);
    } finally {
      await bare.close();
    }
  });
});

describe("cached plugin state across replicas (PostgreSQL)", () => {
  const opened = useSeededDatabase(postgresBackend);
  let replicaDb: Database;
  let replica: ReturnType<typeof countingStore>;
  let cached: CachedPluginStateStore;
  beforeAll(async () => {
    // A second gateway's own connection pool and listener on the same database.
    replicaDb = await createDatabase({ url: opened.url as string });
    replica = countingStore(replicaDb);
    cached = await createCachedPluginStateStore(replica.store, replicaDb, { ttlMs: HOUR_MS });
  });
  afterAll(async () => {
    await cached.close();
    await replicaDb.close();
  });

  it("serves another replica's committed write, not its own cached state", async () => {
    const ws = uniqueWorkspace();
    const writer = createPluginStateStore({ db: opened.db, sealer });
    await writer.apply(ws, "deployment", "alice", { enabled: true });
    expect((await settledRead(cached, replica.reads, opened.db, ws, "deployment")).enabled).toBe(true);

    await writer.apply(ws, "deployment", "alice", { enabled: false });
    const after = await eventually(
      () => cached.get(ws, "deployment"),
      (state) => !state.enabled,
      "the other replica's write",
    );
    expect(after.enabled).toBe(false);
  });

  it("answers management reads from the database, not from what it cached", async () => {
    const ws = uniqueWorkspace();
    const writer = createPluginStateStore({ db: opened.db, sealer });
    await writer.apply(ws, "deployment", "alice", { enabled: true });
    expect((await settledRead(cached, replica.reads, opened.db, ws, "deployment")).enabled).toBe(true);
    // Changed by hand: no notification, so only a read of the database can see it.
    await opened.db.query("UPDATE workspace_plugins SET enabled = false, version = version + 1 WHERE workspace_id = $1", [ws]);

    expect(await cached.authoritative.get(ws, "deployment")).toMatchObject({ enabled: false, version: 2 });
    expect((await cached.get(ws, "deployment")).enabled).toBe(true);
    // A write through it drops this replica's entry like any other write.
    await cached.authoritative.apply(ws, "deployment", "alice", { enabled: true });
    expect(await cached.get(ws, "deployment")).toMatchObject({ enabled: true, version: 3 });
  });

  it("an uncommitted write announces nothing", async () => {
    const ws = uniqueWorkspace();
    const writer = createPluginStateStore({ db: opened.db, sealer });
    await writer.apply(ws, "jira", "alice", { enabled: true });
    expect((await settledRead(cached, replica.reads, opened.db, ws, "jira")).version).toBe(1);
    const reads = replica.reads.get;
    // The version check fails inside the transaction, after nothing was written: rolled back.
    await expect(writer.apply(ws, "jira", "alice", { enabled: false }, { expectedVersion: 7 })).rejects.toThrow(/version/);
    expect((await cached.get(ws, "jira")).enabled).toBe(true);
    expect(replica.reads.get).toBe(reads);
  });

  it("after losing its listening connection it hears of every change again, including those it missed", async () => {
    const ws = uniqueWorkspace();
    const writer = createPluginStateStore({ db: opened.db, sealer });
    await writer.apply(ws, "jira", "alice", { enabled: true });
    expect((await cached.get(ws, "jira")).version).toBe(1);

    const terminated = await opened.db.query<{ done: boolean }>(
      `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
        WHERE application_name = 'orbit-plugins-gateway-listener' AND datname = current_database()`,
    );
    expect(terminated.length).toBeGreaterThan(0);
    // Its notification may reach no listener of the replica: the reconnect must still reveal it.
    await writer.apply(ws, "jira", "alice", { config: { jira_url: "https://changed.example" } });
    const fresh = await eventually(
      () => cached.get(ws, "jira"),
      (state) => state.version === 2,
      "the change made while not listening",
    );
    expect(fresh).toMatchObject({ version: 2, config: { jira_url: "https://changed.example" } });

    // Listening again, it caches again.
    expect((await settledRead(cached, replica.reads, opened.db, ws, "jira")).version).toBe(2);
  });
});

describe("cached plugin state while PostgreSQL is unreachable", () => {
  let scratch: ScratchDatabase;
  let direct: Database;
  let relay: TcpRelay;
  let relayedDb: Database;
  let counted: ReturnType<typeof countingStore>;
  let withGrace: CachedPluginStateStore;
  let withoutGrace: CachedPluginStateStore;
  beforeAll(async () => {
    scratch = await createScratchPostgres();
    direct = await createDatabase({ url: scratch.url });
    await migrate(direct);
    await seedCatalogue(direct);
    const relayed = TcpRelay.forUrl(scratch.url);
    relay = relayed.relay;
    await relay.open();
    relayedDb = await createDatabase({ url: relayed.relayedUrl() });
    counted = countingStore(relayedDb);
    withGrace = await createCachedPluginStateStore(counted.store, relayedDb, { ttlMs: HOUR_MS, staleGraceMs: HOUR_MS });
    withoutGrace = await createCachedPluginStateStore(createPluginStateStore({ db: relayedDb, sealer }), relayedDb, { ttlMs: HOUR_MS });
  });
  afterAll(async () => {
    await withGrace?.close();
    await withoutGrace?.close();
    await relayedDb?.close();
    await relay?.cut().catch(() => undefined);
    await direct?.close();
    await scratch?.drop();
  });

  it("serves the state and secrets last read within the grace period, fails what it never read, and recovers", async () => {
    const ws = uniqueWorkspace();
    const writer = createPluginStateStore({ db: direct, sealer });
    await writer.apply(ws, "deployment", "alice", { enabled: true, secrets: { github_token: "ghp-last-read" } });
    expect((await settledRead(withGrace, counted.reads, direct, ws, "deployment")).enabled).toBe(true);
    expect(await withGrace.revealSecrets(ws, "deployment")).toEqual({ github_token: "ghp-last-read" });
    await withoutGrace.get(ws, "deployment");

    await relay.cut();
    // Once the lost connection is noticed nothing is cached: every read goes to the database,
    // fails, and is answered from the last read.
    const during = await eventually(
      async () => {
        const before = counted.reads.get;
        const state = await withGrace.get(ws, "deployment");
        return { state, triedDatabase: counted.reads.get > before };
      },
      (read) => read.triedDatabase,
      "a read that goes to the unreachable database",
    );
    expect(during.triedDatabase).toBe(true);
    expect(during.state).toMatchObject({ enabled: true, version: 1 });
    expect(await withGrace.revealSecrets(ws, "deployment")).toEqual({ github_token: "ghp-last-read" });
    await expect(withGrace.get(ws, "jira")).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(
      eventually(
        () =>
          withoutGrace.get(ws, "deployment").then(
            () => "served",
            (error: unknown) => error,
          ),
        (outcome) => outcome instanceof DatabaseUnavailableError,
        "the store without a grace period to fail",
      ),
    ).resolves.toBeInstanceOf(DatabaseUnavailableError);

    // A change made while this replica was away is seen once the database is back.
    await writer.apply(ws, "deployment", "alice", { enabled: false });
    await relay.open();
    const after = await eventually(
      () => withGrace.get(ws, "deployment").catch(() => undefined),
      (state) => state?.enabled === false,
      "the change made during the outage",
    );
    expect(after).toMatchObject({ enabled: false, version: 2 });
  }, 30_000);
});
