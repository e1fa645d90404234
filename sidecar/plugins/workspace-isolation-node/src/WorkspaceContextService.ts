import { createServiceRef } from '@backstage/backend-plugin-api';
import type { Request } from 'express';

/**
 * Who and where a plugin request acts: the Orbit workspace and, if the gateway
 * forwarded them, the acting user and that user's GitHub token.
 */
export interface WorkspaceContext {
  /** Validated `X-Orbit-Workspace-Id`; always present. */
  readonly workspaceId: string;
  /** Validated `X-Orbit-User-Id`, or `null` when the gateway sent none. */
  readonly userId: string | null;
  /**
   * The acting user's own GitHub token from `X-Orbit-GitHub-Token`, if any.
   *
   * SECRET: never log it, never put it in a response or an error message. It
   * is a non-enumerable property, so `JSON.stringify(ctx)`, `{ ...ctx }` and
   * log metadata built from the context leave it out; read it explicitly
   * (`ctx.githubToken`) only where you call GitHub.
   */
  readonly githubToken?: string;
  /**
   * The workspace's configuration of the called plugin, from
   * `X-Orbit-Plugin-Config`, or `undefined` when the gateway sent none.
   *
   * SECRET (the `secrets` part): non-enumerable like `githubToken`; never log
   * it, never put it in a response or an error message.
   */
  readonly pluginSettings?: PluginSettings;
}

/** A plugin's configuration in one workspace, as the gateway stores it. */
export interface PluginSettings {
  readonly config: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
}

/**
 * Plugin-scoped service giving a plugin the workspace context of the request
 * it is handling.
 *
 * Depending on this service also puts the workspace isolation middleware in
 * front of every route of the plugin: requests without a well-formed
 * `X-Orbit-Workspace-Id` are rejected with 400 before they reach the plugin's
 * own handlers, and every request is logged and counted.
 */
export interface WorkspaceContextService {
  /**
   * The workspace context of a request that reached one of this plugin's
   * routes. Rejects if the request did not pass the isolation middleware (for
   * example a handler mounted outside the plugin's `httpRouter`).
   */
  fromRequest(req: Request<any, any, any, any, any>): Promise<WorkspaceContext>;
}

/**
 * Reference to the workspace context service.
 *
 * There is deliberately no default implementation: a backend that forgets to
 * install `workspaceContextServiceFactory` (from
 * `@internal/plugin-workspace-isolation-backend`) fails at startup instead of
 * serving plugin routes without isolation.
 */
export const workspaceContextServiceRef = createServiceRef<WorkspaceContextService>({
  id: 'orbit.workspaceContext',
  scope: 'plugin',
});
