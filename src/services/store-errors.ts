import { Code, ConnectError } from "@connectrpc/connect";
import { SecretDecryptionError, UnknownKeyError } from "../secrets/errors.js";
import type { Logger } from "../lib/logger.js";
import { DatabaseUnavailableError, SecretsUnavailableError, UnknownPluginError, VersionConflictError } from "../store/errors.js";

/**
 * Store failures as Connect errors a caller can act on. Decryption failures are
 * operator problems: the caller gets INTERNAL with no detail, the log gets the reason.
 */
export function storeErrorToConnect(error: unknown): ConnectError | undefined {
  if (error instanceof VersionConflictError) {
    return new ConnectError(`${error.message}; read the plugin again and retry with its config_version`, Code.Aborted);
  }
  if (error instanceof UnknownPluginError) return new ConnectError(error.message, Code.NotFound);
  if (error instanceof DatabaseUnavailableError) {
    return new ConnectError("the gateway cannot reach its plugin state database right now; retry shortly", Code.Unavailable);
  }
  if (error instanceof SecretsUnavailableError) {
    return new ConnectError(
      "plugin secrets cannot be stored: the gateway has no key ring (ORBIT_SECRETS_KEYS); ask its operator to configure one",
      Code.FailedPrecondition,
    );
  }
  if (error instanceof SecretDecryptionError || error instanceof UnknownKeyError) {
    return new ConnectError("a stored plugin secret could not be decrypted; the operator has been told", Code.Internal);
  }
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
      if (mapped.code === Code.Unavailable) logger.warn({ err: { message: (error as Error).message } }, "plugin state database unreachable");
      throw mapped;
    }
  };
}
