import type { ClientProtocol } from "../lib/plugins-client.js";
import type { Random } from "./random.js";
import type { FuzzWorkspace } from "./world.js";

export type Procedure =
  | "proxyPluginRequest"
  | "getPluginData"
  | "listPlugins"
  | "getPlugin"
  | "updatePluginConfig"
  | "disablePlugin"
  | "listPluginAuditLog";

/** Whose token a call carries. "no-wid": a valid token without a workspace; "bad-signature": claims a workspace, signed with another key. */
export type TokenKind = "user" | "admin" | "no-wid" | "bad-signature";

export interface FuzzCall {
  /** The kind of attempt, for the report. */
  readonly template: string;
  readonly protocol: ClientProtocol;
  /** The workspace the token really belongs to (undefined for tokens without a valid workspace). */
  readonly callerWorkspace: FuzzWorkspace | undefined;
  readonly callerUserId: string;
  readonly tokenKind: TokenKind;
  /** For "bad-signature" and "no-wid" tokens: the workspace the token claims (bad-signature) or none. */
  readonly claimedWorkspace?: FuzzWorkspace;
  readonly procedure: Procedure;
  readonly request: Record<string, unknown>;
  /** HTTP headers of the RPC itself (besides authorization). */
  readonly headers: Record<string, string>;
  /** Set when a successful answer comes from a route that echoes the caller ("whoami" or "echo"). */
  readonly echoes?: "whoami" | "echo";
}

const PROTOCOLS: readonly ClientProtocol[] = ["connect-json", "connect-binary", "grpc"];
const PLUGIN = "deployment";

/** endpoint_path values that try to leave the plugin, reach another plugin or smuggle a workspace. */
function pathTricks(other: FuzzWorkspace): string[] {
  return [
    "//whoami",
    "/../whoami",
    "/./whoami",
    "/%2e%2e/whoami",
    "/%252e%252e/whoami",
    "/whoami%2f..%2f..%2fjira",
    "/..%2f..%2fjira/issues",
    "/../../.orbit/requests",
    "/../../../api/jira/issues",
    "/whoami/..;/",
    "/whoami;workspace=" + other.id,
    `/whoami?workspace_id=${other.id}`,
    "/whoami#fragment",
    "\\whoami",
    "/whoami%00",
    "whoami",
    "http://127.0.0.1/api/deployment/whoami",
    "/%77hoami",
    "/WHOAMI",
    "/whoami/",
    "/health",
    `/${other.id}/whoami`,
    "/\u2025/whoami",
    " /whoami",
  ];
}

/** Headers a client might try to put in ProxyPluginRequest.headers to pose as someone else. */
function headerTricks(other: FuzzWorkspace): Array<Record<string, string>> {
  return [
    { "x-orbit-workspace-id": other.id },
    { "X-Orbit-Workspace-Id": other.id },
    { "X-ORBIT-USER-ID": other.users[0]?.id ?? "" },
    { "x-orbit-plugin-config": settingsHeader(other) },
    { "x-orbit-github-token": "forged-token" },
    { authorization: "Bearer forged" },
    { host: "evil.example" },
    { cookie: `ws=${other.id}` },
    { "accept\r\nx-orbit-workspace-id": other.id },
    { accept: `application/json\r\nx-orbit-workspace-id: ${other.id}` },
  ];
}

/** What the gateway itself sends the sidecar as x-orbit-plugin-config, forged with another workspace's values. */
function settingsHeader(workspace: FuzzWorkspace): string {
  return Buffer.from(JSON.stringify({ config: workspace.config, secrets: workspace.secrets })).toString("base64url");
}

/** RPC headers that must not change whom the gateway acts for. */
function forgedRpcHeaders(other: FuzzWorkspace): Record<string, string> {
  return {
    "x-orbit-workspace-id": other.id,
    "x-orbit-user-id": other.users[0]?.id ?? "",
    "x-orbit-plugin-config": settingsHeader(other),
    "x-orbit-github-token": "forged-token",
    "x-forwarded-for": "10.0.0.1",
  };
}

