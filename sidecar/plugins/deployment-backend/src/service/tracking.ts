import { NotFoundError } from '@backstage/errors';
import type { Environment } from '@internal/plugin-deployment-common';
import type { DeploymentRow } from '../database/DeploymentStore';
import type { ProviderAccess, RunStatus } from '../provider/DeploymentProvider';
import { type DeploymentDeps, targetOf } from './deps';
import { deploymentStateOf } from './runState';

/**
 * Reads a deployment's run from the provider and writes its state back to
 * the store when it changed, so later reads (history, rollback) need not ask
 * GitHub about finished runs again.
 *
 * `status` is null when GitHub no longer shows the run (deleted, or the
 * repository moved out of the credential's sight): the row then stays as last
 * seen rather than breaking the whole pipeline or history.
 */
export async function refreshDeployment(
  deps: DeploymentDeps,
  workspaceId: string,
  access: ProviderAccess,
  environment: Environment,
  row: DeploymentRow,
): Promise<{ row: DeploymentRow; status: RunStatus | null }> {
  let status: RunStatus;
  try {
    status = await deps.provider.getDeploymentStatus(access, targetOf(environment, row.repository), row.runId, {
      expectWaiting: row.state === 'waiting_approval',
    });
  } catch (error) {
    if (error instanceof NotFoundError) return { row, status: null };
    throw error;
  }
  const next = deploymentStateOf(status, deps.now());
  // A dispatch with the user's own token may not name its actor yet.
  const actor = row.actor === null ? (status.run.actor ?? undefined) : undefined;
  const changed =
    next.state !== row.state || (row.completedAt === null) !== (next.completedAt === null) || actor !== undefined;
  if (!changed) return { row, status };

  // Keep the first completion time seen; `next.completedAt` may be "now".
  const completedAt = next.completedAt === null ? null : (row.completedAt ?? next.completedAt);
  await deps.store.updateDeployment(workspaceId, row.id, {
    state: next.state,
    completedAt,
    actor,
  });
  return {
    row: { ...row, state: next.state, completedAt, actor: actor ?? row.actor },
    status,
  };
}
