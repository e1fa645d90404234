import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import type { Transaction } from "@electric-sql/pglite";
import type { DatabaseDriver, DatabaseOptions, Queryable } from "./database.js";

const IN_MEMORY = "memory://";

/**
 * Embedded PostgreSQL (WASM). One connection: PGlite serialises statements and holds
 * a transaction exclusively until it ends, so the same SQL — FOR UPDATE, advisory
 * locks — is correct here too, just without real parallelism.
 */
export async function createPgliteDriver(dataDir: string | undefined, options: DatabaseOptions): Promise<DatabaseDriver> {
  const inMemory = dataDir === undefined || dataDir === "" || dataDir === IN_MEMORY;
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(inMemory ? IN_MEMORY : dataDir);
  options.logger?.info({ dataDir: inMemory ? IN_MEMORY : dataDir }, "opened embedded PostgreSQL (PGlite)");

  const on = (client: PGlite | Transaction): Queryable => ({
    async query<R>(sql: string, params?: readonly unknown[]) {
      const result = await client.query<R>(sql, params as unknown[] | undefined);
      return result.rows;
    },
    async exec(sql: string) {
      await client.exec(sql);
    },
  });

  return {
    kind: "pglite",
    ...on(db),
    // PGlite's transaction() runs BEGIN/COMMIT and rolls back when fn throws.
    transaction: (fn) => db.transaction((tx) => fn(on(tx))),
    // One in-process database: a subscription is never lost.
    async listen(channel, handlers) {
      const unlisten = await db.listen(channel, (payload) => handlers.message(payload));
      handlers.resumed();
      return async () => {
        if (!db.closed) await unlisten();
      };
    },
    close: () => db.close(),
  };
}
