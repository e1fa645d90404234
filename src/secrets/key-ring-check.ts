import type { Database } from "../store/database.js";
import { ENVELOPE_VERSION } from "./envelope.js";
import { KeyRingError } from "./errors.js";
import { KEY_RING_ENV } from "./key-ring.js";
import type { KeyRing } from "./key-ring.js";

/**
 * Start-up check: stops the gateway with a clear message when the database holds
 * secrets this process could not decrypt — no key ring at all, or a ring that lacks a
 * key id the stored values name. Without secrets, running without a ring is fine.
 */
export async function assertKeyRingUsable(db: Database, keyRing: KeyRing | undefined): Promise<void> {
  const rows = await db.query<{ format: string; key_id: string; secrets: number }>(
    `SELECT split_part(s.value, '.', 1) AS format, split_part(s.value, '.', 2) AS key_id, count(*)::int AS secrets
       FROM workspace_plugins wp, jsonb_each_text(wp.secrets) s
      GROUP BY 1, 2
      ORDER BY 2`,
  );
  const total = rows.reduce((sum, row) => sum + row.secrets, 0);
  if (total === 0) return;
  if (keyRing === undefined) {
    throw new KeyRingError(
      `${KEY_RING_ENV} is not set, but the database holds ${total} encrypted plugin secret(s); ` +
        "set it to the key ring they were encrypted with",
    );
  }
  const foreign = rows.filter((row) => row.format !== ENVELOPE_VERSION);
  if (foreign.length > 0) {
    const count = foreign.reduce((sum, row) => sum + row.secrets, 0);
    throw new KeyRingError(
      `the database holds ${count} plugin secret(s) in a format other than ${ENVELOPE_VERSION}; ` +
        "a newer release wrote them, or they were altered",
    );
  }
  const missing = rows.filter((row) => !keyRing.has(row.key_id));
  if (missing.length > 0) {
    const named = missing.map((row) => `"${row.key_id}" (${row.secrets} secret(s))`).join(", ");
    throw new KeyRingError(
      `plugin secrets in the database were encrypted with key id(s) ${named} that ${KEY_RING_ENV} does not list ` +
        `(it lists: ${keyRing.keyIds.join(", ")}); add those keys back to the ring`,
    );
  }
}
