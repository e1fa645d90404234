import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, NestedTransactionError } from "./database.js";
import type { Database } from "./database.js";
import { describeUrl } from "./database-url.js";
import { DatabaseUnavailableError } from "./errors.js";
import { backends, postgresBackend } from "./test-support/test-databases.js";
import type { OpenedBackend } from "./test-support/test-databases.js";

describe.each(backends)("database adapter on $name", (backend) => {
  let opened: OpenedBackend;
  beforeAll(async () => {
    opened = await backend.open();
    await opened.db.exec("CREATE TABLE adapter_probe (id int PRIMARY KEY, tags text[] NOT NULL, doc jsonb NOT NULL)");
  });
  afterAll(() => opened.dispose());

  it("reports its kind and answers ping", async () => {
    expect(opened.db.kind).toBe(backend.name);
    await expect(opened.db.ping()).resolves.toBeUndefined();
  });

  it("passes $n parameters and parses arrays, JSON and timestamps the same way", async () => {
    const [row] = await opened.db.query<{ tags: string[]; doc: unknown; at: Date; n: number }>(
      "INSERT INTO adapter_probe VALUES ($1, $2, $3::jsonb) RETURNING tags, doc, now() AS at, id AS n",
      [1, ["a", "b,c", 'd"'], JSON.stringify({ k: "v" })],
    );
    expect(row).toEqual({ tags: ["a", "b,c", 'd"'], doc: { k: "v" }, at: expect.any(Date), n: 1 });
  });

  it("commits a transaction that resolves", async () => {
    const result = await opened.db.transaction(async (tx) => {
      await tx.query("INSERT INTO adapter_probe VALUES (2, '{}', '{}')");
      return "done";
    });
    expect(result).toBe("done");
    expect(await opened.db.query("SELECT id FROM adapter_probe WHERE id = 2")).toHaveLength(1);
  });

  it("rolls back a transaction that throws, and stays usable", async () => {
    await expect(
      opened.db.transaction(async (tx) => {
        await tx.query("INSERT INTO adapter_probe VALUES (3, '{}', '{}')");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await opened.db.query("SELECT id FROM adapter_probe WHERE id = 3")).toHaveLength(0);
    // A failed statement aborts the transaction; the connection must come back clean.
    await expect(
      opened.db.transaction(async (tx) => {
        await tx.query("INSERT INTO adapter_probe VALUES (1, '{}', '{}')");
      }),
    ).rejects.toMatchObject({ code: "23505" });
    await expect(opened.db.ping()).resolves.toBeUndefined();
  });

  it("refuses the outer handle inside a transaction instead of hanging or escaping it", async () => {
    await expect(opened.db.transaction(() => opened.db.query("SELECT 1"))).rejects.toThrow(NestedTransactionError);
    await expect(opened.db.transaction(() => opened.db.transaction(async () => 1))).rejects.toThrow(NestedTransactionError);
  });

  it("runs multi-statement scripts with exec", async () => {
    await opened.db.exec("INSERT INTO adapter_probe VALUES (10, '{}', '{}'); INSERT INTO adapter_probe VALUES (11, '{}', '{}');");
    expect(await opened.db.query("SELECT id FROM adapter_probe WHERE id >= 10 ORDER BY id")).toEqual([{ id: 10 }, { id: 11 }]);
  });
});

describe("createDatabase", () => {
  it("keeps PGlite data on disk in the given directory", { timeout: 90_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "orbit-pglite-"));
    try {
      const first = await createDatabase({ dataDir: join(dir, "nested", "data") });
      expect(first.kind).toBe("pglite");
      await first.exec("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
      await first.close();
      const second = await createDatabase({ dataDir: join(dir, "nested", "data") });
      expect(await second.query("SELECT v FROM kept")).toEqual([{ v: "still here" }]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails with a message that names the server but not the password", async () => {
    const url = "postgres://orbit:hunter2-secret@127.0.0.1:1/nowhere";
    const failure = createDatabase({ url });
    await expect(failure).rejects.toThrow(/cannot connect to PostgreSQL at postgres:\/\/orbit@127\.0\.0\.1:1\/nowhere/);
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });

  it("describes URLs without credentials or options", () => {
    expect(describeUrl("postgres://u:p@db:5432/x?sslmode=require&password=p")).toBe("postgres://u@db:5432/x");
    expect(describeUrl("not a url")).toBe("(unparseable database URL)");
  });
});

describe("PostgreSQL connection lost inside a transaction", () => {
  let opened: OpenedBackend;
  let admin: Database;
  beforeAll(async () => {
    opened = await postgresBackend.open();
    admin = await createDatabase({ url: opened.url as string });
  });
  afterAll(async () => {
    await admin.close();
    await opened.dispose();
  });

  it("fails the transaction as unavailable instead of crashing the process, and the pool serves on", async () => {
    const transaction = opened.db.transaction(async (tx) => {
      const [me] = await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      // Killed from another connection while this one sits idle between statements:
      // pg reports that as an 'error' event on the client, not on a query.
      await admin.query("SELECT pg_terminate_backend($1)", [me?.pid]);
      const gone = async () => (await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [me?.pid])).length === 0;
      while (!(await gone())) await new Promise((resolve) => setImmediate(resolve));
      await tx.query("SELECT 1");
    });
    await expect(transaction).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(opened.db.ping()).resolves.toBeUndefined();
  });
});
