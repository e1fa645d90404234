import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { ProxyPluginRequestMessageSchema } from "../../src/gen/idp/plugins/v1/plugins_pb.js";
import type { TargetSpec } from "../lib/load/job.js";

/** The route every path of the benchmark reaches: the deployment plugin echoing the caller's workspace. */
export const ROUTE = { plugin: "deployment", basePath: "/api/deployment", endpoint: "/whoami" } as const;
export const WORKSPACE = "ws-bench";
export const USER = "user-bench";
/** What a correct answer of the route contains: the workspace the sidecar saw. */
export const EXPECT = `"workspaceId":"${WORKSPACE}"`;

const PROCEDURE = "/idp.plugins.v1.PluginsService/ProxyPluginRequest";
/**
 * Distinct queries per uncached run, used in turn: more than the load generator ever
 * keeps in flight, so no two requests in flight are identical and none are coalesced.
 */
const DISTINCT_QUERIES = 20_000;

/** The identity headers the gateway sets on its sidecar calls; direct and nginx calls send the same. */
export function sidecarIdentity(serviceToken: string): Record<string, string> {
  return { authorization: `Bearer ${serviceToken}`, "x-orbit-workspace-id": WORKSPACE, "x-orbit-user-id": USER };
}

export function directTarget(origin: string, headers: Record<string, string>): TargetSpec {
  return { kind: "http1-get", origin, path: `${ROUTE.basePath}${ROUTE.endpoint}`, headers, expect: EXPECT };
}

export type GatewayProtocol = "connect-json" | "grpc-h2c";

/**
 * ProxyPluginRequest for the route. Cached runs send one request over and over (every
 * answer after the first comes from the cache); uncached runs rotate through distinct
 * query strings, which the plugin ignores, so every call reaches the sidecar.
 */
export function gatewayTarget(protocol: GatewayProtocol, origin: string, token: string, cached: boolean): TargetSpec {
  const messages = Array.from({ length: cached ? 1 : DISTINCT_QUERIES }, (_, n) =>
    create(ProxyPluginRequestMessageSchema, {
      workspaceId: WORKSPACE,
      pluginId: ROUTE.plugin,
      endpointPath: ROUTE.endpoint,
      httpMethod: "GET",
      queryParams: cached ? {} : { n: String(n) },
    }),
  );
  const headers = { authorization: `Bearer ${token}` };
  if (protocol === "connect-json") {
    return {
      kind: "connect-json",
      origin,
      path: PROCEDURE,
      headers,
      bodies: messages.map((message) => toJsonString(ProxyPluginRequestMessageSchema, message)),
      expect: EXPECT,
      expectFromCache: cached,
    };
  }
  return {
    kind: "grpc-h2c",
    origin,
    path: PROCEDURE,
    headers,
    messagesBase64: messages.map((message) => Buffer.from(toBinary(ProxyPluginRequestMessageSchema, message)).toString("base64")),
    expect: EXPECT,
    expectFromCache: cached,
  };
}
