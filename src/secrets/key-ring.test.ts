import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { KeyRingError } from "./errors.js";
import { generateKey, KeyRing, loadKeyRing, parseKeyRing } from "./key-ring.js";

const k1 = generateKey();
const k2 = generateKey();

function parseError(text: string): KeyRingError {
  try {
    parseKeyRing(text);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyRingError);
    return error as KeyRingError;
  }
  throw new Error("parseKeyRing accepted a malformed ring");
}

describe("key ring", () => {
  it("generates base64 keys of 32 random bytes", () => {
    expect(Buffer.from(k1, "base64")).toHaveLength(32);
    expect(k1).not.toBe(k2);
  });

  it("encrypts with the last key and knows every key", () => {
    const ring = parseKeyRing(` k1:${k1} , k2:${k2} `);
    expect(ring.currentKeyId).toBe("k2");
    expect(ring.keyIds).toEqual(["k1", "k2"]);
    expect(ring.has("k1")).toBe(true);
    expect(ring.has("k3")).toBe(false);
  });

  it("never prints key material when logged or serialised", () => {
    const ring = parseKeyRing(`k1:${k1}`);
    const hex = Buffer.from(k1, "base64").toString("hex");
    for (const shown of [inspect(ring, { depth: 10, showHidden: true }), JSON.stringify(ring), String(ring)]) {
      expect(shown).not.toContain(k1);
      expect(shown).not.toContain(hex);
    }
  });

  it.each([
    ["empty", "", /is empty/],
    ["stray comma", `k1:${k1},`, /entry 2 is empty/],
    ["no id", k1, /entry 1 is not <id>:<base64 key>/],
    ["bad id charset", `k.1:${k1}`, /entry 1: the key id must be 1-32 letters/],
    ["id too long", `${"k".repeat(33)}:${k1}`, /entry 1: the key id must be 1-32 letters/],
    ["no key", "k1:", /key "k1" has no key after the colon/],
    ["bad base64", `k1:${k1.slice(0, -4)}!!!!`, /entry 1: key "k1" is not valid base64/],
    ["short key", `k1:${Buffer.alloc(16, 7).toString("base64")}`, /key "k1" is 16 bytes; AES-256-GCM needs exactly 32/],
    ["long key", `k1:${Buffer.alloc(48, 7).toString("base64")}`, /key "k1" is 48 bytes/],
    ["duplicate id", `k1:${k1},k1:${k2}`, /key id "k1" appears more than once/],
  ])("rejects a ring with %s, naming the problem but never the key", (_case, text, message) => {
    const error = parseError(text);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(k1);
    expect(error.message).not.toContain(k2);
  });

  it("does not echo a malformed id, which may be a pasted key", () => {
    const error = parseError(`${k2}:${k1}`);
    expect(error.message).not.toContain(k2.slice(0, 8));
  });

  it("rejects direct construction with a bad id without echoing it", () => {
    expect(() => new KeyRing([{ id: "a:b", key: new Uint8Array(32) }])).toThrow(/every key id must be/);
    expect(() => new KeyRing([])).toThrow(/holds no keys/);
  });

  it("loads from the environment, treating unset or blank as not configured", () => {
    expect(loadKeyRing({})).toBeUndefined();
    expect(loadKeyRing({ ORBIT_SECRETS_KEYS: "  " })).toBeUndefined();
    expect(loadKeyRing({ ORBIT_SECRETS_KEYS: `k1:${k1}` })?.currentKeyId).toBe("k1");
    expect(() => loadKeyRing({ ORBIT_SECRETS_KEYS: "k1:nope" })).toThrow(KeyRingError);
  });
});
