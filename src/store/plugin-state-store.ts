import type { SecretSealer } from "../secrets/envelope.js";
import { listAudit, recordAudit } from "./audit-trail.js";
import type { AuditAction, AuditEntry } from "./audit-trail.js";
import type { Database, Queryable } from "./database.js";
import { SecretsUnavailableError, UnknownPluginError, VersionConflictError } from "./errors.js";
import { mergeConfig, mergeEntries } from "./merge.js";

/** A plugin's state in one workspace, as callers see it: secret names, never values. */
export interface PluginState {
  readonly workspaceId: string;
  readonly pluginId: string;
  readonly enabled: boolean;
  readonly config: Readonly<Record<string, string>>;
  /** Names of the secrets that are set, sorted. */
  readonly secretNames: readonly string[];
  /** 0 when the plugin was never written in this workspace; bumped by every effective change. */
  readonly version: number;
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
  readonly updatedBy: string | null;
}

/**
 * A change to apply. `config` and `secrets` follow the merge semantics of merge.ts:
 * a non-empty value sets the key, "" removes it, keys not given are kept.
 * Secrets arrive in plaintext and are sealed before they reach the database.
 */
export interface PluginMutation {
  readonly enabled?: boolean;
  readonly config?: Readonly<Record<string, string>>;
  readonly secrets?: Readonly<Record<string, string>>;
}

export interface ApplyOptions {
  /** When given, the write fails with VersionConflictError unless the stored version equals it (0 = never written). */
  readonly expectedVersion?: number;
}

export interface ApplyResult {
  /** The state after the write (the unchanged state when nothing changed). */
  readonly state: PluginState;
  /** False when the mutation matched what was stored: no version bump, no audit row. */
  readonly changed: boolean;
}

export interface PluginStateStore {
  /** The state of a plugin in a workspace; version 0 and disabled when never written. */
  get(workspaceId: string, pluginId: string): Promise<PluginState>;
  /** Every plugin written in a workspace, ordered by plugin id. */
  list(workspaceId: string): Promise<PluginState[]>;
  /**
   * Applies a mutation and its audit row in one transaction, under a row lock so
   * concurrent writers never lose each other's updates.
   * @throws VersionConflictError, UnknownPluginError, SecretsUnavailableError
   */
  apply(workspaceId: string, pluginId: string, actor: string, mutation: PluginMutation, options?: ApplyOptions): Promise<ApplyResult>;
  /**
   * Decrypted secrets of a plugin, for internal callers forwarding them to the sidecar.
   * Never return these through the API.
   * @throws SecretDecryptionError, UnknownKeyError, SecretsUnavailableError
   */
  revealSecrets(workspaceId: string, pluginId: string): Promise<Record<string, string>>;
  /** Audit rows of a workspace, or of one plugin in it, newest first. */
  listAudit(workspaceId: string, pluginId?: string, options?: { limit?: number }): Promise<AuditEntry[]>;
}

export interface PluginStateStoreOptions {
  readonly db: Database;
  /** Seals and opens secrets; undefined when no key ring is configured (then secrets cannot be written). */
  readonly sealer?: SecretSealer;
}

interface StateRow {
  enabled: boolean;
  config: Record<string, string>;
  secret_names: string[];
  version: number;
  created_at: Date;
  updated_at: Date;
  updated_by: string;
}

interface LockedRow extends StateRow {
  secrets: Record<string, string>;
}

const STATE_COLUMNS = `enabled, config, ARRAY(SELECT jsonb_object_keys(secrets)) AS secret_names,
  version, created_at, updated_at, updated_by`;

const FOREIGN_KEY_VIOLATION = "23503";

/** The NOTIFY channel on which every committed change of a plugin's state is announced. */
export const PLUGIN_STATE_CHANNEL = "orbit_plugin_state";

/** The payload announcing a change: the workspace and plugin, as a JSON pair. */
export function stateChangePayload(workspaceId: string, pluginId: string): string {
  return JSON.stringify([workspaceId, pluginId]);
}

export function blankPluginState(workspaceId: string, pluginId: string): PluginState {
  return {
    workspaceId,
    pluginId,
    enabled: false,
    config: {},
    secretNames: [],
    version: 0,
    createdAt: null,
    updatedAt: null,
    updatedBy: null,
  };
}

