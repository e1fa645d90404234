import { createSecretKey, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { KeyRingError } from "./errors.js";

/** Name of the environment variable holding the key ring. */
export const KEY_RING_ENV = "ORBIT_SECRETS_KEYS";

/** AES-256 needs exactly 32 bytes of key. */
export const KEY_BYTES = 32;

/** Ids end up inside stored values ("v1.<id>.…"), so they must not contain ".", ":" or ",". */
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

export const GENERATE_KEY_COMMAND = `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`;

/**
 * The keys that protect secrets at rest. The last key of ORBIT_SECRETS_KEYS encrypts
 * new values; every key decrypts, so old values stay readable until rotated.
 * Keys are held as KeyObjects in a private field: logging or serialising a ring
 * never prints key material.
 */
export class KeyRing {
  readonly #keys: ReadonlyMap<string, KeyObject>;
  /** Id of the key that encrypts new values (the last one listed). */
  readonly currentKeyId: string;
  /** Every id, in the order listed. */
  readonly keyIds: readonly string[];

  constructor(entries: ReadonlyArray<{ id: string; key: Uint8Array }>) {
    if (entries.length === 0) throw new KeyRingError(`${KEY_RING_ENV} holds no keys`);
    const keys = new Map<string, KeyObject>();
    for (const { id, key } of entries) {
      if (!KEY_ID_PATTERN.test(id)) throw new KeyRingError(`${KEY_RING_ENV}: every key id ${ID_RULE}`);
      if (keys.has(id)) throw new KeyRingError(`${KEY_RING_ENV}: key id "${id}" appears more than once`);
      if (key.length !== KEY_BYTES) throw new KeyRingError(wrongLength(id, key.length));
      keys.set(id, createSecretKey(Buffer.from(key)));
    }
    this.#keys = keys;
    this.keyIds = [...keys.keys()];
    this.currentKeyId = this.keyIds[this.keyIds.length - 1] as string;
  }

  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** The key for an id, or undefined; only the envelope module should need this. */
  key(keyId: string): KeyObject | undefined {
    return this.#keys.get(keyId);
  }

  toJSON(): { keyIds: readonly string[]; currentKeyId: string } {
    return { keyIds: this.keyIds, currentKeyId: this.currentKeyId };
  }
}

const ID_RULE = "must be 1-32 letters, digits, '_' or '-'";

function wrongLength(id: string, length: number): string {
  return (
    `${KEY_RING_ENV}: key "${id}" is ${length} bytes; AES-256-GCM needs exactly ${KEY_BYTES} random bytes ` +
    `(generate one with: ${GENERATE_KEY_COMMAND})`
  );
}

/**
 * Parses "k1:<base64>,k2:<base64>". Errors name the entry and its id, never the key.
 * An id is only echoed when it is well-formed: a malformed "id" may be a pasted key.
 */
export function parseKeyRing(text: string): KeyRing {
  const entries = text.split(",").map((entry) => entry.trim());
  if (entries.length === 1 && entries[0] === "") throw new KeyRingError(`${KEY_RING_ENV} is empty`);
  const parsed = entries.map((entry, index) => {
    const where = `${KEY_RING_ENV} entry ${index + 1}`;
    if (entry === "") throw new KeyRingError(`${where} is empty (remove the stray comma)`);
    const colon = entry.indexOf(":");
    if (colon < 0) throw new KeyRingError(`${where} is not <id>:<base64 key>`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(id)) throw new KeyRingError(`${where}: the key id ${ID_RULE}`);
    if (encoded === "") throw new KeyRingError(`${where}: key "${id}" has no key after the colon`);
    if (!BASE64_PATTERN.test(encoded) || encoded.length % 4 !== 0) {
      throw new KeyRingError(`${where}: key "${id}" is not valid base64`);
    }
    return { id, key: Buffer.from(encoded, "base64") };
  });
  return new KeyRing(parsed);
}

/** The ring from the environment, or undefined when ORBIT_SECRETS_KEYS is unset or blank. */
export function loadKeyRing(env: NodeJS.ProcessEnv = process.env): KeyRing | undefined {
  const raw = env[KEY_RING_ENV];
  if (raw === undefined || raw.trim() === "") return undefined;
  return parseKeyRing(raw);
}

/** A fresh key as ORBIT_SECRETS_KEYS expects it: base64 of 32 random bytes. */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}
