import { describe, expect, it } from "vitest";
import { mergeConfig } from "./merge.js";

describe("merge semantics", () => {
  const current = { url: "https://a.example", project: "ORB" };

  it("sets given keys, removes keys given as empty strings, keeps keys not given", () => {
    const outcome = mergeConfig(current, { url: "https://b.example", project: "", team: "core" });
    expect(outcome.next).toEqual({ url: "https://b.example", team: "core" });
    expect(outcome.changedKeys).toEqual(["project", "team", "url"]);
  });

  it("reports nothing changed when values are resent or absent keys removed", () => {
    const outcome = mergeConfig(current, { url: "https://a.example", missing: "" });
    expect(outcome.next).toEqual(current);
    expect(outcome.changedKeys).toEqual([]);
    expect(mergeConfig(current, undefined).changedKeys).toEqual([]);
  });

  it("does not modify its input", () => {
    const input = { ...current };
    mergeConfig(input, { url: "" });
    expect(input).toEqual(current);
  });

  it("stores a key named __proto__ like any other", () => {
    const outcome = mergeConfig({}, JSON.parse('{"__proto__": "x"}') as Record<string, string>);
    expect(Object.keys(outcome.next)).toEqual(["__proto__"]);
    expect(JSON.stringify(outcome.next)).toBe('{"__proto__":"x"}');
  });
});
