/**
 * Errors of the secrets layer. None of them ever carries key material or a secret
 * value: messages name key ids, workspaces, plugins and secret names only.
 */

/** ORBIT_SECRETS_KEYS is missing, malformed, or does not fit the secrets stored. */
export class KeyRingError extends Error {
  override readonly name = "KeyRingError";
}

/** A stored value names a key id the ring does not hold. */
export class UnknownKeyError extends Error {
  override readonly name = "UnknownKeyError";
  constructor(
    readonly keyId: string,
    readonly knownKeyIds: readonly string[],
  ) {
    super(
      `a stored secret was encrypted with key id "${keyId}", which ORBIT_SECRETS_KEYS does not list ` +
        `(it lists: ${knownKeyIds.join(", ")}); add that key back to the ring`,
    );
  }
}

/** Where a secret lives; bound into every ciphertext as additional authenticated data. */
export interface SecretContext {
  readonly workspaceId: string;
  readonly pluginId: string;
  readonly name: string;
}

/**
 * A stored value failed authentication (altered, truncated, or copied from another
 * row or secret name). Raised instead of ever returning garbage plaintext.
 */
export class SecretDecryptionError extends Error {
  override readonly name = "SecretDecryptionError";
  readonly workspaceId: string;
  readonly pluginId: string;
  readonly secretName: string;
  constructor(context: SecretContext, detail?: string) {
    super(
      `secret ${context.name} of plugin ${context.pluginId} in workspace ${context.workspaceId} failed authentication: ` +
        `the stored value was altered or encrypted for another row${detail ? ` (${detail})` : ""}`,
    );
    this.workspaceId = context.workspaceId;
    this.pluginId = context.pluginId;
    this.secretName = context.name;
  }
}
