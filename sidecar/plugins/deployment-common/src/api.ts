/**
 * The HTTP API of the deployment plugin (served under `/api/deployment`),
 * shared by the plugin and its callers (the Orbit plugins gateway maps it onto
 * `idp.plugins.v1.DeploymentService`).
 *
 * Every route is workspace-scoped by the isolation layer; bodies are JSON;
 * timestamps are RFC 3339 strings; errors are Backstage's JSON error shape
 * (`{ error: { name, message }, response: { statusCode } }`) with these statuses:
 * 400 invalid input, 401/403 GitHub refused the credential or the user may not
 * do this, 404 unknown service/environment/repository/workflow/commit,
 * 409 a conflicting write, 412 the workspace has no usable GitHub credential
 * (or a review without the user's own token), 429 GitHub rate limit (with
 * `Retry-After` in seconds), 502/503 GitHub unreachable or failing.
 *
 * Routes:
 * - `GET    /services`                                              → ServicesResponse
 * - `GET    /services/:service/environments`                        → EnvironmentsResponse
 * - `PUT    /services/:service/environments/:environment`            body EnvironmentInput → UpsertEnvironmentResult
 * - `DELETE /services/:service/environments/:environment`            → DeleteEnvironmentResult
 * - `GET    /workflows?repository=owner/name[&githubApiUrl=]`        → WorkflowsResponse
 * - `GET    /services/:service/versions?[query=][&sha=][&environment=]` → VersionsResponse
 * - `POST   /services/:service/environments/:environment/deployments` body TriggerInput → DeploymentRunResult
 * - `GET    /services/:service/pipeline`                             → Pipeline
 * - `POST   /services/:service/environments/:environment/reviews`    body ReviewInput → ReviewResult
 * - `GET    /services/:service/history?[environment=][&pageSize=][&pageToken=]` → HistoryResponse
 * - `POST   /services/:service/environments/:environment/rollbacks`  body RollbackInput → RollbackResult
 * - `GET    /pull-requests?repository=owner/name[&state=open|closed|merged]` → PullRequestsResponse
 *
 * Successful answers are 200 with the body named above. Behaviour the shapes
 * do not show:
 * - Service and environment names match `[a-z0-9][a-z0-9._-]{0,62}`; bodies
 *   are strict (an unknown field is a 400 naming it); "" in an optional field
 *   of `EnvironmentInput` means "not given" (the default applies).
 * - PUT checks GitHub: 404 when the repository or workflow does not exist,
 *   400 when the workflow does not accept `workflow_dispatch` on the ref or
 *   declares inputs without the configured version/environment input names.
 * - `versions?query=` matches a version's name or message (case-insensitive)
 *   or a SHA prefix; `sha=` answers exactly that commit or 404.
 * - `DeploymentRecord.actor`/`ActiveRun.actor`: the GitHub login when the
 *   user's own token dispatched, else the Orbit user id.
 * - History and pipeline read unfinished runs from GitHub again and keep the
 *   result, so a finished deployment costs no further GitHub call in history.
 * - A rollback without `toRunId` re-deploys the newest successful deployment
 *   of a version other than the current one; 409 when there is none.
 */

export type DeploymentState =
  | 'pending'
  | 'queued'
  | 'running'
  | 'success'
  | 'failed'
  | 'cancelled'
  | 'waiting_approval';

export interface EnvironmentInput {
  order: number;
  /** "owner/name" */
  repository: string;
  /** Workflow file name ("deploy.yml") or numeric id. */
  workflow: string;
  job?: string;
  githubEnvironment?: string;
  /** Branch or tag to dispatch on; default "main". */
  ref?: string;
  /** Default "version". */
  versionInput?: string;
  /** Default "environment"; "-" means the workflow takes no environment input. */
  environmentInput?: string;
  /** Default: the workspace's `github_api_url`. */
  githubApiUrl?: string;
}

