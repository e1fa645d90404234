import type { Database, StoreLogger } from "./database.js";
import { migrations as allMigrations } from "./migrations/index.js";

export interface Migration {
  /** Sortable and unique: "YYYYMMDD_NNNN". */
  readonly version: string;
  readonly name: string;
  /** One script; may hold several statements. */
  readonly sql: string;
}

/**
 * Key of the transaction-scoped advisory lock that serialises migrators. Any constant
 * works as long as nothing else in the database uses it ("orbitmig" in ASCII).
 */
export const MIGRATION_LOCK_KEY = 0x6f72_6269_746d_6967n;

export interface MigrationResult {
  /** Versions this call applied, oldest first; empty when the schema was current. */
  readonly applied: readonly string[];
}

/**
 * Brings the schema up to date at start-up. Everything runs in one transaction that
 * first takes pg_advisory_xact_lock: replicas starting together queue on the lock, and
 * each finds the versions the previous one recorded, so every migration runs once.
 * A failing migration rolls back all of them and rejects.
 */
export async function migrate(
  db: Database,
  options: { logger?: StoreLogger; migrations?: readonly Migration[] } = {},
): Promise<MigrationResult> {
  const migrations = options.migrations ?? allMigrations;
  assertOrdered(migrations);
  const applied = await db.transaction(async (tx) => {
    // The lock statement comes first: under READ COMMITTED every later statement then
    // sees what a migrator that held the lock before us committed.
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    text PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const done = new Set((await tx.query<{ version: string }>("SELECT version FROM schema_migrations")).map((row) => row.version));
    const known = new Set(migrations.map((m) => m.version));
    const unknown = [...done].filter((version) => !known.has(version));
    if (unknown.length > 0) {
      // A newer release migrated this database (rolling deploy); this one can still run.
      options.logger?.warn({ versions: unknown }, "database has migrations this release does not know");
    }
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return applied;
  });
  if (applied.length > 0) options.logger?.info({ versions: applied }, "applied database migrations");
  return { applied };
}

function assertOrdered(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    const previous = migrations[i - 1] as Migration;
    const current = migrations[i] as Migration;
    if (!(previous.version < current.version)) {
      throw new Error(`migrations out of order or duplicated: ${previous.version} then ${current.version}`);
    }
  }
}
