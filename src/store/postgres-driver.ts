import pg from "pg";
import type { PoolClient } from "pg";
import { describeUrl } from "./database-url.js";
import type { DatabaseDriver, DatabaseOptions, Queryable } from "./database.js";
import { DatabaseUnavailableError, isConnectionFailure } from "./errors.js";
import { listenOnPostgres } from "./postgres-listener.js";

/** Connection failures become DatabaseUnavailableError (callers answer UNAVAILABLE); query errors pass. */
async function classified<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isConnectionFailure(error) ? new DatabaseUnavailableError(error) : error;
  }
}

export async function createPostgresDriver(url: string, options: DatabaseOptions): Promise<DatabaseDriver> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: "orbit-plugins-gateway",
    // A database that does not answer must fail calls, not hold them until their deadline.
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection emits "error" on the pool; unhandled, it would crash the process.
  pool.on("error", (error) => {
    options.logger?.warn({ err: { message: error.message } }, "idle PostgreSQL connection failed; the pool replaces it");
  });
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot connect to PostgreSQL at ${describeUrl(url)}: ${reason}`, { cause: error });
  }
  options.logger?.info({ database: describeUrl(url) }, "connected to PostgreSQL");

  const on = (client: pg.Pool | PoolClient): Queryable => ({
    async query<R>(sql: string, params?: readonly unknown[]) {
      const result = await classified(() => client.query(sql, params as unknown[] | undefined));
      return result.rows as R[];
    },
    async exec(sql: string) {
      // Without parameters pg uses the simple query protocol, which accepts several statements.
      await classified(() => client.query(sql));
    },
  });

  const listeners = new Set<{ stop(): Promise<void> }>();

  return {
    kind: "postgres",
    ...on(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await classified(() => pool.connect());
      let broken: Error | undefined;
      // pg-pool listens for errors only on idle clients: a connection lost between this
      // transaction's statements would otherwise be an unhandled 'error' event (a crash).
      // The next statement fails on its own; the client must not go back to the pool.
      const onConnectionError = (error: Error) => {
        broken = error;
      };
      client.on("error", onConnectionError);
      try {
        await client.query("BEGIN");
        const result = await fn(on(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackError) {
          // A connection that cannot roll back must not go back to the pool.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        client.off("error", onConnectionError);
        client.release(broken);
      }
    },
    async listen(channel, handlers) {
      const listener = listenOnPostgres(url, channel, handlers, options.logger);
      listeners.add(listener);
      await listener.ready;
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
    async close() {
      await Promise.all([...listeners].map((listener) => listener.stop()));
      listeners.clear();
      await pool.end();
    },
  };
}
