import type { PluginSettings } from '@internal/plugin-workspace-isolation-node';

/**
 * What the supervisor writes to a stock plugin process's stdin, as one JSON
 * document, and then closes: never argv, env or a file, since it holds the
 * workspace's secrets.
 */
export interface LaunchSpec {
  readonly pluginId: string;
  readonly workspaceId: string;
  /** The static token only this supervisor holds; the child's only external access. */
  readonly token: string;
  readonly settings: PluginSettings;
}

/** The first line the child prints on stdout once its HTTP server listens. */
export interface ListeningLine {
  readonly listening: number;
}
