import type { DeploymentState } from '@internal/plugin-deployment-common';
import type { RunStatus } from '../provider/DeploymentProvider';
import { runStateOf } from '../provider/runState';

const FINAL: ReadonlySet<DeploymentState> = new Set(['success', 'failed', 'cancelled']);

/**
 * How a deployment stands given what the provider says about its run. When the
 * environment names a job, that job's conclusion decides as soon as the job is
 * done (later jobs of the same run may deploy elsewhere); otherwise the run's
 * own state does.
 */
export function deploymentStateOf(status: RunStatus, now: Date): { state: DeploymentState; completedAt: Date | null } {
  const { run, job } = status;
  const state = job && job.status === 'completed' ? runStateOf(job.status, job.conclusion) : run.state;
  if (!FINAL.has(state)) return { state, completedAt: null };
  // A job that finished before its run has no completion time of its own here.
  return { state, completedAt: run.completedAt ? new Date(run.completedAt) : now };
}
