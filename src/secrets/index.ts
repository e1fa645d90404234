export { KeyRing, parseKeyRing, loadKeyRing, generateKey, KEY_RING_ENV, KEY_BYTES, GENERATE_KEY_COMMAND } from "./key-ring.js";
export { createSecretSealer, parseEnvelope, envelopeKeyId, ENVELOPE_VERSION } from "./envelope.js";
export type { SecretSealer, ParsedEnvelope } from "./envelope.js";
export { KeyRingError, SecretDecryptionError, UnknownKeyError } from "./errors.js";
export type { SecretContext } from "./errors.js";
export { assertKeyRingUsable } from "./key-ring-check.js";
export { rotateSecrets } from "./rotation.js";
export type { RotationFailure, RotationOptions, RotationRowEvent, RotationSummary } from "./rotation.js";
