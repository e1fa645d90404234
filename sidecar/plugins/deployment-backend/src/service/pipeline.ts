import { NotFoundError } from '@backstage/errors';
import type {
  ActiveRun,
  DeploymentState,
  Environment,
  EnvironmentStatus,
  PendingApproval,
  Pipeline,
} from '@internal/plugin-deployment-common';
import type { WorkspaceContext } from '@internal/plugin-workspace-isolation-node';
import type { DeploymentRow } from '../database/DeploymentStore';
import type { RunStatus } from '../provider/DeploymentProvider';
import type { DeploymentDeps } from './deps';
import { workflowRunsUrl } from './links';
import { refreshDeployment } from './tracking';

/**
 * Every environment of a service in pipeline order: the newest deployment's
 * run as GitHub reports it now, the version last deployed successfully, and
 * the approval gates the run waits at.
 */
export async function buildPipeline(
  deps: DeploymentDeps,
  context: WorkspaceContext,
  service: string,
): Promise<Pipeline> {
  const environments = await deps.store.listEnvironments(context.workspaceId, service);
  if (environments.length === 0) {
    throw new NotFoundError(`No environments are configured for service "${service}"`);
  }
  const statuses = await Promise.all(environments.map(environment => environmentStatus(deps, context, environment)));
  return { service, environments: statuses, observedAt: deps.now().toISOString() };
}

async function environmentStatus(
  deps: DeploymentDeps,
  context: WorkspaceContext,
  environment: Environment,
): Promise<EnvironmentStatus> {
  const { workspaceId } = context;
  // The user's own token when forwarded, so `currentUserCanApprove` is theirs.
  const access = await deps.access(context, 'read', environment.githubApiUrl);
  const base = {
    environment: environment.name,
    order: environment.order,
    htmlUrl: workflowRunsUrl(access.baseUrl, environment.repository, environment.workflow),
  };

  const latest = await deps.store.latestDeployment(workspaceId, environment.service, environment.name);
  if (!latest) {
    return {
      ...base,
      state: 'pending',
      currentVersion: null,
      currentSha: null,
      deployedAt: null,
      activeRun: null,
      pendingApprovals: [],
    };
  }

  const { row, status } = await refreshDeployment(deps, workspaceId, access, environment, latest);
  const [current] = await deps.store.successfulDeployments(workspaceId, environment.service, environment.name, 1);
  return {
    ...base,
    state: row.state,
    currentVersion: current?.version ?? null,
    currentSha: current?.sha ?? null,
    deployedAt: current ? (current.completedAt ?? current.createdAt).toISOString() : null,
    activeRun: activeRun(row, status),
    pendingApprovals: status && row.state === 'waiting_approval' ? pendingApprovals(status, environment) : [],
  };
}

/** GitHub's status/conclusion for a stored state, when GitHub no longer shows the run. */
const LAST_SEEN: Record<DeploymentState, { status: string; conclusion: string | null }> = {
  pending: { status: 'unknown', conclusion: null },
  queued: { status: 'queued', conclusion: null },
  running: { status: 'in_progress', conclusion: null },
  waiting_approval: { status: 'waiting', conclusion: null },
  success: { status: 'completed', conclusion: 'success' },
  failed: { status: 'completed', conclusion: 'failure' },
  cancelled: { status: 'completed', conclusion: 'cancelled' },
};

function activeRun(row: DeploymentRow, status: RunStatus | null): ActiveRun {
  const run = status?.run;
  const job = status?.job;
  return {
    runId: row.runId,
    version: row.version,
    state: row.state,
    status: run?.status ?? LAST_SEEN[row.state].status,
    conclusion: run ? run.conclusion : LAST_SEEN[row.state].conclusion,
    actor: row.actor ?? run?.actor ?? null,
    startedAt: run?.startedAt ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
    htmlUrl: run?.htmlUrl ?? row.htmlUrl,
    job: job
      ? {
          id: job.id,
          name: job.name,
          status: job.status,
          conclusion: job.conclusion,
          htmlUrl: job.htmlUrl,
        }
      : null,
  };
}

/** The run's gates; only this environment's GitHub environment when one is configured. */
function pendingApprovals(status: RunStatus, environment: Environment): PendingApproval[] {
  const wanted = environment.githubEnvironment?.toLowerCase();
  return status.approvals
    .filter(gate => !wanted || gate.environmentName.toLowerCase() === wanted)
    .map(gate => ({
      githubEnvironmentId: gate.environmentId,
      githubEnvironment: gate.environmentName,
      reviewers: gate.reviewers.map(reviewer => ({
        type: reviewer.type,
        name: reviewer.name,
        htmlUrl: reviewer.htmlUrl,
      })),
      waitTimerMinutes: gate.waitTimerMinutes,
      waitTimerStartedAt: gate.waitTimerStartedAt,
      currentUserCanApprove: gate.currentUserCanApprove,
    }));
}
