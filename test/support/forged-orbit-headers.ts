import { pluginsClient } from "./gateway.js";
import type { RunningGateway } from "./gateway.js";

/** What a cross-workspace attempt asks the gateway to proxy (the caller's own workspace is added). */
export interface ProxiedCall {
  readonly pluginId: string;
  readonly endpointPath: string;
  readonly httpMethod?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
}

/**
 * ProxyPluginRequest as a member of `caller` that also sends, as call metadata, the sidecar's own
 * `X-Orbit-Workspace-Id` and `X-Orbit-Plugin-Config` headers naming another workspace and its settings
 * (`settings`: the header's base64url JSON): the gateway must not pass them on. Answers the body as text.
 */
export async function proxyWithForgedOrbitHeaders(
  gw: RunningGateway,
  caller: string,
  request: ProxiedCall,
  forged: { workspaceId: string; settings: string },
): Promise<string> {
  const token = await gw.token({ workspaceId: caller });
  const response = await pluginsClient("connect-json", gw.url).proxyPluginRequest(
    { workspaceId: caller, ...request },
    { headers: { authorization: `Bearer ${token}`, "x-orbit-workspace-id": forged.workspaceId, "x-orbit-plugin-config": forged.settings } },
  );
  return new TextDecoder().decode(response.data);
}
