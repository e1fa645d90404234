import { NotFoundError } from '@backstage/errors';
import type { DeploymentRun, Environment } from '@internal/plugin-deployment-common';
import type { DeploymentRow, DeploymentStore } from '../database/DeploymentStore';
import type { DeploymentProvider, DeploymentTarget } from '../provider/DeploymentProvider';
import type { AccessResolver } from './access';

/** What the deployment operations work with; one instance per plugin. */
export interface DeploymentDeps {
  store: DeploymentStore;
  provider: DeploymentProvider;
  access: AccessResolver;
  now: () => Date;
}

/** The environment, or a 404 naming it. */
export async function requireEnvironment(
  store: DeploymentStore,
  workspaceId: string,
  service: string,
  name: string,
): Promise<Environment> {
  const environment = await store.getEnvironment(workspaceId, service, name);
  if (!environment) {
    throw new NotFoundError(`No environment "${name}" is configured for service "${service}"`);
  }
  return environment;
}

/**
 * Where a run of this environment lives. `repository` is the row's, which can
 * differ from the environment's when the configuration changed since.
 */
export function targetOf(environment: Environment, repository: string = environment.repository): DeploymentTarget {
  return {
    repository,
    workflow: environment.workflow,
    ref: environment.ref,
    job: environment.job,
    githubEnvironment: environment.githubEnvironment,
  };
}

export function toDeploymentRun(row: DeploymentRow): DeploymentRun {
  return {
    runId: row.runId,
    environment: row.environment,
    version: row.version ?? '',
    state: row.state,
    apiUrl: row.apiUrl,
    htmlUrl: row.htmlUrl,
  };
}
