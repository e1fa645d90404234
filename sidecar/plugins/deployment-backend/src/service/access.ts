import type { WorkspaceContext } from '@internal/plugin-workspace-isolation-node';
import { type AccessPurpose, resolveProviderAccess } from '../github/credentials';
import type { ProviderAccess } from '../provider/DeploymentProvider';

/**
 * Resolves the provider access of a request: the API base URL (the
 * environment's, else the workspace's `github_api_url`, else the backend's
 * `orbit.deployment.githubApiUrl`) and the credential (the user's own token
 * when forwarded, else the workspace's; a review only ever acts with the
 * user's own token).
 */
export type AccessResolver = (
  context: WorkspaceContext,
  purpose: AccessPurpose,
  environmentBaseUrl?: string | null,
) => Promise<ProviderAccess>;

export function createAccessResolver(options: { defaultBaseUrl?: string }): AccessResolver {
  return async (context, purpose, environmentBaseUrl) =>
    resolveProviderAccess({
      context,
      purpose,
      defaultBaseUrl: options.defaultBaseUrl,
      environmentBaseUrl: environmentBaseUrl ?? undefined,
    });
}
