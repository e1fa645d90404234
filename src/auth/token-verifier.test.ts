import { describe, expect, it } from "vitest";
import { mintServiceToken } from "./dev-token.js";
import { createTokenVerifier } from "./token-verifier.js";

const SECRET = "a-test-secret-of-at-least-32-bytes-long!!";

describe("createTokenVerifier's memory of verified tokens", () => {
  it("keeps accepting a verified token only until its exp (plus tolerance), never after", async () => {
    let clock = Date.now();
    const verifier = createTokenVerifier({
      mode: "shared-secret",
      secret: SECRET,
      issuer: "orbit-www",
      audience: "orbit-services",
      clockToleranceMs: 5_000,
      now: () => clock,
    });
    const token = await mintServiceToken(SECRET, { userId: "u1", workspaceId: "ws1", ttlSeconds: 120 });
    const header = [`Bearer ${token}`];

    expect(await verifier.verify(header)).toMatchObject({ kind: "authenticated", identity: { userId: "u1", workspaceId: "ws1" } });
    clock += 60_000;
    expect(await verifier.verify(header)).toMatchObject({ kind: "authenticated" });
    clock += 60_000 + 6_000; // past exp + tolerance
    expect(await verifier.verify(header)).toMatchObject({ kind: "rejected", reason: expect.stringMatching(/expired/) });
  });

  it("does not let a tampered copy of a verified token through", async () => {
    const verifier = createTokenVerifier({
      mode: "shared-secret",
      secret: SECRET,
      issuer: "orbit-www",
      audience: "orbit-services",
      clockToleranceMs: 0,
    });
    const token = await mintServiceToken(SECRET, { userId: "u1", workspaceId: "ws1" });
    expect((await verifier.verify([`Bearer ${token}`])).kind).toBe("authenticated");
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), wid: "ws2" })).toString(
      "base64url",
    );
    expect((await verifier.verify([`Bearer ${header}.${forged}.${signature}`])).kind).toBe("rejected");
  });
});
