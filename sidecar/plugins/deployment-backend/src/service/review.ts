import { NotFoundError } from '@backstage/errors';
import type { Environment, ReviewInput, ReviewResult } from '@internal/plugin-deployment-common';
import type { WorkspaceContext } from '@internal/plugin-workspace-isolation-node';
import { type DeploymentDeps, targetOf, toDeploymentRun } from './deps';
import { refreshDeployment } from './tracking';

/**
 * Approves or rejects the approval gates a deployment's run waits at. Only a
 * required reviewer may do that on GitHub, so it always acts with the
 * caller's own token (the access resolver refuses with 412 without one).
 */
export async function reviewDeployment(
  deps: DeploymentDeps,
  context: WorkspaceContext,
  environment: Environment,
  review: ReviewInput,
): Promise<ReviewResult> {
  const access = await deps.access(context, 'review', environment.githubApiUrl);
  const row = await deps.store.findDeployment(context.workspaceId, environment.service, environment.name, review.runId);
  if (!row) {
    throw new NotFoundError(`Run ${review.runId} is not a deployment of ${environment.service}/${environment.name}`);
  }
  const { environments } = await deps.provider.reviewDeployment(
    access,
    targetOf(environment, row.repository),
    row.runId,
    review.decision,
    review.comment ?? '',
  );
  const refreshed = await refreshDeployment(deps, context.workspaceId, access, environment, row);
  return { run: toDeploymentRun(refreshed.row), githubEnvironments: environments };
}