export interface Environment extends Required<Omit<EnvironmentInput, 'job' | 'githubEnvironment' | 'githubApiUrl'>> {
  service: string;
  name: string;
  job: string | null;
  githubEnvironment: string | null;
  githubApiUrl: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

export interface ServicesResponse {
  services: Array<{ name: string; environments: string[]; repositories: string[] }>;
}

export interface EnvironmentsResponse {
  environments: Environment[];
}

export interface UpsertEnvironmentResult {
  environment: Environment;
  created: boolean;
}

export interface DeleteEnvironmentResult {
  deleted: boolean;
}

export interface Workflow {
  id: number;
  name: string;
  path: string;
  state: string;
  acceptsDispatch: boolean;
  inputs: string[];
  htmlUrl: string;
}

export interface WorkflowsResponse {
  workflows: Workflow[];
}

export interface Version {
  kind: 'tag' | 'commit';
  name: string;
  sha: string;
  message: string | null;
  author: string | null;
  committedAt: string | null;
  htmlUrl: string;
}

export interface VersionsResponse {
  versions: Version[];
}

export interface TriggerInput {
  version: string;
  /** Extra workflow inputs (flags). */
  inputs?: Record<string, string>;
}

export interface DeploymentRun {
  runId: number;
  environment: string;
  version: string;
  state: DeploymentState;
  apiUrl: string;
  htmlUrl: string;
}

export interface DeploymentRunResult {
  run: DeploymentRun;
}

export interface RunJob {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  htmlUrl: string;
}

export interface ActiveRun {
  runId: number;
  version: string | null;
  state: DeploymentState;
  status: string;
  conclusion: string | null;
  actor: string | null;
  startedAt: string | null;
  completedAt: string | null;
  htmlUrl: string;
  job: RunJob | null;
}

export interface Reviewer {
  type: 'User' | 'Team';
  name: string;
  htmlUrl: string | null;
}

export interface PendingApproval {
  githubEnvironmentId: number;
  githubEnvironment: string;
  reviewers: Reviewer[];
  waitTimerMinutes: number;
  waitTimerStartedAt: string | null;
  currentUserCanApprove: boolean;
}

export interface EnvironmentStatus {
  environment: string;
  order: number;
  state: DeploymentState;
  currentVersion: string | null;
  currentSha: string | null;
  deployedAt: string | null;
  activeRun: ActiveRun | null;
  pendingApprovals: PendingApproval[];
  htmlUrl: string;
}

export interface Pipeline {
  service: string;
  environments: EnvironmentStatus[];
  observedAt: string;
}

export interface ReviewInput {
  runId: number;
  decision: 'approve' | 'reject';
  comment?: string;
}

export interface ReviewResult {
  run: DeploymentRun;
  githubEnvironments: string[];
}

export interface DeploymentRecord {
  runId: number;
  environment: string;
  version: string | null;
  sha: string | null;
  state: DeploymentState;
  actor: string | null;
  createdAt: string;
  completedAt: string | null;
  htmlUrl: string;
  rollbackOfRunId: number | null;
}

export interface HistoryResponse {
  deployments: DeploymentRecord[];
  /** Absent on the last page. */
  nextPageToken?: string;
}

export interface RollbackInput {
  /** Default: the last successful deployment before the current one. */
  toRunId?: number;
}

export interface RollbackResult {
  run: DeploymentRun;
  version: string;
  rollbackOfRunId: number;
}

export interface PullRequest {
  number: number;
  title: string;
  state: 'open' | 'closed' | 'merged';
  author: string | null;
  createdAt: string;
  url: string;
}

export interface PullRequestsResponse {
  pullRequests: PullRequest[];
}

/**
 * The workspace's plugin configuration as the gateway forwards it in
 * `X-Orbit-Plugin-Config` (base64url of this JSON): the `deployment` plugin's
 * config keys and decrypted secrets. SECRET: never log or echo it.
 */
export interface DeploymentPluginSettings {
  config: {
    github_api_url?: string;
    github_app_id?: string;
    github_app_installation_id?: string;
  };
  secrets: {
    github_token?: string;
    github_app_private_key?: string;
  };
}
