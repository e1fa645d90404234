import { describe, expect, it } from "vitest";
import { createPluginStateStore } from "../store/plugin-state-store.js";
import type { PluginStateStore } from "../store/plugin-state-store.js";
import { backends, postgresBackend, TEST_PLUGINS, uniqueWorkspace, useSeededDatabase } from "../store/test-support/test-databases.js";
import { createSecretSealer } from "./envelope.js";
import { KeyRingError } from "./errors.js";
import { assertKeyRingUsable } from "./key-ring-check.js";
import { generateKey, parseKeyRing } from "./key-ring.js";
import { rotateSecrets } from "./rotation.js";

const key1 = `k1:${generateKey()}`;
const key2 = `k2:${generateKey()}`;
const ringK1 = parseKeyRing(key1);
const ringK1K2 = parseKeyRing(`${key1},${key2}`);
const ringK2 = parseKeyRing(key2);

describe.each(backends)("secret rotation and key ring checks on $name", (backend) => {
  const opened = useSeededDatabase(backend);

  const storeWith = (ring = ringK1): PluginStateStore => createPluginStateStore({ db: opened.db, sealer: createSecretSealer(ring) });

  async function keyIdsInUse(): Promise<string[]> {
    const rows = await opened.db.query<{ key_id: string }>(
      `SELECT DISTINCT split_part(s.value, '.', 2) AS key_id
         FROM workspace_plugins, jsonb_each_text(secrets) s ORDER BY 1`,
    );
    return rows.map((r) => r.key_id);
  }

  // These run in order against one database: an empty one first, then secrets under k1, rotated to k2.
  it("accepts a missing key ring while no secrets are stored", async () => {
    await expect(assertKeyRingUsable(opened.db, undefined)).resolves.toBeUndefined();
  });

  const written = new Map<string, Record<string, string>>();

  it("rotates every row from k1 to k2, resumably, and everything still decrypts", async () => {
    const store = storeWith(ringK1);
    for (let i = 0; i < 7; i++) {
      const ws = uniqueWorkspace();
      for (const plugin of TEST_PLUGINS.slice(0, 1 + (i % 3))) {
        const secrets = { token: `tok-${ws}-${plugin}`, other: `other-${ws}-${plugin}` };
        await store.apply(ws, plugin, "alice", { enabled: true, secrets });
        written.set(`${ws}/${plugin}`, secrets);
      }
    }
    // A row with config only is not a secret row.
    await store.apply(uniqueWorkspace(), "jira", "alice", { config: { a: "1" } });
    const versionsBefore = await opened.db.query("SELECT workspace_id, plugin_id, version FROM workspace_plugins ORDER BY 1, 2");
    expect(await keyIdsInUse()).toEqual(["k1"]);

    // An interrupted run (here: stopped after 5 rows) leaves a mix that still decrypts.
    const partial = await rotateSecrets(opened.db, ringK1K2, { batchSize: 2, maxRows: 5 });
    expect(partial).toMatchObject({ rowsReencrypted: 5, secretsReencrypted: 10, stoppedEarly: true, failures: [] });
    expect(await keyIdsInUse()).toEqual(["k1", "k2"]);

    const rest = await rotateSecrets(opened.db, ringK1K2, { batchSize: 2 });
    expect(rest).toMatchObject({
      targetKeyId: "k2",
      rowsScanned: written.size,
      rowsReencrypted: written.size - 5,
      rowsAlreadyCurrent: 5,
      stoppedEarly: false,
      failures: [],
    });
    expect(await keyIdsInUse()).toEqual(["k2"]);

    const again = await rotateSecrets(opened.db, ringK1K2, { batchSize: 3 });
    expect(again).toMatchObject({ rowsScanned: written.size, rowsReencrypted: 0, rowsAlreadyCurrent: written.size });

    // Rotation is not a configuration change: versions and the audit trail are untouched.
    expect(await opened.db.query("SELECT workspace_id, plugin_id, version FROM workspace_plugins ORDER BY 1, 2")).toEqual(versionsBefore);

    // With k1 removed from the ring, every secret still decrypts.
    const k2Only = storeWith(ringK2);
    for (const [row, secrets] of written) {
      const [ws, plugin] = row.split("/") as [string, string];
      expect(await k2Only.revealSecrets(ws, plugin)).toEqual(secrets);
    }
    await expect(assertKeyRingUsable(opened.db, ringK2)).resolves.toBeUndefined();
  });

  it("stops start-up when secrets exist but no key ring is configured", async () => {
    await expect(assertKeyRingUsable(opened.db, undefined)).rejects.toThrow(KeyRingError);
    await expect(assertKeyRingUsable(opened.db, undefined)).rejects.toThrow(
      /ORBIT_SECRETS_KEYS is not set, but the database holds \d+ encrypted plugin secret\(s\)/,
    );
  });

  it("stops start-up naming the key ids the ring lacks", async () => {
    await expect(assertKeyRingUsable(opened.db, ringK1)).rejects.toThrow(
      /encrypted with key id\(s\) "k2" \(\d+ secret\(s\)\) that ORBIT_SECRETS_KEYS does not list \(it lists: k1\)/,
    );
  });

  it("reports a tampered row, leaves it as it was, and rotates the others", async () => {
    const ws = uniqueWorkspace();
    await storeWith(ringK2).apply(ws, "jira", "alice", { secrets: { good: "g" } });
    await storeWith(ringK1).apply(ws, "deployment", "alice", {
      secrets: { bad: "b" },
    });
    // Move the deployment secret under another name: authentication must fail.
    await opened.db.query(
      `UPDATE workspace_plugins SET secrets = jsonb_build_object('renamed', secrets->'bad')
        WHERE workspace_id = $1 AND plugin_id = 'deployment'`,
      [ws],
    );
    const before = await opened.db.query("SELECT secrets FROM workspace_plugins WHERE workspace_id = $1 AND plugin_id = 'deployment'", [
      ws,
    ]);
    const summary = await rotateSecrets(opened.db, ringK1K2);
    expect(summary.failures).toEqual([
      {
        workspaceId: ws,
        pluginId: "deployment",
        reason: expect.stringMatching(/^secret renamed of plugin deployment in workspace ws-[0-9a-f]+ failed authentication/),
      },
    ]);
    expect(JSON.stringify(summary)).not.toContain('"b"');
    expect(
      await opened.db.query("SELECT secrets FROM workspace_plugins WHERE workspace_id = $1 AND plugin_id = 'deployment'", [ws]),
    ).toEqual(before);
  });

  it("reports a row under a key the ring lacks by key id", async () => {
    const ws = uniqueWorkspace();
    await storeWith(parseKeyRing(`k0:${generateKey()}`)).apply(ws, "jira", "alice", { secrets: { tok: "t" } });
    const summary = await rotateSecrets(opened.db, ringK1K2);
    expect(summary.failures).toContainEqual({
      workspaceId: ws,
      pluginId: "jira",
      reason: expect.stringContaining('key id "k0", which ORBIT_SECRETS_KEYS does not list'),
    });
  });
});

