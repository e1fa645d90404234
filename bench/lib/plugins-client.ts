import { createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { PluginsService } from "../../src/gen/idp/plugins/v1/plugins_pb.js";

export type PluginsClient = Client<typeof PluginsService>;
export type ClientProtocol = "connect-json" | "connect-binary" | "grpc";

/** A PluginsService client of the gateway at baseUrl (Connect over HTTP/1.1, or gRPC over h2c). */
export function pluginsClient(baseUrl: string, protocol: ClientProtocol = "connect-json"): PluginsClient {
  const transport =
    protocol === "grpc"
      ? createGrpcTransport({ baseUrl })
      : createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: protocol === "connect-binary" });
  return createClient(PluginsService, transport);
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** Enables the deployment plugin in a workspace with the given configuration and secrets (needs an admin token). */
export async function enableDeployment(
  client: PluginsClient,
  adminToken: string,
  workspaceId: string,
  config: Record<string, string>,
  secrets: Record<string, string> = {},
): Promise<void> {
  const headers = bearer(adminToken);
  await client.enablePlugin({ workspaceId, pluginId: "deployment", config }, { headers });
  if (Object.keys(secrets).length > 0) {
    await client.updatePluginConfig({ workspaceId, pluginId: "deployment", config: {}, secrets }, { headers });
  }
}
