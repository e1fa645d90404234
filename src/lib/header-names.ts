import {
  GITHUB_TOKEN_HEADER,
  PLUGIN_SETTINGS_HEADER,
  USER_ID_HEADER,
  WORKSPACE_ID_HEADER,
} from "../../sidecar/plugins/workspace-isolation-common/src/headers.js";

/**
 * Every HTTP header name the gateway reads or sets, lower-case (HTTP names are
 * case-insensitive; Node lower-cases incoming ones). The X-Orbit-* names are the
 * sidecar isolation layer's own (workspace-isolation-common), compiled in.
 */
export const HEADERS = {
  /** Client → gateway: the acting user's own GitHub OAuth token (optional, secret). */
  userGitHubToken: "x-github-token",
  /** Both ways: the request id, echoed to the client and passed to the sidecar. */
  requestId: "x-request-id",
  authorization: "authorization",
  retryAfter: "retry-after",
  /** Gateway → sidecar: who calls and with which settings; clients can never set them. */
  sidecarWorkspace: WORKSPACE_ID_HEADER,
  sidecarUser: USER_ID_HEADER,
  sidecarGitHubToken: GITHUB_TOKEN_HEADER,
  /** The called plugin's workspace configuration with decrypted secrets (see sidecar/plugin-settings.ts). SECRET. */
  sidecarPluginSettings: PLUGIN_SETTINGS_HEADER,
} as const;
