import { InputError, NotFoundError } from '@backstage/errors';
import type { DeploymentRecord, HistoryResponse } from '@internal/plugin-deployment-common';
import type { WorkspaceContext } from '@internal/plugin-workspace-isolation-node';
import { type DeploymentCursor, type DeploymentRow, FINAL_STATES } from '../database/DeploymentStore';
import type { DeploymentDeps } from './deps';
import { refreshDeployment } from './tracking';

export { DEFAULT_PAGE_SIZE } from '@internal/plugin-deployment-common';

/** Opaque to callers: base64url of the last row's (createdAt, id). */
export function encodePageToken(cursor: DeploymentCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

export function decodePageToken(token: string): DeploymentCursor {
  const invalid = () => new InputError('pageToken is not a token from a previous history page');
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    !Number.isSafeInteger(parsed[1])
  ) {
    throw invalid();
  }
  const createdAt = new Date(parsed[0]);
  if (Number.isNaN(createdAt.getTime())) throw invalid();
  return { createdAt, id: parsed[1] as number };
}

/**
 * Deployments of a service, newest first. Runs not finished when last seen
 * are read from GitHub again (and written back) before they are shown.
 */
export async function listHistory(
  deps: DeploymentDeps,
  context: WorkspaceContext,
  service: string,
  options: { environment?: string; pageSize: number; pageToken?: string },
): Promise<HistoryResponse> {
  const { workspaceId } = context;
  const after = options.pageToken === undefined ? undefined : decodePageToken(options.pageToken);
  const rows = await deps.store.listDeployments(workspaceId, service, {
    environment: options.environment,
    limit: options.pageSize + 1,
    after,
  });
  if (rows.length === 0 && after === undefined) {
    const environments = await deps.store.listEnvironments(workspaceId, service);
    if (environments.length === 0) {
      throw new NotFoundError(`No environments are configured for service "${service}"`);
    }
  }
  const page = await refreshUnfinished(deps, context, service, rows.slice(0, options.pageSize));
  const last = page[page.length - 1];
  return {
    deployments: page.map(toRecord),
    ...(rows.length > options.pageSize && last ? { nextPageToken: encodePageToken(last) } : {}),
  };
}

async function refreshUnfinished(
  deps: DeploymentDeps,
  context: WorkspaceContext,
  service: string,
  rows: DeploymentRow[],
): Promise<DeploymentRow[]> {
  if (rows.every(row => FINAL_STATES.has(row.state))) return rows;
  const environments = new Map(
    (await deps.store.listEnvironments(context.workspaceId, service)).map(environment => [
      environment.name,
      environment,
    ]),
  );
  return Promise.all(
    rows.map(async row => {
      const environment = environments.get(row.environment);
      // A deleted environment's runs stay as they were last seen.
      if (FINAL_STATES.has(row.state) || !environment) return row;
      const access = await deps.access(context, 'read', environment.githubApiUrl);
      return (await refreshDeployment(deps, context.workspaceId, access, environment, row)).row;
    }),
  );
}

function toRecord(row: DeploymentRow): DeploymentRecord {
  return {
    runId: row.runId,
    environment: row.environment,
    version: row.version,
    sha: row.sha,
    state: row.state,
    actor: row.actor,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    htmlUrl: row.htmlUrl,
    rollbackOfRunId: row.rollbackOfRunId,
  };
}