function toState(workspaceId: string, pluginId: string, row: StateRow): PluginState {
  return {
    workspaceId,
    pluginId,
    enabled: row.enabled,
    config: row.config,
    secretNames: [...row.secret_names].sort(),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export function createPluginStateStore({ db, sealer }: PluginStateStoreOptions): PluginStateStore {
  /** Works out the next state; undefined when the mutation changes nothing. */
  const plan = (workspaceId: string, pluginId: string, current: LockedRow | undefined, mutation: PluginMutation) => {
    const enabledBefore = current?.enabled ?? false;
    const enabled = mutation.enabled ?? enabledBefore;
    const config = mergeConfig(current?.config ?? {}, mutation.config);
    const secrets = mergeEntries(
      current?.secrets ?? {},
      mutation.secrets,
      (name, stored, given) => {
        try {
          return requireSealer("store").holds(stored, given, { workspaceId, pluginId, name });
        } catch (error) {
          // An unreadable stored value (altered, unknown key) is replaced by the new one.
          if (error instanceof SecretsUnavailableError) throw error;
          return false;
        }
      },
      (name, given) => requireSealer("store").seal(given, { workspaceId, pluginId, name }),
    );
    const enabledChanged = enabled !== enabledBefore;
    if (!enabledChanged && config.changedKeys.length === 0 && secrets.changedKeys.length === 0) return undefined;
    const action: AuditAction = enabledChanged ? (enabled ? "enable" : "disable") : "update_config";
    return { enabled, config, secrets, action };
  };

  const requireSealer = (action: "store" | "read"): SecretSealer => {
    if (sealer === undefined) throw new SecretsUnavailableError(action);
    return sealer;
  };

  const lockRow = async (tx: Queryable, workspaceId: string, pluginId: string) => {
    const rows = await tx.query<LockedRow>(
      `SELECT ${STATE_COLUMNS}, secrets FROM workspace_plugins
        WHERE workspace_id = $1 AND plugin_id = $2 FOR UPDATE`,
      [workspaceId, pluginId],
    );
    return rows[0];
  };

  const apply: PluginStateStore["apply"] = (workspaceId, pluginId, actor, mutation, options = {}) =>
    db.transaction(async (tx) => {
      const checkVersion = (actual: number): void => {
        if (options.expectedVersion !== undefined && options.expectedVersion !== actual) {
          throw new VersionConflictError(workspaceId, pluginId, options.expectedVersion, actual);
        }
      };
      /** Every effective change is audited and announced to other replicas (delivered on commit). */
      const audit = async (state: PluginState, action: AuditAction, configKeys: string[], secretKeys: string[]) => {
        await recordAudit(tx, {
          workspaceId,
          pluginId,
          actor,
          action,
          changedConfigKeys: configKeys,
          changedSecretKeys: secretKeys,
          version: state.version,
        });
        await tx.query("SELECT pg_notify($1, $2)", [PLUGIN_STATE_CHANNEL, stateChangePayload(workspaceId, pluginId)]);
      };

      let current = await lockRow(tx, workspaceId, pluginId);
      if (current === undefined) {
        checkVersion(0);
        const change = plan(workspaceId, pluginId, undefined, mutation);
        if (change === undefined) return { state: blankPluginState(workspaceId, pluginId), changed: false };
        // Two first writers can both find no row; ON CONFLICT lets one insert and the
        // other fall through to lock the row the winner committed, then merge onto it.
        const inserted = await insertRow(tx, workspaceId, pluginId, actor, change);
        if (inserted !== undefined) {
          const state = toState(workspaceId, pluginId, inserted);
          await audit(state, change.action, change.config.changedKeys, change.secrets.changedKeys);
          return { state, changed: true };
        }
        current = await lockRow(tx, workspaceId, pluginId);
        if (current === undefined) throw new Error(`plugin state ${workspaceId}/${pluginId} vanished during a write`);
      }
      checkVersion(current.version);
      const change = plan(workspaceId, pluginId, current, mutation);
      if (change === undefined) return { state: toState(workspaceId, pluginId, current), changed: false };
      const [updated] = await tx.query<StateRow>(
        `UPDATE workspace_plugins
            SET enabled = $3, config = $4::jsonb, secrets = $5::jsonb, version = version + 1,
                updated_by = $6, updated_at = now()
          WHERE workspace_id = $1 AND plugin_id = $2
         RETURNING ${STATE_COLUMNS}`,
        [workspaceId, pluginId, change.enabled, JSON.stringify(change.config.next), JSON.stringify(change.secrets.next), actor],
      );
      const state = toState(workspaceId, pluginId, updated as StateRow);
      await audit(state, change.action, change.config.changedKeys, change.secrets.changedKeys);
      return { state, changed: true };
    });

  return {
    async get(workspaceId, pluginId) {
      const [row] = await db.query<StateRow>(`SELECT ${STATE_COLUMNS} FROM workspace_plugins WHERE workspace_id = $1 AND plugin_id = $2`, [
        workspaceId,
        pluginId,
      ]);
      return row === undefined ? blankPluginState(workspaceId, pluginId) : toState(workspaceId, pluginId, row);
    },

    async list(workspaceId) {
      const rows = await db.query<StateRow & { plugin_id: string }>(
        `SELECT plugin_id, ${STATE_COLUMNS} FROM workspace_plugins WHERE workspace_id = $1 ORDER BY plugin_id`,
        [workspaceId],
      );
      return rows.map((row) => toState(workspaceId, row.plugin_id, row));
    },

    apply,

    async revealSecrets(workspaceId, pluginId) {
      const [row] = await db.query<{ secrets: Record<string, string> }>(
        "SELECT secrets FROM workspace_plugins WHERE workspace_id = $1 AND plugin_id = $2",
        [workspaceId, pluginId],
      );
      const entries = Object.entries(row?.secrets ?? {});
      if (entries.length === 0) return {};
      const open = requireSealer("read");
      return Object.fromEntries(entries.map(([name, stored]) => [name, open.open(stored, { workspaceId, pluginId, name })]));
    },

    listAudit: (workspaceId, pluginId, options) => listAudit(db, workspaceId, pluginId, options),
  };
}

async function insertRow(
  tx: Queryable,
  workspaceId: string,
  pluginId: string,
  actor: string,
  change: { enabled: boolean; config: { next: object }; secrets: { next: object } },
): Promise<StateRow | undefined> {
  try {
    const [row] = await tx.query<StateRow>(
      `INSERT INTO workspace_plugins (workspace_id, plugin_id, enabled, config, secrets, version, updated_by)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, 1, $6)
       ON CONFLICT (workspace_id, plugin_id) DO NOTHING
       RETURNING ${STATE_COLUMNS}`,
      [workspaceId, pluginId, change.enabled, JSON.stringify(change.config.next), JSON.stringify(change.secrets.next), actor],
    );
    return row;
  } catch (error) {
    if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) throw new UnknownPluginError(pluginId);
    throw error;
  }
}
