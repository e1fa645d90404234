import { describe, expect, it } from "vitest";
import { createSecretSealer, envelopeKeyId, parseEnvelope } from "./envelope.js";
import { SecretDecryptionError, UnknownKeyError } from "./errors.js";
import { generateKey, parseKeyRing } from "./key-ring.js";

const key1 = generateKey();
const key2 = generateKey();
const ringV1 = parseKeyRing(`k1:${key1}`);
const ringV2 = parseKeyRing(`k1:${key1},k2:${key2}`);
const here = { workspaceId: "ws-a", pluginId: "jira", name: "jira_api_token" };
const plaintext = "tok-3f9a1c-ünïcødé";

/** Flips one bit of the decoded byte at `index` of the ciphertext part. */
function flipCiphertextByte(stored: string, index: number): string {
  const parts = stored.split(".");
  const bytes = Buffer.from(parts[3] as string, "base64url");
  bytes[index] = (bytes[index] as number) ^ 0x01;
  parts[3] = bytes.toString("base64url");
  return parts.join(".");
}

describe("secret envelope", () => {
  it("round-trips and carries the format version and the current key id", () => {
    const sealer = createSecretSealer(ringV2);
    const stored = sealer.seal(plaintext, here);
    expect(stored).toMatch(/^v1\.k2\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(plaintext);
    expect(sealer.open(stored, here)).toBe(plaintext);
    expect(envelopeKeyId(stored)).toBe("k2");
    expect(parseEnvelope(stored)?.iv).toHaveLength(12);
  });

  it("uses a fresh IV for every encryption", () => {
    const sealer = createSecretSealer(ringV1);
    const ivs = new Set(Array.from({ length: 50 }, () => sealer.seal(plaintext, here).split(".")[2]));
    expect(ivs.size).toBe(50);
  });

  it("opens values of older keys while the ring still lists them", () => {
    const old = createSecretSealer(ringV1).seal(plaintext, here);
    const sealer = createSecretSealer(ringV2);
    expect(sealer.isCurrent(old)).toBe(false);
    expect(sealer.open(old, here)).toBe(plaintext);
  });

  it.each([
    ["workspace", { ...here, workspaceId: "ws-b" }],
    ["plugin", { ...here, pluginId: "deployment" }],
    ["secret name", { ...here, name: "github_token" }],
  ])("refuses a value moved to another %s", (_what, elsewhere) => {
    const sealer = createSecretSealer(ringV1);
    const stored = sealer.seal(plaintext, here);
    expect(() => sealer.open(stored, elsewhere)).toThrow(SecretDecryptionError);
  });

  it("reports a flipped byte as a SecretDecryptionError naming secret, plugin and workspace", () => {
    const sealer = createSecretSealer(ringV1);
    const stored = sealer.seal(plaintext, here);
    const length = Buffer.from(stored.split(".")[3] as string, "base64url").length;
    // First byte of the ciphertext and last byte of the tag.
    for (const index of [0, length - 1]) {
      const tampered = flipCiphertextByte(stored, index);
      expect(tampered).not.toBe(stored);
      let caught: unknown;
      try {
        sealer.open(tampered, here);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SecretDecryptionError);
      expect((caught as Error).message).toBe(
        "secret jira_api_token of plugin jira in workspace ws-a failed authentication: " +
          "the stored value was altered or encrypted for another row",
      );
      expect((caught as Error).message).not.toContain(plaintext);
    }
  });

  it.each([
    ["a truncated tag", (s: string) => s.slice(0, -4)],
    ["an altered IV", (s: string) => s.replace(/^(v1\.k1\.)(.)/, (_m, p: string, c: string) => p + (c === "A" ? "B" : "A"))],
    ["an unknown format version", (s: string) => s.replace(/^v1\./, "v9.")],
    ["garbage", () => "not-an-envelope"],
  ])("reports %s as a SecretDecryptionError", (_what, alter) => {
    const sealer = createSecretSealer(ringV1);
    const stored = alter(sealer.seal(plaintext, here));
    expect(() => sealer.open(stored, here)).toThrow(SecretDecryptionError);
  });

  it("names an unknown key id", () => {
    const stored = createSecretSealer(ringV2).seal(plaintext, here);
    const sealer = createSecretSealer(ringV1);
    expect(() => sealer.open(stored, here)).toThrow(UnknownKeyError);
    expect(() => sealer.open(stored, here)).toThrow(/key id "k2", which ORBIT_SECRETS_KEYS does not list \(it lists: k1\)/);
  });

  it("does not open a value under another key of the same id", () => {
    const stored = createSecretSealer(ringV1).seal(plaintext, here);
    const impostor = createSecretSealer(parseKeyRing(`k1:${generateKey()}`));
    expect(() => impostor.open(stored, here)).toThrow(SecretDecryptionError);
  });

  it("compares a stored value with a candidate plaintext", () => {
    const sealer = createSecretSealer(ringV1);
    const stored = sealer.seal(plaintext, here);
    expect(sealer.holds(stored, plaintext, here)).toBe(true);
    expect(sealer.holds(stored, `${plaintext}x`, here)).toBe(false);
  });
});
