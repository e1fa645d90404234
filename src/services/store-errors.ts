import { Code, ConnectError } from "@connectrpc/connect";
import { SecretDecryptionError, UnknownKeyError } from "../secrets/errors.js";
import { SecretsUnavailableError, UnknownPluginError, VersionConflictError } from "../store/errors.js";

/**
 * Store failures as Connect errors a caller can act on. Decryption failures are
 * operator problems: the caller gets INTERNAL with no detail, the log gets the reason.
 */
export function storeErrorToConnect(error: unknown): ConnectError | undefined {
  if (error instanceof VersionConflictError) {
    return new ConnectError(`${error.message}; read the plugin again and retry with its config_version`, Code.Aborted);
  }
  if (error instanceof UnknownPluginError) return new ConnectError(error.message, Code.NotFound);
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
