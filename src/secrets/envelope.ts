import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { SecretDecryptionError, UnknownKeyError } from "./errors.js";
import type { SecretContext } from "./errors.js";
import type { KeyRing } from "./key-ring.js";

/**
 * Stored format: "v1.<key id>.<base64url IV>.<base64url ciphertext ‖ GCM tag>".
 * The format version lets a later scheme coexist with this one; the key id says which
 * key of the ring opens the value, so rotation can proceed row by row.
 */
export const ENVELOPE_VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]+$/;

export interface ParsedEnvelope {
  readonly version: string;
  readonly keyId: string;
  readonly iv: Buffer;
  readonly payload: Buffer;
}

/** Splits a stored value; undefined when it is not a well-formed v1 envelope. */
export function parseEnvelope(value: string): ParsedEnvelope | undefined {
  const parts = value.split(".");
  if (parts.length !== 4) return undefined;
  const [version, keyId, iv, payload] = parts as [string, string, string, string];
  if (version !== ENVELOPE_VERSION || keyId === "" || !B64URL.test(iv) || !B64URL.test(payload)) return undefined;
  const ivBytes = Buffer.from(iv, "base64url");
  const payloadBytes = Buffer.from(payload, "base64url");
  if (ivBytes.length !== IV_BYTES || payloadBytes.length < TAG_BYTES) return undefined;
  return { version, keyId, iv: ivBytes, payload: payloadBytes };
}

/** The key id a stored value names, or undefined for a malformed value. */
export function envelopeKeyId(value: string): string | undefined {
  return parseEnvelope(value)?.keyId;
}

/**
 * Binds a ciphertext to its row and name (and to format and key id): moving a value to
 * another workspace, plugin or secret name makes authentication fail. JSON keeps the
 * encoding unambiguous whatever characters the names hold.
 */
function additionalData(version: string, keyId: string, context: SecretContext): Buffer {
  return Buffer.from(JSON.stringify(["orbit-plugin-secret", version, keyId, context.workspaceId, context.pluginId, context.name]), "utf8");
}

/** Seals and opens secret values; what the store and the rotation use. */
export interface SecretSealer {
  /** Id of the key new values are sealed with. */
  readonly currentKeyId: string;
  seal(plaintext: string, context: SecretContext): string;
  /** @throws SecretDecryptionError, UnknownKeyError */
  open(stored: string, context: SecretContext): string;
  /** True when a value is already sealed with the current key (rotation skips it). */
  isCurrent(stored: string): boolean;
  /** Whether a stored value holds exactly this plaintext (constant time on the plaintexts). */
  holds(stored: string, plaintext: string, context: SecretContext): boolean;
}

export function createSecretSealer(keyRing: KeyRing): SecretSealer {
  const seal = (plaintext: string, context: SecretContext): string => {
    const keyId = keyRing.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", keyRing.key(keyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(ENVELOPE_VERSION, keyId, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return [ENVELOPE_VERSION, keyId, iv.toString("base64url"), ciphertext.toString("base64url")].join(".");
  };

  const open = (stored: string, context: SecretContext): string => {
    const envelope = parseEnvelope(stored);
    if (envelope === undefined) throw new SecretDecryptionError(context, `not a ${ENVELOPE_VERSION} envelope`);
    const key = keyRing.key(envelope.keyId);
    if (key === undefined) throw new UnknownKeyError(envelope.keyId, keyRing.keyIds);
    const tagStart = envelope.payload.length - TAG_BYTES;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, envelope.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(envelope.version, envelope.keyId, context));
      decipher.setAuthTag(envelope.payload.subarray(tagStart));
      const plaintext = Buffer.concat([decipher.update(envelope.payload.subarray(0, tagStart)), decipher.final()]);
      return plaintext.toString("utf8");
    } catch {
      // OpenSSL's own message ("Unsupported state or unable to authenticate data") says nothing useful.
      throw new SecretDecryptionError(context);
    }
  };

  const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

  return {
    currentKeyId: keyRing.currentKeyId,
    seal,
    open,
    isCurrent: (stored) => envelopeKeyId(stored) === keyRing.currentKeyId,
    holds: (stored, plaintext, context) => timingSafeEqual(digest(open(stored, context)), digest(plaintext)),
  };
}
