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
