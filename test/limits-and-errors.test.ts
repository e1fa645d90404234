import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, pluginsClient, startGateway } from "./support/gateway.js";
import type { RunningGateway } from "./support/gateway.js";
import { errorOf } from "./support/calls.js";

let gw: RunningGateway;
let token: string;
beforeAll(async () => {
  gw = await startGateway({ MAX_REQUEST_BYTES: "2048", MAX_DEADLINE: "5s" });
  token = await gw.token({ workspaceId: "ws-a", admin: true });
});
afterAll(async () => gw.close());

const post = (path: string, body: string | Uint8Array, contentType: string) =>
  fetch(`${gw.url}${path}`, { method: "POST", headers: { "content-type": contentType, authorization: `Bearer ${token}` }, body });

describe("limits", () => {
  it("refuses a request message over MAX_REQUEST_BYTES with RESOURCE_EXHAUSTED", async () => {
    const error = await errorOf(
      pluginsClient("grpc", gw.url).updatePluginConfig(
        { workspaceId: "ws-a", pluginId: "jira", config: { big: "x".repeat(4096) } },
        bearer(token),
      ),
    );
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/2048/);
  });

  it("refuses a deadline longer than MAX_DEADLINE with INVALID_ARGUMENT", async () => {
    const error = await errorOf(
      pluginsClient("connect-json", gw.url).listPlugins({ workspaceId: "ws-a" }, { ...bearer(token), timeoutMs: 60_000 }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
  });
});

describe("clear errors for bad input", () => {
  it("answers malformed JSON with invalid_argument", async () => {
    const response = await post("/idp.plugins.v1.PluginsService/ListPlugins", "{not json", "application/json");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid_argument" });
  });

  it("answers a malformed protobuf body with a Connect error that says so", async () => {
    // connect-es classifies undecodable binary messages as internal (a schema mismatch).
    const response = await post("/idp.plugins.v1.PluginsService/ListPlugins", new Uint8Array([0x0a, 0xff, 0xff]), "application/proto");
    expect(await response.json()).toMatchObject({ code: "internal", message: expect.stringMatching(/^parse binary: /) });
  });

  it("answers an unknown field type with invalid_argument naming the field", async () => {
    const response = await post("/idp.plugins.v1.PluginsService/ListPlugins", JSON.stringify({ workspaceId: 42 }), "application/json");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid_argument", message: expect.stringContaining("workspace_id") });
  });

  it("answers an unknown procedure with unimplemented for Connect", async () => {
    const response = await post("/idp.plugins.v1.PluginsService/Nope", "{}", "application/json");
    expect(await response.json()).toMatchObject({
      code: "unimplemented",
      message: expect.stringContaining("/idp.plugins.v1.PluginsService/Nope"),
    });
  });

  it("answers an unknown procedure with grpc-status 12 for gRPC-Web", async () => {
    const response = await post("/idp.plugins.v1.PluginsService/Nope", new Uint8Array([0, 0, 0, 0, 0]), "application/grpc-web+proto");
    expect(response.status).toBe(200);
    expect(response.headers.get("grpc-status")).toBe("12");
  });

  it("answers an unknown plugin with NOT_FOUND and a hint", async () => {
    const error = await errorOf(pluginsClient("grpc-web", gw.url).getPlugin({ workspaceId: "ws-a", pluginId: "nope" }, bearer(token)));
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toContain("ListPlugins");
  });

  it("answers an unknown category with INVALID_ARGUMENT listing the categories", async () => {
    const error = await errorOf(
      pluginsClient("connect-binary", gw.url).listPlugins({ workspaceId: "ws-a", category: "games" }, bearer(token)),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain("project-management");
  });

  it("never answers with a stack trace", async () => {
    const response = await post("/idp.plugins.v1.PluginsService/ListPlugins", "{not json", "application/json");
    expect(await response.text()).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});

describe("the catalogue", () => {
  it("filters by category and explicit enabled_only", async () => {
    const client = pluginsClient("connect-json", gw.url);
    const ciCd = await client.listPlugins({ workspaceId: "ws-a", category: "ci-cd" }, bearer(token));
    expect(ciCd.plugins.map((plugin) => plugin.id)).toEqual(["deployment", "sonarqube", "jenkins", "argocd", "github-actions"]);
    const enabled = await client.listPlugins({ workspaceId: "ws-a", enabledOnly: true }, bearer(token));
    expect(enabled.plugins).toEqual([]);
    const disabled = await client.listPlugins({ workspaceId: "ws-a", enabledOnly: false }, bearer(token));
    expect(disabled.plugins).toHaveLength(7);
  });

  it("returns a plugin's metadata, JSON schema and endpoints", async () => {
    const client = pluginsClient("grpc", gw.url);
    const { plugin } = await client.getPlugin({ workspaceId: "ws-a", pluginId: "deployment" }, bearer(token));
    expect(plugin?.apiBasePath).toBe("/api/deployment");
    expect(plugin?.metadata?.requiredConfigKeys).toEqual(["github_api_url"]);
    const schema = await client.getPluginSchema({ pluginId: "jira" }, bearer(token));
    // Secrets are named (never valued) so a form can offer write-only fields.
    expect(JSON.parse(schema.jsonSchema)).toMatchObject({
      type: "object",
      required: ["base_url", "email"],
      "x-orbit-secret-keys": ["api_token"],
    });
    expect(schema.endpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`)).toEqual([
      "GET /health",
      "GET /issues",
      "GET /rest/api/3/search/jql",
      "GET /rest/api/3/issue/{issueIdOrKey}",
      "GET /rest/api/3/project/{projectIdOrKey}",
    ]);
  });
});

describe("logging", () => {
  it("writes one structured line per RPC without the token", async () => {
    const before = gw.logLines.length;
    await pluginsClient("grpc", gw.url).listPlugins(
      { workspaceId: "ws-a" },
      { headers: { authorization: `Bearer ${token}`, "x-request-id": "req-123" } },
    );
    const lines = gw.logLines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
    const rpc = lines.filter((line) => line.msg === "rpc");
    expect(rpc).toHaveLength(1);
    expect(rpc[0]).toMatchObject({
      reqId: "req-123",
      procedure: "/idp.plugins.v1.PluginsService/ListPlugins",
      protocol: "grpc",
      workspace: "ws-a",
      user: "user-1",
      code: "ok",
      durationMs: expect.any(Number),
    });
    expect(gw.logLines.join("\n")).not.toContain(token);
  });

  it("logs the error code of a refused call", async () => {
    const before = gw.logLines.length;
    await errorOf(pluginsClient("connect-json", gw.url).listPlugins({ workspaceId: "ws-b" }, bearer(token)));
    const rpc = gw.logLines
      .slice(before)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === "rpc");
    expect(rpc).toEqual([expect.objectContaining({ code: "permission_denied", workspace: "ws-a" })]);
  });
});
