import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { syncCatalogue } from "../catalogue-sync.js";
import { createDatabase } from "../database.js";
import type { Database } from "../database.js";
import { migrate } from "../migrate.js";

/**
 * Test helpers (not used by the gateway). Every real-PostgreSQL test file works in a
 * database of its own, created here and dropped afterwards, so parallel files never collide.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface ScratchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function onServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(TEST_DATABASE_URL, "postgres") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database on the test server. */
export async function createScratchPostgres(): Promise<ScratchDatabase> {
  const name = `test_${randomBytes(6).toString("hex")}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    url: withDatabase(TEST_DATABASE_URL, name),
    drop: () => onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export interface TestBackend {
  readonly name: "pglite" | "postgres";
  /** A migrated database; `url` is set for PostgreSQL. */
  open(): Promise<OpenedBackend>;
}

export interface OpenedBackend {
  readonly db: Database;
  readonly url?: string;
  dispose(): Promise<void>;
}

export const backends: readonly TestBackend[] = [
  {
    name: "pglite",
    async open() {
      const db = await createDatabase({ dataDir: "memory://" });
      await migrate(db);
      return { db, dispose: () => db.close() };
    },
  },
  {
    name: "postgres",
    async open() {
      const scratch = await createScratchPostgres();
      const db = await createDatabase({ url: scratch.url });
      await migrate(db);
      return {
        db,
        url: scratch.url,
        async dispose() {
          await db.close();
          await scratch.drop();
        },
      };
    },
  },
];

/** Plugins the store tests write to (workspace_plugins references the catalogue). */
export const TEST_PLUGINS = ["jira", "deployment", "kubernetes"] as const;

export async function seedCatalogue(db: Database): Promise<void> {
  await syncCatalogue(
    db,
    TEST_PLUGINS.map((id) => ({
      id,
      name: `Plugin ${id}`,
      category: "ci-cd",
      apiBasePath: `/api/${id}`,
      version: "0.1.0",
      definition: { id },
    })),
  );
}

/** A workspace id no other test uses, so tests sharing a database stay independent. */
export function uniqueWorkspace(prefix = "ws"): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** The PostgreSQL backend (TEST_DATABASE_URL). */
export const postgresBackend = backends.find((backend) => backend.name === "postgres") as TestBackend;

/**
 * A migrated database of `backend` with the test catalogue seeded, opened before the
 * calling describe block's tests and disposed after them. Read `db`/`url` inside tests.
 */
export function useSeededDatabase(backend: TestBackend): OpenedBackend {
  let opened: OpenedBackend | undefined;
  beforeAll(async () => {
    opened = await backend.open();
    await seedCatalogue(opened.db);
  });
  afterAll(() => opened?.dispose());
  const current = (): OpenedBackend => {
    if (!opened) throw new Error("the test database is opened in beforeAll; read it inside a test or hook");
    return opened;
  };
  return {
    get db() {
      return current().db;
    },
    get url() {
      return current().url;
    },
    dispose: () => current().dispose(),
  };
}
