/**
 * A plugin's configuration in one workspace, as the sidecar needs it to act for that
 * workspace: the config map and the DECRYPTED secrets (a GitHub token, a Jira API
 * token…). SECRET: it travels only in the `x-orbit-plugin-config` header of a sidecar
 * request and is never logged, cached or returned.
 */
export interface PluginSettingsPayload {
  readonly config: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
}

/** What the forwarder learns about a plugin before a call. */
export interface PluginSettings {
  /** The workspace's config version of the plugin; part of every cache key, so a new token or URL never meets a stale answer. */
  readonly version: number;
  /** Reads the payload (decrypting secrets) only when a call actually goes upstream; cache hits never decrypt. */
  payload(): Promise<PluginSettingsPayload>;
}

/** Finds the settings of a plugin in a workspace; fails with FAILED_PRECONDITION when the plugin is disabled there. */
export type PluginSettingsSource = (workspaceId: string, pluginId: string) => Promise<PluginSettings>;

/** `x-orbit-plugin-config`: base64url of the JSON `{config, secrets}`, as the sidecar's isolation layer decodes it. */
export function encodePluginSettings(payload: PluginSettingsPayload): string {
  return Buffer.from(JSON.stringify({ config: payload.config, secrets: payload.secrets }), "utf8").toString("base64url");
}
