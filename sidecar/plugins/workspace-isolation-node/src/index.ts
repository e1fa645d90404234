/**
 * Node library for Orbit workspace isolation: what plugins import to learn the
 * workspace (and acting user) of the request they serve.
 *
 * @packageDocumentation
 */

export {
  GITHUB_TOKEN_HEADER,
  ORBIT_ID_PATTERN,
  USER_ID_HEADER,
  WORKSPACE_ID_HEADER,
} from './headers';
export {
  workspaceContextServiceRef,
  type WorkspaceContext,
  type WorkspaceContextService,
} from './WorkspaceContextService';
