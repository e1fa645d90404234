/**
 * HTTP headers set by the Orbit plugins gateway on every call it forwards to
 * the sidecar. Node.js lower-cases incoming header names, so these constants
 * are lower-case; HTTP header names are case-insensitive on the wire
 * (`X-Orbit-Workspace-Id` and `x-orbit-workspace-id` are the same header).
 *
 * Plugins must NOT read these headers themselves: they get the validated
 * values from the `workspaceContext` service (see `workspaceContextServiceRef`).
 * The constants are exported for the isolation layer, for tests and for
 * callers (the gateway) that need the exact names.
 */

/** Required. The Orbit workspace the request acts in. */
export const WORKSPACE_ID_HEADER = 'x-orbit-workspace-id';

/** Optional. The Orbit user on whose behalf the gateway calls. */
export const USER_ID_HEADER = 'x-orbit-user-id';

/**
 * Optional. The acting user's own GitHub token. Secret: it is exposed to
 * plugins through the workspace context and must never be logged or echoed.
 */
export const GITHUB_TOKEN_HEADER = 'x-orbit-github-token';

/**
 * Optional. The workspace's configuration of the plugin being called, as the
 * gateway keeps it: base64url of `{"config":{...},"secrets":{...}}` with the
 * secrets decrypted. Secret: exposed to plugins through the workspace context
 * (`pluginSettings`) and never logged or echoed.
 */
export const PLUGIN_SETTINGS_HEADER = 'x-orbit-plugin-config';

/**
 * Shape of a workspace id and of a user id: starts with an ASCII letter or
 * digit, followed by up to 127 letters, digits, `.`, `_`, `:` or `-`.
 */
export const ORBIT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
