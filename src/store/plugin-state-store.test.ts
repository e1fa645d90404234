import { beforeAll, describe, expect, it } from "vitest";
import { createSecretSealer } from "../secrets/envelope.js";
import { SecretDecryptionError } from "../secrets/errors.js";
import { generateKey, parseKeyRing } from "../secrets/key-ring.js";
import { listCatalogue, syncCatalogue } from "./catalogue-sync.js";
import { SecretsUnavailableError, UnknownPluginError, VersionConflictError } from "./errors.js";
import { createPluginStateStore } from "./plugin-state-store.js";
import type { PluginStateStore } from "./plugin-state-store.js";
import { backends, postgresBackend, uniqueWorkspace, useSeededDatabase } from "./test-support/test-databases.js";

const sealer = createSecretSealer(parseKeyRing(`k1:${generateKey()}`));

describe.each(backends)("plugin state store on $name", (backend) => {
  const opened = useSeededDatabase(backend);
  let store: PluginStateStore;
  beforeAll(() => {
    store = createPluginStateStore({ db: opened.db, sealer });
  });

  /** Every text stored in the three tables, to prove what never reaches the database. */
  async function everythingStored(): Promise<string> {
    const rows = await opened.db.query<{ dump: string }>(
      `SELECT string_agg(t::text, E'\\n') AS dump FROM (
         SELECT row_to_json(w)::text AS t FROM workspace_plugins w
         UNION ALL SELECT row_to_json(a)::text FROM plugin_audit_log a
         UNION ALL SELECT row_to_json(c)::text FROM plugin_catalogue c) everything`,
    );
    return rows[0]?.dump ?? "";
  }

  it("returns a blank, disabled state at version 0 for a plugin never written", async () => {
    const state = await store.get(uniqueWorkspace(), "jira");
    expect(state).toMatchObject({ enabled: false, config: {}, secretNames: [], version: 0, updatedBy: null });
  });

  it("creates the row on the first write, at version 1, with an audit row", async () => {
    const ws = uniqueWorkspace();
    const { state, changed } = await store.apply(ws, "jira", "alice", {
      enabled: true,
      config: { jira_url: "https://jira.example" },
    });
    expect(changed).toBe(true);
    expect(state).toMatchObject({
      workspaceId: ws,
      pluginId: "jira",
      enabled: true,
      config: { jira_url: "https://jira.example" },
      version: 1,
      updatedBy: "alice",
    });
    expect(state.createdAt).toBeInstanceOf(Date);
    expect(await store.get(ws, "jira")).toEqual(state);
    const audit = await store.listAudit(ws, "jira");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: "alice", action: "enable", changedConfigKeys: ["jira_url"], version: 1 });
  });

  it("merges config: given keys are set, empty strings remove, absent keys are kept", async () => {
    const ws = uniqueWorkspace();
    await store.apply(ws, "jira", "alice", { config: { jira_url: "https://a", project: "ORB", team: "core" } });
    const { state } = await store.apply(ws, "jira", "bob", { config: { jira_url: "https://b", project: "" } });
    expect(state.config).toEqual({ jira_url: "https://b", team: "core" });
    expect(state.version).toBe(2);
    expect(state.updatedBy).toBe("bob");
    expect((await store.listAudit(ws, "jira"))[0]).toMatchObject({
      actor: "bob",
      action: "update_config",
      changedConfigKeys: ["jira_url", "project"],
      changedSecretKeys: [],
    });
  });

  it("merges secrets the same way and exposes only their names", async () => {
    const ws = uniqueWorkspace();
    await store.apply(ws, "deployment", "alice", { secrets: { github_token: "ghp_first", app_key: "pem-1" } });
    const { state } = await store.apply(ws, "deployment", "alice", {
      secrets: { github_token: "ghp_second", app_key: "", webhook: "whsec" },
    });
    expect(state.secretNames).toEqual(["github_token", "webhook"]);
    expect(JSON.stringify(state)).not.toMatch(/ghp_|whsec/);
    expect(await store.revealSecrets(ws, "deployment")).toEqual({ github_token: "ghp_second", webhook: "whsec" });
    expect((await store.listAudit(ws, "deployment"))[0]?.changedSecretKeys).toEqual(["app_key", "github_token", "webhook"]);
  });

  it("is idempotent: a write that changes nothing keeps the version and writes no audit row", async () => {
    const ws = uniqueWorkspace();
    const first = await store.apply(ws, "jira", "alice", {
      enabled: true,
      config: { jira_url: "https://a" },
      secrets: { jira_api_token: "tok-1" },
    });
    const again = await store.apply(ws, "jira", "bob", {
      enabled: true,
      config: { jira_url: "https://a", absent: "" },
      secrets: { jira_api_token: "tok-1", never_set: "" },
    });
    expect(again.changed).toBe(false);
    expect(again.state).toEqual(first.state);
    expect(await store.listAudit(ws)).toHaveLength(1);
    // And re-sending an empty mutation, or disabling a plugin never written, is a no-op too.
    expect((await store.apply(ws, "jira", "bob", {})).changed).toBe(false);
    const never = await store.apply(ws, "kubernetes", "bob", { enabled: false, config: { gone: "" } });
    expect(never).toMatchObject({ changed: false, state: { version: 0, enabled: false } });
    expect(await store.list(ws)).toHaveLength(1);
  });

  it("records enable and disable as such, with the author", async () => {
    const ws = uniqueWorkspace();
    await store.apply(ws, "jira", "alice", { enabled: true });
    await store.apply(ws, "jira", "bob", { enabled: false });
    await store.apply(ws, "jira", "carol", { enabled: true, config: { project: "ORB" } });
    const audit = await store.listAudit(ws, "jira");
    expect(audit.map((a) => [a.actor, a.action, a.version, a.changedConfigKeys])).toEqual([
      ["carol", "enable", 3, ["project"]],
      ["bob", "disable", 2, []],
      ["alice", "enable", 1, []],
    ]);
    expect(audit.every((a) => a.at instanceof Date && /^\d+$/.test(a.id))).toBe(true);
    expect(await store.listAudit(ws, "jira", { limit: 1 })).toHaveLength(1);
  });

  it("rejects a stale expectedVersion with VersionConflictError and changes nothing", async () => {
    const ws = uniqueWorkspace();
    await expect(store.apply(ws, "jira", "alice", { enabled: true }, { expectedVersion: 3 })).rejects.toThrow(VersionConflictError);
    await store.apply(ws, "jira", "alice", { enabled: true }, { expectedVersion: 0 });
    const conflict = store.apply(ws, "jira", "bob", { config: { a: "1" } }, { expectedVersion: 0 });
    await expect(conflict).rejects.toMatchObject({
      name: "VersionConflictError",
      expectedVersion: 0,
      actualVersion: 1,
    });
    const ok = await store.apply(ws, "jira", "bob", { config: { a: "1" } }, { expectedVersion: 1 });
    expect(ok.state.version).toBe(2);
    expect(await store.listAudit(ws)).toHaveLength(2);
  });

  it("loses no update when writers race on one row, including its creation", async () => {
    const ws = uniqueWorkspace();
    const writers = Array.from({ length: 12 }, (_, i) => store.apply(ws, "jira", `user-${i}`, { config: { [`key_${i}`]: `value_${i}` } }));
    const results = await Promise.all(writers);
    const state = await store.get(ws, "jira");
    expect(Object.keys(state.config).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `key_${i}`).sort());
    expect(state.version).toBe(12);
    expect(results.map((r) => r.state.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(await store.listAudit(ws)).toHaveLength(12);
  });

  it("keeps workspaces apart", async () => {
    const a = uniqueWorkspace("a");
    const b = uniqueWorkspace("b");
    await store.apply(a, "jira", "alice", { enabled: true, config: { jira_url: "https://a" }, secrets: { tok: "secret-a" } });
    expect(await store.get(b, "jira")).toMatchObject({ enabled: false, version: 0, config: {} });
    expect(await store.list(b)).toEqual([]);
    expect(await store.listAudit(b)).toEqual([]);
    expect(await store.revealSecrets(b, "jira")).toEqual({});
    await store.apply(b, "jira", "bob", { config: { jira_url: "https://b" } });
    expect((await store.get(a, "jira")).config).toEqual({ jira_url: "https://a" });
    expect((await store.list(a)).map((s) => s.workspaceId)).toEqual([a]);
    expect((await store.listAudit(a)).map((e) => e.actor)).toEqual(["alice"]);
  });

  it("lists a workspace's plugins ordered by id", async () => {
    const ws = uniqueWorkspace();
    await store.apply(ws, "kubernetes", "alice", { enabled: true });
    await store.apply(ws, "deployment", "alice", { enabled: true });
    expect((await store.list(ws)).map((s) => s.pluginId)).toEqual(["deployment", "kubernetes"]);
    expect((await store.listAudit(ws)).map((s) => s.pluginId)).toEqual(["deployment", "kubernetes"]);
  });

  it("never writes a secret value in plaintext, neither in state nor in the audit trail", async () => {
    const ws = uniqueWorkspace();
    const plaintext = `plain-${uniqueWorkspace("token")}`;
    await store.apply(ws, "jira", "alice", { secrets: { jira_api_token: plaintext } });
    const stored = await everythingStored();
    expect(stored).toContain(ws);
    expect(stored).toMatch(/"jira_api_token":\s*"v1\.k1\./);
    expect(stored).not.toContain(plaintext);
  });

  it("replaces an unreadable stored secret instead of failing the write", async () => {
    const ws = uniqueWorkspace();
    await store.apply(ws, "jira", "alice", { secrets: { tok: "one" } });
    await opened.db.query(
      `UPDATE workspace_plugins SET secrets = jsonb_set(secrets, '{tok}', to_jsonb('v1.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA'::text))
        WHERE workspace_id = $1`,
      [ws],
    );
    await expect(store.revealSecrets(ws, "jira")).rejects.toThrow(SecretDecryptionError);
    const { changed } = await store.apply(ws, "jira", "alice", { secrets: { tok: "one" } });
    expect(changed).toBe(true);
    expect(await store.revealSecrets(ws, "jira")).toEqual({ tok: "one" });
  });

  it("reports a tampered secret as SecretDecryptionError", async () => {
    const ws = uniqueWorkspace();
    await store.apply(ws, "jira", "alice", { secrets: { tok: "value" } });
    // Swap two secrets between names: each ciphertext is bound to its own name.
    await store.apply(ws, "jira", "alice", { secrets: { other: "value" } });
    await opened.db.query(
      `UPDATE workspace_plugins SET secrets = jsonb_build_object('tok', secrets->'other', 'other', secrets->'tok')
        WHERE workspace_id = $1`,
      [ws],
    );
    await expect(store.revealSecrets(ws, "jira")).rejects.toThrow(
      /^secret (tok|other) of plugin jira in workspace ws-[0-9a-f]+ failed authentication/,
    );
  });

  it("refuses plugins missing from the catalogue with UnknownPluginError", async () => {
    await expect(store.apply(uniqueWorkspace(), "no-such-plugin", "alice", { enabled: true })).rejects.toThrow(UnknownPluginError);
  });

  it("without a key ring, stores config but refuses to store or reveal secrets", async () => {
    const ws = uniqueWorkspace();
    const bare = createPluginStateStore({ db: opened.db });
    expect((await bare.apply(ws, "jira", "alice", { enabled: true, config: { a: "1" } })).changed).toBe(true);
    await expect(bare.apply(ws, "jira", "alice", { secrets: { tok: "x" } })).rejects.toThrow(SecretsUnavailableError);
    expect((await bare.get(ws, "jira")).version).toBe(1);
    await store.apply(ws, "jira", "alice", { secrets: { tok: "x" } });
    await expect(bare.revealSecrets(ws, "jira")).rejects.toThrow(SecretsUnavailableError);
    // Removing a secret needs no key.
    expect((await bare.apply(ws, "jira", "alice", { secrets: { tok: "" } })).state.secretNames).toEqual([]);
  });

  it("syncs the catalogue by id, rewriting only changed rows", async () => {
    const entry = { id: "extra", name: "Extra", category: "ci-cd", apiBasePath: "/api/extra", version: "1.0.0", definition: { a: 1 } };
    expect(await syncCatalogue(opened.db, [entry])).toBe(1);
    expect(await syncCatalogue(opened.db, [entry])).toBe(0);
    expect(await syncCatalogue(opened.db, [{ ...entry, version: "1.1.0", definition: { a: 2 } }])).toBe(1);
    const stored = (await listCatalogue(opened.db)).find((row) => row.id === "extra");
    expect(stored).toEqual({ ...entry, version: "1.1.0", definition: { a: 2 } });
  });
});

