/** The stored version differs from the one the caller read: someone else wrote first. */
export class VersionConflictError extends Error {
  override readonly name = "VersionConflictError";
  constructor(
    readonly workspaceId: string,
    readonly pluginId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      `plugin ${pluginId} in workspace ${workspaceId} is at version ${actualVersion}, not ${expectedVersion}; ` +
        "re-read it and apply the change again",
    );
  }
}

/** A write named a plugin that is not in plugin_catalogue (syncCatalogue it first). */
export class UnknownPluginError extends Error {
  override readonly name = "UnknownPluginError";
  constructor(readonly pluginId: string) {
    super(`no plugin "${pluginId}" in the stored catalogue`);
  }
}

/** Secrets were written or read but no key ring (ORBIT_SECRETS_KEYS) is configured. */
export class SecretsUnavailableError extends Error {
  override readonly name = "SecretsUnavailableError";
  constructor(action: "store" | "read") {
    super(`cannot ${action} plugin secrets: ORBIT_SECRETS_KEYS is not configured`);
  }
}

/** PostgreSQL cannot be reached (refused, reset, timed out, shutting down): worth a retry. */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
  constructor(cause: unknown) {
    super(`the plugin state database is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
/** SQLSTATEs of a server that is going away or refusing work, not of a bad query. */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);

/** Whether a pg error means "the database is not there right now" rather than "this query is wrong". */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (CONNECTION_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith("08"))) {
    return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|is not queryable|connect ECONNREFUSED/.test(error.message);
}
