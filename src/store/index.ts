export { createDatabase, DEFAULT_PGLITE_DATA_DIR, NestedTransactionError } from "./database.js";
export type { Database, DatabaseOptions, Queryable, StoreLogger } from "./database.js";
export { describeUrl } from "./database-url.js";
export { migrate, MIGRATION_LOCK_KEY } from "./migrate.js";
export type { Migration, MigrationResult } from "./migrate.js";
export { syncCatalogue, listCatalogue } from "./catalogue-sync.js";
export type { CatalogueRow } from "./catalogue-sync.js";
export { createPluginStateStore, blankPluginState } from "./plugin-state-store.js";
export type {
  ApplyOptions,
  ApplyResult,
  PluginMutation,
  PluginState,
  PluginStateStore,
  PluginStateStoreOptions,
} from "./plugin-state-store.js";
export type { AuditAction, AuditEntry } from "./audit-trail.js";
export { SecretsUnavailableError, UnknownPluginError, VersionConflictError } from "./errors.js";
