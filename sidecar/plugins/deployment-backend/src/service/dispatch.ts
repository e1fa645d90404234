import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { DeploymentRunResult, Environment, RollbackResult } from '@internal/plugin-deployment-common';
import type { WorkspaceContext } from '@internal/plugin-workspace-isolation-node';
import type { DeploymentRow } from '../database/DeploymentStore';
import type { ProviderAccess } from '../provider/DeploymentProvider';
import { type DeploymentDeps, targetOf, toDeploymentRun } from './deps';
import { refreshDeployment } from './tracking';

/** The environment input value that means "the workflow takes no environment input". */
const NO_ENVIRONMENT_INPUT = '-';

/**
 * The workflow inputs of a deployment: the version and the environment name
 * under the environment's configured input names, plus the caller's flags.
 */
export function workflowInputs(
  environment: Environment,
  version: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const inputs: Record<string, string> = { [environment.versionInput]: version };
  if (environment.environmentInput !== NO_ENVIRONMENT_INPUT) {
    inputs[environment.environmentInput] = environment.name;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (name in inputs) {
      throw new InputError(
        `inputs.${name} is set by the deployment itself (the ${name === environment.versionInput ? 'version' : 'environment'}); do not pass it as an extra input`,
      );
    }
    inputs[name] = value;
  }
  // How many inputs and characters the provider accepts is the provider's rule
  // (GitHub: 25 inputs, 65,535 characters); it checks them before dispatching.
  return inputs;
}

/**
 * The commit a version stands for, for the history and the pipeline's
 * "current SHA". Best effort: a version the repository does not know (for
 * example an image tag the workflow understands) still deploys, without a SHA.
 */
async function versionSha(
  deps: DeploymentDeps,
  access: ProviderAccess,
  repository: string,
  version: string,
): Promise<string | null> {
  if (/^[0-9a-f]{40}$/i.test(version)) return version.toLowerCase();
  try {
    return (await deps.provider.getCommit(access, repository, version)).sha;
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

/** Dispatches the environment's workflow with `version` and records the deployment. */
export async function startDeployment(
  deps: DeploymentDeps,
  context: WorkspaceContext,
  environment: Environment,
  version: string,
  options: { inputs?: Record<string, string>; rollbackOf?: DeploymentRow } = {},
): Promise<{ row: DeploymentRow; result: DeploymentRunResult }> {
  const inputs = workflowInputs(environment, version, options.inputs);
  const access = await deps.access(context, 'write', environment.githubApiUrl);
  const sha = await versionSha(deps, access, environment.repository, version);
  const run = await deps.provider.triggerDeployment(access, {
    target: targetOf(environment),
    inputs,
  });
  // The acting GitHub login says little when a shared workspace credential
  // dispatched; then the Orbit user is the better answer to "who deployed".
  // With the user's own token it is their login, which GitHub may only name
  // on the first status read (`refreshDeployment` fills it in).
  const actor = access.credential.kind === 'user' ? run.actor : (context.userId ?? run.actor);
  const row = await deps.store.insertDeployment(context.workspaceId, {
    service: environment.service,
    environment: environment.name,
    repository: environment.repository,
    runId: run.runId,
    version,
    sha,
    actor,
    state: run.state,
    htmlUrl: run.htmlUrl,
    apiUrl: run.apiUrl,
    createdAt: deps.now(),
    completedAt: null,
    rollbackOfRunId: options.rollbackOf?.runId ?? null,
  });
  return { row, result: { run: toDeploymentRun(row) } };
}

/**
 * Re-dispatches an earlier successful version: the one of `toRunId`, or the
 * newest successful deployment of a different version than the current one.
 */
export async function rollbackDeployment(
  deps: DeploymentDeps,
  context: WorkspaceContext,
  environment: Environment,
  toRunId: number | undefined,
): Promise<RollbackResult> {
  await refreshUnfinished(deps, context, environment);
  const target =
    toRunId === undefined
      ? await previousSuccess(deps, context.workspaceId, environment)
      : await requestedSuccess(deps, context.workspaceId, environment, toRunId);
  const version = target.version as string;
  const { result } = await startDeployment(deps, context, environment, version, {
    rollbackOf: target,
  });
  return { run: result.run, version, rollbackOfRunId: target.runId };
}

/** Brings unfinished deployments up to date so that "current" is what GitHub says. */
async function refreshUnfinished(
  deps: DeploymentDeps,
  context: WorkspaceContext,
  environment: Environment,
): Promise<void> {
  const unfinished = await deps.store.unfinishedDeployments(context.workspaceId, environment.service, environment.name);
  if (unfinished.length === 0) return;
  const access = await deps.access(context, 'read', environment.githubApiUrl);
  await Promise.all(unfinished.map(row => refreshDeployment(deps, context.workspaceId, access, environment, row)));
}

async function requestedSuccess(
  deps: DeploymentDeps,
  workspaceId: string,
  environment: Environment,
  runId: number,
): Promise<DeploymentRow> {
  const where = `${environment.service}/${environment.name}`;
  const row = await deps.store.findDeployment(workspaceId, environment.service, environment.name, runId);
  if (!row) {
    throw new NotFoundError(`Run ${runId} is not a deployment of ${where}`);
  }
  if (row.state !== 'success' || !row.version) {
    throw new InputError(
      `toRunId: run ${runId} of ${where} did not succeed (state ${row.state}); only a successful deployment can be rolled back to`,
    );
  }
  return row;
}

/** How far back to look for an earlier version. */
const ROLLBACK_SEARCH_DEPTH = 100;

async function previousSuccess(
  deps: DeploymentDeps,
  workspaceId: string,
  environment: Environment,
): Promise<DeploymentRow> {
  const where = `${environment.service}/${environment.name}`;
  const successes = await deps.store.successfulDeployments(
    workspaceId,
    environment.service,
    environment.name,
    ROLLBACK_SEARCH_DEPTH,
  );
  const [current, ...earlier] = successes;
  if (!current) {
    throw new ConflictError(`Nothing to roll back to: ${where} has no successful deployment yet`);
  }
  // Re-deploying the version that is already live would change nothing.
  const target = earlier.find(row => row.version !== null && row.version !== current.version);
  if (!target) {
    throw new ConflictError(
      `Nothing to roll back to: no successful deployment of another version precedes the current one (${current.version ?? 'unknown version'}) of ${where}`,
    );
  }
  return target;
}