describe("plugin state store on postgres: first writers racing to create a row", () => {
  const opened = useSeededDatabase(postgresBackend);

  it("merges every writer onto the row the first one inserts", async () => {
    const store = createPluginStateStore({ db: opened.db, sealer });
    const ws = uniqueWorkspace();
    const writers = 6;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // Block every writer at its first statement, so all of them find no row and then insert together.
    const gate = opened.db.transaction(async (tx) => {
      await tx.query("LOCK TABLE workspace_plugins IN EXCLUSIVE MODE");
      locked();
      await released;
    });
    await isLocked;
    const results = Promise.all(
      Array.from({ length: writers }, (_, i) => store.apply(ws, "jira", `user-${i}`, { config: { [`key_${i}`]: "v" } })),
    );
    // Wait until all writers are queued on the table lock (a query loop, not a timer).
    for (;;) {
      const [row] = await opened.db.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
          WHERE c.relname = 'workspace_plugins' AND NOT l.granted
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      if (row?.waiting === writers) break;
    }
    release();
    await gate;
    const versions = (await results).map((r) => r.state.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: writers }, (_, i) => i + 1));
    const state = await store.get(ws, "jira");
    expect(Object.keys(state.config)).toHaveLength(writers);
    expect(await store.listAudit(ws)).toHaveLength(writers);
  });
});
