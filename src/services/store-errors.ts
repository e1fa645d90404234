import { Code } from "@connectrpc/connect";
import type { ConnectError } from "@connectrpc/connect";
import { errors } from "../lib/errors.js";
import { SecretDecryptionError, UnknownKeyError } from "../secrets/errors.js";
import type { Logger } from "../lib/logger.js";
import { DatabaseUnavailableError, SecretsUnavailableError, UnknownPluginError, VersionConflictError } from "../store/errors.js";

/**
 * Store failures as Connect errors a caller can act on. Decryption failures are
 * operator problems: the caller gets INTERNAL with no detail, the log gets the reason.
 */
export function storeErrorToConnect(error: unknown): ConnectError | undefined {
  if (error instanceof VersionConflictError) {
    return errors.configVersionConflict(error.message);
  }
  if (error instanceof UnknownPluginError) return errors.pluginNotFound(error.pluginId);
  if (error instanceof DatabaseUnavailableError) return errors.stateDatabaseUnavailable();
  if (error instanceof SecretsUnavailableError) return errors.secretsKeyRingMissing();
  if (error instanceof SecretDecryptionError || error instanceof UnknownKeyError) return errors.secretUndecryptable();
  return undefined;
}

/**
 * Runs a store call, turning store failures into Connect errors; the ones for the
 * operator (undecryptable secrets, an unreachable database) are logged with their reason.
 */
export function createStoreGuard(logger: Logger): <T>(work: () => Promise<T>) => Promise<T> {
  return async (work) => {
    try {
      return await work();
    } catch (error) {
      const mapped = storeErrorToConnect(error);
      if (!mapped) throw error;
      if (mapped.code === Code.Internal) logger.error({ err: error }, "plugin secret could not be decrypted");
      if (mapped.code === Code.Unavailable)
        logger.warn({ err: { message: (error as Error).message } }, "plugin state database unreachable");
      throw mapped;
    }
  };
}
