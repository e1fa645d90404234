import { describe, expect, it } from "vitest";
import { memoByIdentity } from "./identity-memo.js";

describe("memoByIdentity", () => {
  it("computes once per argument object, again for an equal but different object, and not for a throw", () => {
    const seen: object[] = [];
    const length = memoByIdentity((bytes: Uint8Array) => {
      seen.push(bytes);
      if (bytes.length === 0) throw new Error("empty");
      return { length: bytes.length };
    });
    const cached = new Uint8Array([1, 2, 3]);
    const first = length(cached);
    expect(length(cached)).toBe(first);
    expect(length(new Uint8Array([1, 2, 3]))).not.toBe(first);
    const empty = new Uint8Array();
    expect(() => length(empty)).toThrow("empty");
    expect(() => length(empty)).toThrow("empty");
    expect(seen).toHaveLength(4);
  });
});