/** Builds random calls, each from one of the templates below. */
export function createCallFactory(random: Random, workspaces: readonly FuzzWorkspace[]) {
  const otherThan = (workspace: FuzzWorkspace) => {
    const others = workspaces.filter((candidate) => candidate !== workspace);
    return random.pick(others);
  };

  const templates: Array<(own: FuzzWorkspace, other: FuzzWorkspace) => Omit<FuzzCall, "protocol">> = [
    (own) => ({
      ...asUser(own),
      template: "proxy /whoami (own workspace)",
      procedure: "proxyPluginRequest",
      request: { workspaceId: own.id, pluginId: PLUGIN, endpointPath: "/whoami" },
      headers: random.chance(0.3) ? { "x-github-token": `gho_${random.hex(20)}` } : {},
      echoes: "whoami",
    }),
    (own, other) => ({
      ...asUser(own),
      template: "proxy /whoami + forged x-orbit-* RPC headers",
      procedure: "proxyPluginRequest",
      request: { workspaceId: own.id, pluginId: PLUGIN, endpointPath: "/whoami" },
      headers: forgedRpcHeaders(other),
      echoes: "whoami",
    }),
    (own, other) => ({
      ...asUser(own),
      template: "proxy, body workspace_id of another workspace",
      procedure: "proxyPluginRequest",
      request: { workspaceId: other.id, pluginId: PLUGIN, endpointPath: "/whoami" },
      headers: random.chance(0.5) ? forgedRpcHeaders(other) : {},
    }),
    (own, other) => ({
      ...asUser(own),
      template: "proxy, forged headers map",
      procedure: "proxyPluginRequest",
      request: { workspaceId: own.id, pluginId: PLUGIN, endpointPath: "/whoami", headers: random.pick(headerTricks(other)) },
      headers: {},
      echoes: "whoami",
    }),
    (own, other) => ({
      ...asUser(own),
      template: "proxy, endpoint_path trick",
      procedure: "proxyPluginRequest",
      request: { workspaceId: own.id, pluginId: PLUGIN, endpointPath: random.pick(pathTricks(other)) },
      headers: {},
      echoes: "whoami",
    }),
    (own, other) => ({
      ...asUser(own),
      template: "proxy, query naming another workspace",
      procedure: "proxyPluginRequest",
      request: {
        workspaceId: own.id,
        pluginId: PLUGIN,
        endpointPath: "/whoami",
        queryParams: { workspace_id: other.id, "x-orbit-workspace-id": other.id },
      },
      headers: {},
      echoes: "whoami",
    }),
    (own) => ({
      ...asUser(own),
      template: "proxy POST /echo (own workspace)",
      procedure: "proxyPluginRequest",
      request: {
        workspaceId: own.id,
        pluginId: PLUGIN,
        endpointPath: "/echo",
        httpMethod: "POST",
        headers: { "content-type": "application/json" },
        body: new TextEncoder().encode(JSON.stringify({ n: random.int(1000) })),
      },
      headers: {},
      echoes: "echo",
    }),
    (own, other) => ({
      ...asUser(own),
      template: "proxy, plugin_id trick",
      procedure: "proxyPluginRequest",
      request: {
        workspaceId: own.id,
        pluginId: random.pick(["jira", "../deployment", "Deployment", "deployment/../jira", "", other.id]),
        endpointPath: "/whoami",
      },
      headers: {},
      echoes: "whoami",
    }),
    (own) => ({
      ...asUser(own),
      template: "data /whoami (own workspace)",
      procedure: "getPluginData",
      request: { workspaceId: own.id, pluginId: PLUGIN, params: { path: "/whoami" } },
      headers: {},
      echoes: "whoami",
    }),
    (own, other) => ({
      ...asUser(own),
      template: "data, body workspace_id of another workspace",
      procedure: "getPluginData",
      request: { workspaceId: other.id, pluginId: PLUGIN, params: { path: "/whoami" } },
      headers: forgedRpcHeaders(other),
    }),
    (own, other) => ({
      ...asUser(own),
      template: "data, path trick",
      procedure: "getPluginData",
      request: { workspaceId: own.id, pluginId: PLUGIN, params: { path: random.pick(pathTricks(other)), workspace_id: other.id } },
      headers: {},
      echoes: "whoami",
    }),
    (own, other) => ({
      ...asUser(own),
      template: "ListPlugins (own workspace, forged RPC headers)",
      procedure: "listPlugins",
      request: { workspaceId: own.id },
      headers: random.chance(0.5) ? forgedRpcHeaders(other) : {},
    }),
    (own, other) => ({
      ...asUser(own),
      template: "ListPlugins, another workspace",
      procedure: "listPlugins",
      request: { workspaceId: other.id },
      headers: {},
    }),
    (own, other) => ({
      ...(random.chance(0.5) ? asUser(own) : asAdmin(own)),
      template: "GetPlugin, another workspace",
      procedure: "getPlugin",
      request: { workspaceId: other.id, pluginId: PLUGIN },
      headers: forgedRpcHeaders(other),
    }),
    (own) => ({
      ...asAdmin(own),
      template: "GetPlugin (own workspace, admin)",
      procedure: "getPlugin",
      request: { workspaceId: own.id, pluginId: PLUGIN },
      headers: {},
    }),
    (own, other) => ({
      ...asAdmin(own),
      template: "UpdatePluginConfig, another workspace (admin of own)",
      procedure: "updatePluginConfig",
      request: {
        workspaceId: other.id,
        pluginId: PLUGIN,
        config: { github_api_url: "https://attacker.example.com/api/v3" },
        secrets: { github_token: "attacker-token" },
      },
      headers: forgedRpcHeaders(other),
    }),
    (own, other) => ({
      ...asAdmin(own),
      template: "DisablePlugin, another workspace (admin of own)",
      procedure: "disablePlugin",
      request: { workspaceId: other.id, pluginId: PLUGIN },
      headers: {},
    }),
    (own, other) => ({
      ...asAdmin(own),
      template: "ListPluginAuditLog, another workspace",
      procedure: "listPluginAuditLog",
      request: { workspaceId: other.id, pluginId: "" },
      headers: {},
    }),
    (own) => ({
      ...asUser(own),
      template: "UpdatePluginConfig, own workspace, non-admin",
      procedure: "updatePluginConfig",
      request: { workspaceId: own.id, pluginId: PLUGIN, config: { github_api_url: "https://changed.example.com" } },
      headers: {},
    }),
    (_own, other) => ({
      callerWorkspace: undefined,
      callerUserId: "no-wid-user",
      tokenKind: "no-wid",
      template: "token without a workspace",
      procedure: random.pick(["proxyPluginRequest", "listPlugins", "getPlugin"] as const),
      request: { workspaceId: other.id, pluginId: PLUGIN, endpointPath: "/whoami" },
      headers: forgedRpcHeaders(other),
    }),
    (_own, other) => ({
      callerWorkspace: undefined,
      callerUserId: other.users[0]?.id ?? "",
      tokenKind: "bad-signature",
      claimedWorkspace: other,
      template: "token claiming another workspace, wrong signature",
      procedure: random.pick(["proxyPluginRequest", "listPlugins", "getPlugin"] as const),
      request: { workspaceId: other.id, pluginId: PLUGIN, endpointPath: "/whoami" },
      headers: {},
    }),
  ];

  function asUser(workspace: FuzzWorkspace) {
    const user = random.pick(workspace.users);
    return { callerWorkspace: workspace, callerUserId: user.id, tokenKind: "user" as const };
  }
  function asAdmin(workspace: FuzzWorkspace) {
    return { callerWorkspace: workspace, callerUserId: workspace.admin.id, tokenKind: "admin" as const };
  }

  return (): FuzzCall => {
    const own = random.pick(workspaces);
    const call = random.pick(templates)(own, otherThan(own));
    return { ...call, protocol: random.pick(PROTOCOLS) };
  };
}