describe("secret rotation on postgres while the service writes", () => {
  const opened = useSeededDatabase(postgresBackend);

  it("skips a row locked by a writer, comes back to it, and loses neither write", async () => {
    const ws = uniqueWorkspace();
    const old = createPluginStateStore({ db: opened.db, sealer: createSecretSealer(ringK1) });
    await old.apply(ws, "jira", "alice", { secrets: { tok: "one" } });
    await old.apply(ws, "deployment", "alice", { secrets: { tok: "two" } });

    const writer = createPluginStateStore({ db: opened.db, sealer: createSecretSealer(ringK1K2) });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // Hold the jira row locked in an open transaction, as a slow writer would.
    const holder = opened.db.transaction(async (tx) => {
      await tx.query("SELECT 1 FROM workspace_plugins WHERE workspace_id = $1 AND plugin_id = 'jira' FOR UPDATE", [ws]);
      locked();
      await released;
      await tx.query(
        `UPDATE workspace_plugins SET config = '{"during": "rotation"}', version = version + 1
          WHERE workspace_id = $1 AND plugin_id = 'jira'`,
        [ws],
      );
    });
    await isLocked;
    const events: string[] = [];
    const rotation = rotateSecrets(opened.db, ringK1K2, {
      batchSize: 1,
      onRow: (event) => {
        events.push(`${event.pluginId}:${event.outcome}`);
        // The rotation got past the locked row (SKIP LOCKED); now let the writer finish.
        if (event.pluginId === "jira" && event.outcome === "busy") release();
      },
    });
    await holder;
    const summary = await rotation;
    expect(summary).toMatchObject({ rowsReencrypted: 2, failures: [] });
    // Rows are visited in key order: deployment, then jira (skipped while locked), then jira again.
    expect(events).toEqual(["deployment:rotated", "jira:busy", "jira:rotated"]);
    const state = await writer.get(ws, "jira");
    expect(state.config).toEqual({ during: "rotation" });
    expect(await writer.revealSecrets(ws, "jira")).toEqual({ tok: "one" });
    const [row] = await opened.db.query<{ k: string }>(
      `SELECT split_part(secrets->>'tok', '.', 2) AS k FROM workspace_plugins WHERE workspace_id = $1 AND plugin_id = 'jira'`,
      [ws],
    );
    expect(row?.k).toBe("k2");
  });
});
