import type { Database, Queryable, StoreLogger } from "../store/database.js";
import { createSecretSealer } from "./envelope.js";
import type { SecretSealer } from "./envelope.js";
import type { KeyRing } from "./key-ring.js";

export interface RotationOptions {
  /** Rows read per page (default 100). Each row is still rewritten in its own transaction. */
  readonly batchSize?: number;
  /** Stop after re-encrypting this many rows (staged rollouts); re-run to continue. */
  readonly maxRows?: number;
  /** Stops between rows when aborted (SIGINT); re-run to continue. */
  readonly signal?: AbortSignal;
  readonly logger?: StoreLogger;
  /** Called after each row that needed work, with what happened to it (progress, tests). */
  readonly onRow?: (event: RotationRowEvent) => void;
}

export interface RotationRowEvent {
  readonly workspaceId: string;
  readonly pluginId: string;
  /** "busy": a writer held the row; it is retried after the scan, waiting for the lock. */
  readonly outcome: "rotated" | "current" | "busy" | "failed";
}

export interface RotationFailure {
  readonly workspaceId: string;
  readonly pluginId: string;
  /** Why the row could not be re-encrypted; names secrets and key ids, never values. */
  readonly reason: string;
}

export interface RotationSummary {
  readonly targetKeyId: string;
  /** Rows holding at least one secret that were looked at. */
  readonly rowsScanned: number;
  /** Rows rewritten under the target key. */
  readonly rowsReencrypted: number;
  /** Individual secrets rewritten. */
  readonly secretsReencrypted: number;
  /** Rows whose secrets were all under the target key already. */
  readonly rowsAlreadyCurrent: number;
  /** Rows left as they were because a secret could not be decrypted. */
  readonly failures: readonly RotationFailure[];
  /** True when maxRows or the signal stopped the run before the end; re-run to continue. */
  readonly stoppedEarly: boolean;
}

interface SecretRow {
  workspace_id: string;
  plugin_id: string;
  secrets: Record<string, string>;
}

/**
 * Re-encrypts every plugin secret not yet under the ring's newest key.
 *
 * Safe while the service writes: each row is re-read and rewritten in its own short
 * transaction under a row lock, so a concurrent apply() either finishes first (and we
 * rotate its result) or waits for us. The version is not bumped — the configuration
 * did not change, so clients' optimistic-concurrency tokens stay valid. Rows already
 * under the newest key are skipped, which makes an interrupted run resumable.
 */
export async function rotateSecrets(db: Database, keyRing: KeyRing, options: RotationOptions = {}): Promise<RotationSummary> {
  const batchSize = Math.max(1, Math.trunc(options.batchSize ?? 100));
  const sealer = createSecretSealer(keyRing);
  const summary = {
    targetKeyId: keyRing.currentKeyId,
    rowsScanned: 0,
    rowsReencrypted: 0,
    secretsReencrypted: 0,
    rowsAlreadyCurrent: 0,
    failures: [] as RotationFailure[],
    stoppedEarly: false,
  };
  // Rows a writer held locked on the first try; retried at the end, then waiting for the lock.
  const busy: SecretRow[] = [];
  const shouldStop = () =>
    options.signal?.aborted === true || (options.maxRows !== undefined && summary.rowsReencrypted >= options.maxRows);

  const handle = async (row: SecretRow, wait: boolean): Promise<void> => {
    const outcome = await rotateRow(db, sealer, row.workspace_id, row.plugin_id, wait);
    options.onRow?.({ workspaceId: row.workspace_id, pluginId: row.plugin_id, outcome: outcome.kind });
    if (outcome.kind === "busy") {
      busy.push(row);
    } else if (outcome.kind === "failed") {
      summary.failures.push({ workspaceId: row.workspace_id, pluginId: row.plugin_id, reason: outcome.reason });
    } else if (outcome.kind === "rotated") {
      summary.rowsReencrypted += 1;
      summary.secretsReencrypted += outcome.secrets;
    } else {
      summary.rowsAlreadyCurrent += 1;
    }
  };

  // Keyset pagination: stable under concurrent inserts and cheap on large tables.
  let after: [string, string] = ["", ""];
  for (;;) {
    const page = await db.query<SecretRow>(
      `SELECT workspace_id, plugin_id, secrets FROM workspace_plugins
        WHERE (workspace_id, plugin_id) > ($1, $2) AND secrets <> '{}'::jsonb
        ORDER BY workspace_id, plugin_id
        LIMIT $3`,
      [after[0], after[1], batchSize],
    );
    for (const row of page) {
      if (shouldStop()) return finish(true);
      summary.rowsScanned += 1;
      if (Object.values(row.secrets).every((stored) => sealer.isCurrent(stored))) {
        summary.rowsAlreadyCurrent += 1;
        continue;
      }
      await handle(row, false);
    }
    const last = page[page.length - 1];
    if (last === undefined || page.length < batchSize) break;
    after = [last.workspace_id, last.plugin_id];
    options.logger?.info({ scanned: summary.rowsScanned, reencrypted: summary.rowsReencrypted }, "rotating secrets");
  }
  for (const row of busy.splice(0)) {
    if (shouldStop()) return finish(true);
    await handle(row, true);
  }
  return finish(false);

  function finish(stoppedEarly: boolean): RotationSummary {
    summary.stoppedEarly = stoppedEarly;
    return summary;
  }
}

type RowOutcome = { kind: "rotated"; secrets: number } | { kind: "current" } | { kind: "busy" } | { kind: "failed"; reason: string };

async function rotateRow(db: Database, sealer: SecretSealer, workspaceId: string, pluginId: string, wait: boolean): Promise<RowOutcome> {
  return db.transaction(async (tx: Queryable): Promise<RowOutcome> => {
    // SKIP LOCKED first so one busy row never stalls the run; the retry pass waits.
    const [row] = await tx.query<{ secrets: Record<string, string> }>(
      `SELECT secrets FROM workspace_plugins WHERE workspace_id = $1 AND plugin_id = $2
         FOR UPDATE${wait ? "" : " SKIP LOCKED"}`,
      [workspaceId, pluginId],
    );
    if (row === undefined) return wait ? { kind: "current" } : { kind: "busy" };
    const next: [string, string][] = [];
    let rotated = 0;
    for (const [name, stored] of Object.entries(row.secrets)) {
      if (sealer.isCurrent(stored)) {
        next.push([name, stored]);
        continue;
      }
      const context = { workspaceId, pluginId, name };
      try {
        next.push([name, sealer.seal(sealer.open(stored, context), context)]);
        rotated += 1;
      } catch (error) {
        // Leave the whole row untouched; the message names the secret and key id only.
        return { kind: "failed", reason: error instanceof Error ? error.message : String(error) };
      }
    }
    if (rotated === 0) return { kind: "current" };
    await tx.query("UPDATE workspace_plugins SET secrets = $3::jsonb WHERE workspace_id = $1 AND plugin_id = $2", [
      workspaceId,
      pluginId,
      JSON.stringify(Object.fromEntries(next)),
    ]);
    return { kind: "rotated", secrets: rotated };
  });
}
