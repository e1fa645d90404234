import type {
  DeleteEnvironmentResult,
  DeploymentRunResult,
  EnvironmentInput,
  EnvironmentsResponse,
  HistoryResponse,
  Pipeline,
  PullRequestsResponse,
  ReviewInput,
  ReviewResult,
  RollbackInput,
  RollbackResult,
  ServicesResponse,
  TriggerInput,
  UpsertEnvironmentResult,
  VersionsResponse,
  WorkflowsResponse,
} from './api.js';

/**
 * The deployment plugin's route table: the one description of its HTTP API.
 * The plugin's Express router registers exactly these routes; the gateway
 * builds its typed client, its path building and the catalogue's `endpoints`
 * (GetPlugin) from it. Paths are Express templates below `/api/deployment`;
 * `:name` is one percent-encoded path segment. Success is 200 with the
 * `DeploymentResponses` body; error statuses are in `api.ts`.
 *
 * Kept free of imports other than types (no Backstage, no Express), so the
 * gateway compiles it into its own build without the sidecar's packages.
 */
export const deploymentRoutes = {
  health: {
    method: 'GET',
    path: '/health',
    description: 'Plugin health.',
    exampleResponse: '{"status":"ok"}',
  },
  listServices: {
    method: 'GET',
    path: '/services',
    description: 'Services with configured environments.',
    exampleResponse:
      '{"services":[{"name":"checkout","environments":["staging","production"],"repositories":["acme/checkout"]}]}',
  },
  listEnvironments: {
    method: 'GET',
    path: '/services/:service/environments',
    description: 'Environments of a service in pipeline order.',
  },
  upsertEnvironment: {
    method: 'PUT',
    path: '/services/:service/environments/:environment',
    description: 'Create or replace an environment (validated against GitHub).',
  },
  deleteEnvironment: {
    method: 'DELETE',
    path: '/services/:service/environments/:environment',
    description: 'Remove an environment (its history stays).',
  },
  listWorkflows: {
    method: 'GET',
    path: '/workflows',
    description: 'Workflows of a repository and whether each accepts workflow_dispatch.',
    query: [
      { name: 'repository', required: true, description: 'owner/name' },
      { name: 'githubApiUrl', required: false, description: 'GitHub REST base URL' },
    ],
  },
  listVersions: {
    method: 'GET',
    path: '/services/:service/versions',
    description: 'Tags and recent commits to deploy.',
    query: [
      { name: 'query', required: false, description: 'Filter by name or message' },
      { name: 'sha', required: false, description: 'A commit SHA typed by hand' },
      { name: 'environment', required: false, description: 'Environment whose ref lists commits' },
    ],
  },
  trigger: {
    method: 'POST',
    path: '/services/:service/environments/:environment/deployments',
    description: 'Trigger a deployment of a version.',
  },
  pipeline: {
    method: 'GET',
    path: '/services/:service/pipeline',
    description: 'Every environment with its state, version, active run and pending approvals.',
  },
  review: {
    method: 'POST',
    path: '/services/:service/environments/:environment/reviews',
    description: "Approve or reject a waiting run (the user's own GitHub token).",
  },
  history: {
    method: 'GET',
    path: '/services/:service/history',
    description: 'Past deployments, newest first.',
    query: [
      { name: 'environment', required: false, description: 'One environment only' },
      { name: 'pageSize', required: false, description: '1-100' },
      { name: 'pageToken', required: false, description: 'From nextPageToken' },
    ],
  },
  rollback: {
    method: 'POST',
    path: '/services/:service/environments/:environment/rollbacks',
    description: 'Re-deploy an earlier successful version.',
  },
  pullRequests: {
    method: 'GET',
    path: '/pull-requests',
    description: 'Pull requests of a repository.',
    query: [
      { name: 'repository', required: true, description: 'owner/name' },
      { name: 'state', required: false, description: 'open, closed or merged' },
    ],
  },
} as const;

export type DeploymentRouteName = keyof typeof deploymentRoutes;

/** The 200 body of each route. */
export interface DeploymentResponses {
  health: { status: 'ok' };
  listServices: ServicesResponse;
  listEnvironments: EnvironmentsResponse;
  upsertEnvironment: UpsertEnvironmentResult;
  deleteEnvironment: DeleteEnvironmentResult;
  listWorkflows: WorkflowsResponse;
  listVersions: VersionsResponse;
  trigger: DeploymentRunResult;
  pipeline: Pipeline;
  review: ReviewResult;
  history: HistoryResponse;
  rollback: RollbackResult;
  pullRequests: PullRequestsResponse;
}

/** The JSON body of the routes that take one. */
export interface DeploymentBodies {
  upsertEnvironment: EnvironmentInput;
  trigger: TriggerInput;
  review: ReviewInput;
  rollback: RollbackInput;
}
