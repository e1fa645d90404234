import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { upstreamError } from "./upstream-errors.js";

const body = (message: string) => new TextEncoder().encode(JSON.stringify({ error: { name: "ServiceUnavailableError", message } }));

describe("upstreamError", () => {
  it("passes a 503's Retry-After on (the sidecar's stock plugin processes all busy)", () => {
    const error = upstreamError("sonarqube", 503, body("all are busy"), { "retry-after": "5" });
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toBe('plugin "sonarqube" answered HTTP 503: all are busy (retry in 5s)');
    expect(error.metadata.get("retry-after")).toBe("5");
  });

  it("leaves a 503 without Retry-After as it was", () => {
    const error = upstreamError("sonarqube", 503, body("failed to start"));
    expect(error.rawMessage).toBe('plugin "sonarqube" answered HTTP 503: failed to start');
    expect(error.metadata.get("retry-after")).toBeNull();
  });
});
