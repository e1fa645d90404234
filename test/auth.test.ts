import { createServer } from "node:http";
import type { Server } from "node:http";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRANSPORTS, bearer, pluginsClient, startGateway } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";
import { codeOf } from "./support/calls.js";

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
const goodClaims = () => ({ iss: "orbit-www", aud: "orbit-services", sub: "user-1", wid: "ws-a", iat: now(), exp: now() + 120 });

async function hs256(secret: string, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));
}

let gw: RunningGateway;
beforeAll(async () => {
  // The attack battery is many unauthenticated calls from one address.
  gw = await startGateway({ RATE_LIMIT_UNAUTHENTICATED_MAX: "1000" });
});
afterAll(async () => gw.close());

describe("Orbit service token", () => {
  const list = (headers: Record<string, string>) => pluginsClient("connect-json", gw.url).listPlugins({ workspaceId: "ws-a" }, { headers });

  it("accepts the token exactly as Orbit mints it", async () => {
    const token = await hs256(gw.secret, { ...goodClaims(), jti: crypto.randomUUID() });
    expect(await codeOf(list({ authorization: `Bearer ${token}` }))).toBe("ok");
  });

  const attacks: [string, () => Promise<Record<string, string>>][] = [
    ["no token", async () => ({})],
    ["alg none", async () => ({ authorization: `Bearer ${b64url({ alg: "none" })}.${b64url(goodClaims())}.` })],
    [
      "an RS256 token where HS256 is configured",
      async () => {
        const { privateKey } = await generateKeyPair("RS256");
        const token = await new SignJWT(goodClaims()).setProtectedHeader({ alg: "RS256" }).sign(privateKey);
        return { authorization: `Bearer ${token}` };
      },
    ],
    ["a wrong signature", async () => ({ authorization: `Bearer ${await hs256("x".repeat(40), goodClaims())}` })],
    [
      "an expired token",
      async () => ({ authorization: `Bearer ${await hs256(gw.secret, { ...goodClaims(), iat: now() - 600, exp: now() - 300 })}` }),
    ],
    ["nbf in the future", async () => ({ authorization: `Bearer ${await hs256(gw.secret, { ...goodClaims(), nbf: now() + 300 })}` })],
    [
      "a missing exp",
      async () => {
        const { exp: _omitted, ...claims } = goodClaims();
        return { authorization: `Bearer ${await hs256(gw.secret, claims)}` };
      },
    ],
    ["a wrong iss", async () => ({ authorization: `Bearer ${await hs256(gw.secret, { ...goodClaims(), iss: "evil" })}` })],
    ["a wrong aud", async () => ({ authorization: `Bearer ${await hs256(gw.secret, { ...goodClaims(), aud: "other" })}` })],
    [
      "malformed base64",
      async () => {
        const [, payload, signature] = (await hs256(gw.secret, goodClaims())).split(".");
        return { authorization: `Bearer e*y!J.${payload}.${signature}` };
      },
    ],
    ["two segments", async () => ({ authorization: `Bearer ${(await hs256(gw.secret, goodClaims())).split(".").slice(0, 2).join(".")}` })],
    ["four segments", async () => ({ authorization: `Bearer ${await hs256(gw.secret, goodClaims())}.extra` })],
    [
      "an oversized token",
      async () => ({ authorization: `Bearer ${await hs256(gw.secret, { ...goodClaims(), pad: "a".repeat(10_000) })}` }),
    ],
    ["a non-Bearer scheme", async () => ({ authorization: `Basic ${Buffer.from("a:b").toString("base64")}` })],
    ["two tokens in one header", async () => ({ authorization: `Bearer ${await hs256(gw.secret, goodClaims())}, Bearer x.y.z` })],
  ];

  it.each(attacks)("rejects %s with UNAUTHENTICATED", async (_name, headers) => {
    expect(await codeOf(list(await headers()))).toBe(Code.Unauthenticated);
  });

  it("rejects a token sent in a second Authorization header", async () => {
    const valid = await hs256(gw.secret, goodClaims());
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${gw.url}/idp.plugins.v1.PluginsService/ListPlugins`, { method: "POST" }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.setHeader("content-type", "application/json");
      req.setHeader("authorization", [`Bearer ${valid}`, `Bearer ${valid}`]);
      req.end(JSON.stringify({ workspaceId: "ws-a" }));
    });
    expect(status).toBe(401);
    expect(JSON.parse(body)).toMatchObject({ code: "unauthenticated", message: expect.stringContaining("more than one") });
  });

  it.each(TRANSPORTS)("reports UNAUTHENTICATED over %s", async (kind) => {
    expect(await codeOf(pluginsClient(kind, gw.url).listPlugins({ workspaceId: "ws-a" }))).toBe(Code.Unauthenticated);
  });

  it("never echoes the token in the error", async () => {
    const token = await hs256("y".repeat(40), goodClaims());
    const error = ConnectError.from(await list({ authorization: `Bearer ${token}` }).catch((e: unknown) => e));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).not.toContain(token.split(".")[1]);
    expect(gw.logLines.join("\n")).not.toContain(token);
  });
});

describe("workspace and admin checks", () => {
  it("refuses a token of workspace A asking about workspace B with PERMISSION_DENIED", async () => {
    const token = await gw.token({ workspaceId: "ws-a" });
    const client = pluginsClient("connect-json", gw.url);
    expect(await codeOf(client.listPlugins({ workspaceId: "ws-b" }, bearer(token)))).toBe(Code.PermissionDenied);
    expect(await codeOf(client.getPlugin({ workspaceId: "ws-b", pluginId: "jira" }, bearer(token)))).toBe(Code.PermissionDenied);
  });

  it("refuses a missing workspace_id with INVALID_ARGUMENT", async () => {
    const token = await gw.token({ workspaceId: "ws-a" });
    expect(await codeOf(pluginsClient("grpc", gw.url).listPlugins({}, bearer(token)))).toBe(Code.InvalidArgument);
  });

  it("refuses workspace-scoped calls from a token without wid", async () => {
    const token = await gw.token({});
    const client = pluginsClient("connect-json", gw.url);
    expect(await codeOf(client.listPlugins({ workspaceId: "ws-a" }, bearer(token)))).toBe(Code.PermissionDenied);
    expect(await codeOf(client.getPluginSchema({ pluginId: "jira" }, bearer(token)))).toBe("ok");
  });

  it.each([
    ["enablePlugin", { workspaceId: "ws-a", pluginId: "jira" }],
    ["disablePlugin", { workspaceId: "ws-a", pluginId: "jira" }],
    ["updatePluginConfig", { workspaceId: "ws-a", pluginId: "jira" }],
  ] as const)("refuses a non-admin %s with PERMISSION_DENIED", async (method, request) => {
    const token = await gw.token({ workspaceId: "ws-a" });
    const client = pluginsClient("connect-json", gw.url);
    expect(await codeOf(client[method](request, bearer(token)))).toBe(Code.PermissionDenied);
  });

  it.each([
    ["adm: true", { admin: true }],
    ['role: "admin"', { role: "admin" }],
  ])("lets a write through the gate for %s", async (_name, claims) => {
    const token = await gw.token({ workspaceId: "ws-a", ...claims });
    const code = await codeOf(
      pluginsClient("connect-json", gw.url).disablePlugin({ workspaceId: "ws-a", pluginId: "jira" }, bearer(token)),
    );
    expect(code).not.toBe(Code.PermissionDenied);
    expect(code).not.toBe(Code.Unauthenticated);
  });

  it("drops nothing into identity from a client-supplied workspace header", async () => {
    const token = await gw.token({ workspaceId: "ws-a" });
    const client = pluginsClient("connect-json", gw.url);
    const forged = { headers: { authorization: `Bearer ${token}`, "x-orbit-workspace-id": "ws-b" } };
    expect(await codeOf(client.listPlugins({ workspaceId: "ws-b" }, forged))).toBe(Code.PermissionDenied);
  });
});

describe("JWKS mode", () => {
  let jwksServer: Server;
  let jwks: RunningGateway;
  let signingKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  let publicPem: string;

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256", { extractable: true });
    signingKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    jwksServer = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    const { port } = jwksServer.address() as AddressInfo;
    jwks = await startGateway({ ORBIT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` });
  });
  afterAll(async () => {
    await jwks.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const list = (token: string) => pluginsClient("grpc", jwks.url).listPlugins({ workspaceId: "ws-a" }, bearer(token));

  it("accepts an RS256 token signed by a key of the JWKS", async () => {
    const token = await new SignJWT(goodClaims()).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(signingKey);
    expect(await codeOf(list(token))).toBe("ok");
  });

  it("rejects the HS/RS key confusion: an HS256 token keyed with the public key", async () => {
    const token = await hs256(publicPem, goodClaims());
    expect(await codeOf(list(token))).toBe(Code.Unauthenticated);
  });

  it("rejects an RS256 token signed by a key outside the JWKS", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT(goodClaims()).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(privateKey);
    expect(await codeOf(list(token))).toBe(Code.Unauthenticated);
  });
});
