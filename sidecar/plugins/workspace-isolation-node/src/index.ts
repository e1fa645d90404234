/**
 * Node library for Orbit workspace isolation: what plugins import to learn the
 * workspace (and acting user) of the request they serve.
 *
 * @packageDocumentation
 */

export {
  GITHUB_TOKEN_HEADER,
  ORBIT_ID_PATTERN,
  PLUGIN_SETTINGS_HEADER,
  USER_ID_HEADER,
  WORKSPACE_ID_HEADER,
} from '@internal/plugin-workspace-isolation-common';
export {
  workspaceContextServiceRef,
  type PluginSettings,
  type WorkspaceContext,
  type WorkspaceContextService,
} from './WorkspaceContextService';
export {
  createPluginErrorHandler,
  type PluginErrorStatus,
} from './errorResponses';
// Plugins re-throw egress refusals from their HTTP clients (see @internal/egress-node).
export { EgressRefusedError, findEgressRefusal } from '@internal/egress-node';
