/**
 * The deployment plugin's HTTP answers and bodies as the gateway reads and sends them.
 * This mirrors `sidecar/plugins/deployment-common/src/api.ts` (the contract between
 * the sidecar plugin and the gateway); the gateway is built and shipped on its own,
 * so it keeps its own copy of the shapes; test/support/deployment-contract.ts makes
 * any drift between the two a type error. Routes: see routes.ts.
 */
export type DeploymentState =
  | "pending"
  | "queued"
  | "running"
  | "success"
  | "failed"
  | "cancelled"
  | "waiting_approval";

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

export interface Environment extends Required<Omit<EnvironmentInput, "job" | "githubEnvironment" | "githubApiUrl">> {
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
  kind: "tag" | "commit";
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
  type: "User" | "Team";
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
  decision: "approve" | "reject";
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
  state: "open" | "closed" | "merged";
  author: string | null;
  createdAt: string;
  url: string;
}

export interface PullRequestsResponse {
  pullRequests: PullRequest[];
}
