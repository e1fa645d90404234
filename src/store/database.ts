import { AsyncLocalStorage } from "node:async_hooks";

/** Anything that runs one parameterised SQL statement ($1, $2 … placeholders). */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** What a LISTEN subscription reports besides the notifications themselves. */
export interface NotificationHandlers {
  /** The payload of a NOTIFY on the channel (delivered only when the notifying transaction commits). */
  message(payload: string): void;
  /** Listening stopped (the connection was lost): notifications may be missed until `resumed`. */
  lost(): void;
  /** Listening (again): from now on every notification arrives. Also called once when the subscription starts. */
  resumed(): void;
}

/**
 * The one database seam of the gateway: PostgreSQL through `pg`, or embedded
 * PostgreSQL through PGlite. Both speak the same SQL, so the store has one code path.
 */
export interface Database extends Queryable {
  readonly kind: "postgres" | "pglite";
  /**
   * Runs fn in a transaction: committed when fn resolves, rolled back when it throws.
   * Use only `tx` inside fn — the database handle refuses queries from inside a
   * transaction, because on PGlite (one connection) they would wait forever and on
   * pg they would silently run outside the transaction.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when the database answers; for readiness checks. */
  ping(): Promise<void>;
  /**
   * Subscribes to NOTIFY on a channel; never rejects (a connection that cannot be made
   * yet is `lost` and retried). Resolves with the function that unsubscribes.
   */
  listen(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The slice of a pino logger the store uses. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DatabaseOptions {
  /** postgres:// URL; when set, PostgreSQL through a `pg` pool is used. */
  readonly url?: string;
  /** PGlite data directory when no url is given; undefined or "memory://" keeps it in memory. */
  readonly dataDir?: string;
  /** Maximum connections of the pg pool (default 10). */
  readonly poolSize?: number;
  readonly logger?: StoreLogger;
  /** Refuse use of the database handle inside its own transactions (default: unless NODE_ENV is production); see guardDriver. */
  readonly checkNesting?: boolean;
}

/** Where `npm start` keeps its embedded database when nothing is configured. */
export const DEFAULT_PGLITE_DATA_DIR = ".data/pglite";

/** What a backend adapter provides; the guard below is shared. */
export interface DatabaseDriver extends Queryable {
  readonly kind: Database["kind"];
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  listen(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Raised when the database handle is used from inside one of its own transactions. */
export class NestedTransactionError extends Error {
  override readonly name = "NestedTransactionError";
  constructor() {
    super("database handle used inside a transaction; run the statement on the transaction's `tx` instead");
  }
}

/**
 * Wraps a driver with ping and, when `checkNesting`, the "no outer-handle use inside a
 * transaction" guard. The guard is a check for programming errors, on in development
 * and tests: it needs AsyncLocalStorage, which on Node 20 turns on promise hooks for
 * the whole process once used, a cost every RPC would pay in production.
 */
export function guardDriver(driver: DatabaseDriver, checkNesting = true): Database {
  const inTransaction = checkNesting ? new AsyncLocalStorage<true>() : undefined;
  const outside = (): void => {
    if (inTransaction?.getStore()) throw new NestedTransactionError();
  };
  return {
    kind: driver.kind,
    async query<R>(sql: string, params?: readonly unknown[]) {
      outside();
      return driver.query<R>(sql, params);
    },
    async exec(sql: string) {
      outside();
      return driver.exec(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      outside();
      return driver.transaction(inTransaction ? (tx) => inTransaction.run(true, () => fn(tx)) : fn);
    },
    async ping() {
      outside();
      await driver.query("SELECT 1");
    },
    listen: (channel, handlers) => driver.listen(channel, handlers),
    close: () => driver.close(),
  };
}

/**
 * Opens the database: PostgreSQL when `url` is given, PGlite otherwise. Rejects when
 * the database cannot be reached, with a message that never includes a password.
 * Call `migrate(db)` next.
 */
export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  // Loaded lazily: a PostgreSQL deployment never loads the PGlite WASM bundle and vice versa.
  const driver =
    options.url !== undefined && options.url !== ""
      ? await (await import("./postgres-driver.js")).createPostgresDriver(options.url, options)
      : await (await import("./pglite-driver.js")).createPgliteDriver(options.dataDir, options);
  return guardDriver(driver, options.checkNesting ?? process.env.NODE_ENV !== "production");
}
