import { NotFoundError } from '@backstage/errors';
import type { Version } from '@internal/plugin-deployment-common';
import type { WorkspaceContext } from '@internal/plugin-workspace-isolation-node';
import type { VersionInfo } from '../provider/DeploymentProvider';
import type { DeploymentDeps } from './deps';

/**
 * Versions a service can deploy, from the repository of one of its
 * environments (default: the first in pipeline order): its tags and the last
 * commits of the environment's ref, filtered by `query` (in the name or
 * message, or as a SHA prefix); or exactly the commit
 * `sha` names (404 when the repository has no such commit).
 */
export async function findVersions(
  deps: DeploymentDeps,
  context: WorkspaceContext,
  service: string,
  options: { query?: string; sha?: string; environment?: string; limit: number },
): Promise<Version[]> {
  const environments = await deps.store.listEnvironments(context.workspaceId, service);
  const environment = options.environment
    ? environments.find(candidate => candidate.name === options.environment)
    : environments[0];
  if (!environment) {
    throw new NotFoundError(
      options.environment
        ? `No environment "${options.environment}" is configured for service "${service}"`
        : `No environments are configured for service "${service}"`,
    );
  }
  const access = await deps.access(context, 'read', environment.githubApiUrl);

  if (options.sha) {
    try {
      return [toVersion(await deps.provider.getCommit(access, environment.repository, options.sha))];
    } catch (error) {
      if (error instanceof NotFoundError) {
        throw new NotFoundError(`sha: ${environment.repository} has no commit ${options.sha}`);
      }
      throw error;
    }
  }

  const versions = await deps.provider.listVersions(access, environment.repository, environment.ref, options.limit);
  const needle = options.query?.toLowerCase();
  return versions
    .filter(
      version =>
        !needle ||
        version.name.toLowerCase().includes(needle) ||
        version.sha.toLowerCase().startsWith(needle) ||
        (version.message?.toLowerCase().includes(needle) ?? false),
    )
    .map(toVersion);
}

/** The provider's versions already have the API's shape; only readonly-ness differs. */
function toVersion(version: VersionInfo): Version {
  return { ...version };
}
