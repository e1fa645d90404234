import type { DeploymentState, Environment } from '@internal/plugin-deployment-common';

/** Where one environment deploys, as written by `PUT .../environments/:environment`. */
export type EnvironmentWrite = Omit<Environment, 'updatedAt'> & {
  updatedAt: Date;
};

/** A deployment the plugin started (trigger or rollback). */
export interface DeploymentRow {
  /** Store-internal id; breaks ties between rows created in the same millisecond. */
  id: number;
  service: string;
  environment: string;
  repository: string;
  runId: number;
  version: string | null;
  sha: string | null;
  actor: string | null;
  state: DeploymentState;
  htmlUrl: string;
  apiUrl: string;
  createdAt: Date;
  completedAt: Date | null;
  rollbackOfRunId: number | null;
}

export type NewDeployment = Omit<DeploymentRow, 'id'>;

/** Position in the newest-first order of deployments: (createdAt, id). */
export interface DeploymentCursor {
  createdAt: Date;
  id: number;
}

export interface ServiceSummary {
  name: string;
  /** Environment names in pipeline order. */
  environments: string[];
  /** Repositories in pipeline order, each once. */
  repositories: string[];
}

/**
 * Persistence of the deployment plugin. Every method takes the workspace id
 * first and only ever reads or writes that workspace's rows.
 */
export interface DeploymentStore {
  listServices(workspaceId: string): Promise<ServiceSummary[]>;
  /** In pipeline order (order, then name). */
  listEnvironments(workspaceId: string, service: string): Promise<Environment[]>;
  getEnvironment(workspaceId: string, service: string, name: string): Promise<Environment | undefined>;
  upsertEnvironment(
    workspaceId: string,
    environment: EnvironmentWrite,
  ): Promise<{ environment: Environment; created: boolean }>;
  deleteEnvironment(workspaceId: string, service: string, name: string): Promise<boolean>;

  insertDeployment(workspaceId: string, row: NewDeployment): Promise<DeploymentRow>;
  /** Records what GitHub now says about a run (and its actor, once known). */
  updateDeployment(
    workspaceId: string,
    id: number,
    update: { state: DeploymentState; completedAt: Date | null; actor?: string },
  ): Promise<void>;
  findDeployment(
    workspaceId: string,
    service: string,
    environment: string,
    runId: number,
  ): Promise<DeploymentRow | undefined>;
  /** The newest deployment of one environment. */
  latestDeployment(workspaceId: string, service: string, environment: string): Promise<DeploymentRow | undefined>;
  /** Successful deployments of one environment, newest first. */
  successfulDeployments(
    workspaceId: string,
    service: string,
    environment: string,
    limit: number,
  ): Promise<DeploymentRow[]>;
  /** Deployments of one environment whose state is not final yet. */
  unfinishedDeployments(workspaceId: string, service: string, environment: string): Promise<DeploymentRow[]>;
  /** Newest first, strictly after `after` in that order when given. */
  listDeployments(
    workspaceId: string,
    service: string,
    options: { environment?: string; limit: number; after?: DeploymentCursor },
  ): Promise<DeploymentRow[]>;
}

/** States after which GitHub will not change a run any more. */
export const FINAL_STATES: ReadonlySet<DeploymentState> = new Set(['success', 'failed', 'cancelled']);
