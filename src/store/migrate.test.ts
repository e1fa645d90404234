import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "./database.js";
import type { Database } from "./database.js";
import { migrate } from "./migrate.js";
import type { Migration } from "./migrate.js";
import { migrations } from "./migrations/index.js";
import { backends, createScratchPostgres } from "./test-support/test-databases.js";
import type { OpenedBackend, ScratchDatabase } from "./test-support/test-databases.js";

const versions = migrations.map((m) => m.version);

async function recorded(db: Database): Promise<{ version: string; times: number }[]> {
  return db.query("SELECT version, count(*)::int AS times FROM schema_migrations GROUP BY version ORDER BY version");
}

describe("migration list", () => {
  it("is ordered, uniquely versioned and named like YYYYMMDD_NNNN", () => {
    expect(versions).toEqual([...new Set(versions)].sort());
    for (const version of versions) expect(version).toMatch(/^\d{8}_\d{4}$/);
  });
});

describe.each(backends)("migrations on $name", (backend) => {
  let opened: OpenedBackend;
  beforeAll(async () => {
    opened = await backend.open(); // already migrated once
  });
  afterAll(() => opened.dispose());

  it("recorded every migration once and creates the schema", async () => {
    expect(await recorded(opened.db)).toEqual(versions.map((version) => ({ version, times: 1 })));
    const tables = await opened.db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual(["plugin_audit_log", "plugin_catalogue", "schema_migrations", "workspace_plugins"]);
  });

  it("applies nothing on a second run", async () => {
    expect((await migrate(opened.db)).applied).toEqual([]);
    expect(await recorded(opened.db)).toEqual(versions.map((version) => ({ version, times: 1 })));
  });

  it("rolls back every migration of a run when one fails", async () => {
    const extra: Migration[] = [
      ...migrations,
      { version: "29990101_0001", name: "good", sql: "CREATE TABLE rollback_probe (x int)" },
      { version: "29990101_0002", name: "bad", sql: "SELECT * FROM no_such_table" },
    ];
    await expect(migrate(opened.db, { migrations: extra })).rejects.toThrow(/no_such_table/);
    expect(await recorded(opened.db)).toEqual(versions.map((version) => ({ version, times: 1 })));
    expect(await opened.db.query("SELECT to_regclass('rollback_probe')::text AS t")).toEqual([{ t: null }]);
  });

  it("refuses an unordered migration list", async () => {
    const [first] = migrations as [Migration];
    await expect(migrate(opened.db, { migrations: [first, first] })).rejects.toThrow(/out of order or duplicated/);
  });
});

describe("replicas migrating one empty PostgreSQL database at once", () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchPostgres();
  });
  afterAll(() => scratch.drop());

  it("runs each migration once when several pools race in one process", async () => {
    const dbs = await Promise.all(Array.from({ length: 4 }, () => createDatabase({ url: scratch.url })));
    try {
      const results = await Promise.all(dbs.map((db) => migrate(db)));
      const applied = results.map((r) => r.applied);
      expect(applied.filter((a) => a.length > 0)).toEqual([versions]);
      expect(await recorded(dbs[0] as Database)).toEqual(versions.map((version) => ({ version, times: 1 })));
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});

describe("two gateway processes migrating one empty PostgreSQL database", () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchPostgres();
  });
  afterAll(() => scratch.drop());

  it("both succeed and the migrations ran once", { timeout: 90_000 }, async () => {
    const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
    const child = fileURLToPath(new URL("./test-support/migrate-child.ts", import.meta.url));
    const children = [0, 1].map(() => {
      const proc = spawn(tsx, [child, scratch.url], { stdio: ["pipe", "pipe", "pipe"] });
      let stderr = "";
      proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
      const exited = new Promise<number | null>((resolve) => proc.on("close", resolve));
      const nextLine = async () => {
        const { value, done } = await lines.next();
        if (done) throw new Error(`migrate-child ended early (exit ${await exited}): ${stderr}`);
        return value as string;
      };
      return { proc, nextLine, exited };
    });
    // Both connect first; then one stdin line each releases them together.
    expect(await Promise.all(children.map((c) => c.nextLine()))).toEqual(["ready", "ready"]);
    for (const c of children) c.proc.stdin.write("go\n");
    const applied = await Promise.all(children.map(async (c) => JSON.parse(await c.nextLine()) as string[]));
    expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0]);
    expect(applied.flat().sort()).toEqual(versions);

    const db = await createDatabase({ url: scratch.url });
    try {
      expect(await recorded(db)).toEqual(versions.map((version) => ({ version, times: 1 })));
    } finally {
      await db.close();
    }
  });
});
