import { createClient } from "@connectrpc/connect";
import type { Client, Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { DeploymentService } from "../gen/idp/plugins/v1/deployments_pb.js";
import { PluginsService } from "../gen/idp/plugins/v1/plugins_pb.js";

/** A value the host hands over directly, or a callback asked before every call (tokens expire). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface GatewayConnection {
  /** The gateway's base URL, e.g. https://plugins.orbit.example. */
  readonly baseUrl: string;
  /** The Orbit service token for the signed-in user (Authorization: Bearer). */
  readonly token: TokenSource;
  /** Optional: the user's own GitHub token, so reads and approvals run with their GitHub rights. */
  readonly githubToken?: TokenSource | undefined;
}

export interface GatewayClients {
  readonly deployments: Client<typeof DeploymentService>;
  readonly plugins: Client<typeof PluginsService>;
}

async function resolve(source: TokenSource | undefined): Promise<string | undefined> {
  return typeof source === "function" ? await source() : source;
}

/** Adds the credentials to every request; they never appear in URLs or logs. */
function credentials(connection: GatewayConnection): Interceptor {
  return (next) => async (request) => {
    const token = await resolve(connection.token);
    if (token) request.header.set("authorization", `Bearer ${token}`);
    const githubToken = await resolve(connection.githubToken);
    if (githubToken) request.header.set("x-github-token", githubToken);
    return next(request);
  };
}

/** Connect-protocol clients of the gateway (JSON over fetch; server streams work over HTTP/1.1). */
export function createGatewayClients(connection: GatewayConnection): GatewayClients {
  const transport = createConnectTransport({ baseUrl: connection.baseUrl, interceptors: [credentials(connection)] });
  return {
    deployments: createClient(DeploymentService, transport),
    plugins: createClient(PluginsService, transport),
  };
}
