import type { Database, Queryable } from "./database.js";

export type AuditAction = "enable" | "disable" | "update_config";

/** One effective change of a plugin's state: who, when, which keys — never values. */
export interface AuditEntry {
  /** Decimal string: the bigint identity, monotonic per database. */
  readonly id: string;
  readonly workspaceId: string;
  readonly pluginId: string;
  readonly actor: string;
  readonly action: AuditAction;
  readonly changedConfigKeys: readonly string[];
  readonly changedSecretKeys: readonly string[];
  /** The plugin state version this change produced. */
  readonly version: number;
  readonly at: Date;
}

export type NewAuditEntry = Omit<AuditEntry, "id" | "at">;

/** Appends an audit row; call it on the transaction that makes the change. */
export async function recordAudit(tx: Queryable, entry: NewAuditEntry): Promise<void> {
  await tx.query(
    `INSERT INTO plugin_audit_log
       (workspace_id, plugin_id, actor, action, changed_config_keys, changed_secret_keys, version)
     VALUES ($1, $2, $3, $4, $5::text[], $6::text[], $7)`,
    [
      entry.workspaceId,
      entry.pluginId,
      entry.actor,
      entry.action,
      [...entry.changedConfigKeys],
      [...entry.changedSecretKeys],
      entry.version,
    ],
  );
}

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;

/** Audit rows of a workspace (optionally one plugin), newest first. */
export async function listAudit(
  db: Database,
  workspaceId: string,
  pluginId?: string,
  options: { limit?: number } = {},
): Promise<AuditEntry[]> {
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? DEFAULT_AUDIT_LIMIT)), MAX_AUDIT_LIMIT);
  const rows = await db.query<{
    id: string;
    workspace_id: string;
    plugin_id: string;
    actor: string;
    action: AuditAction;
    changed_config_keys: string[];
    changed_secret_keys: string[];
    version: number;
    at: Date;
  }>(
    // id::text: pg returns bigint as a string and PGlite as a number; text is the same on both.
    `SELECT id::text AS id, workspace_id, plugin_id, actor, action, changed_config_keys, changed_secret_keys, version, at
       FROM plugin_audit_log
      WHERE workspace_id = $1 AND ($2::text IS NULL OR plugin_id = $2)
      ORDER BY plugin_audit_log.id DESC
      LIMIT $3`,
    [workspaceId, pluginId ?? null, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    workspaceId: row.workspace_id,
    pluginId: row.plugin_id,
    actor: row.actor,
    action: row.action,
    changedConfigKeys: row.changed_config_keys,
    changedSecretKeys: row.changed_secret_keys,
    version: row.version,
    at: row.at,
  }));
}
