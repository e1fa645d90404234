/**
 * npm run secrets:rotate — re-encrypts every plugin secret under the newest key of
 * ORBIT_SECRETS_KEYS. Safe while the gateway serves; resumable (re-run to continue).
 *
 * Procedure: append a new key to ORBIT_SECRETS_KEYS (k1:…,k2:…) and roll it out to the
 * gateway, run this command until it reports nothing left, then drop the old key.
 *
 * Environment: DATABASE_URL (PostgreSQL) or ORBIT_DATA_DIR (PGlite data directory,
 * default .data/pglite), and ORBIT_SECRETS_KEYS.
 * Flags: --batch-size <n> (rows per page, default 100), --max-rows <n> (stop after n rows).
 */
import { parseArgs } from "node:util";
import { loadKeyRing, KEY_RING_ENV } from "../src/secrets/key-ring.js";
import { rotateSecrets } from "../src/secrets/rotation.js";
import { createDatabase, DEFAULT_PGLITE_DATA_DIR } from "../src/store/database.js";
import { describeUrl } from "../src/store/database-url.js";

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${flag} must be a positive integer`);
  return parsed;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { "batch-size": { type: "string" }, "max-rows": { type: "string" } },
    strict: true,
  });
  const batchSize = positiveInt("batch-size", values["batch-size"]);
  const maxRows = positiveInt("max-rows", values["max-rows"]);

  const keyRing = loadKeyRing();
  if (keyRing === undefined) throw new Error(`${KEY_RING_ENV} is not set; it must list the old keys and the new one last`);

  const url = process.env.DATABASE_URL?.trim() || undefined;
  const dataDir = process.env.ORBIT_DATA_DIR?.trim() || DEFAULT_PGLITE_DATA_DIR;
  console.log(`rotating plugin secrets in ${url ? describeUrl(url) : `PGlite at ${dataDir}`} to key "${keyRing.currentKeyId}"`);

  const db = await createDatabase(url ? { url } : { dataDir });
  const controller = new AbortController();
  // First Ctrl-C: finish the current row and stop cleanly; the next run continues.
  process.once("SIGINT", () => controller.abort());
  try {
    const summary = await rotateSecrets(db, keyRing, { batchSize, maxRows, signal: controller.signal });
    console.log(
      [
        `rows scanned:       ${summary.rowsScanned}`,
        `rows re-encrypted:  ${summary.rowsReencrypted} (${summary.secretsReencrypted} secrets)`,
        `rows already current: ${summary.rowsAlreadyCurrent}`,
        `rows failed:        ${summary.failures.length}`,
      ].join("\n"),
    );
    for (const failure of summary.failures) {
      console.error(`  ${failure.workspaceId}/${failure.pluginId}: ${failure.reason}`);
    }
    if (summary.stoppedEarly) console.log("stopped before the end; run the command again to continue");
    else if (summary.failures.length === 0) console.log(`done: every secret is under key "${summary.targetKeyId}"`);
    return summary.failures.length > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`secrets:rotate failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
