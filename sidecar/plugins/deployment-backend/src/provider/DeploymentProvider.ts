/**
 * What the deployment routes need from a CI/CD system's runs: repositories,
 * workflows, versions, dispatch, run status, reviews, pull requests. GitHub
 * Actions is the only implementation, and the seam is narrower than "any CI
 * system": outside this interface the service layer still speaks GitHub —
 * credentials are resolved by `../github/credentials` (workspace token, GitHub
 * App, the user's own GitHub token) in `service/access.ts`, GitHub's errors are
 * mapped in `service/errorHandler.ts`, the API base URL is normalised the
 * GitHub way in `service/router.ts`, and the contract's fields are GitHub's
 * (`githubEnvironment`, `githubApiUrl`, workflow_dispatch input names). A
 * second provider (GitLab pipelines, say) would need those three behind this
 * interface first; docs/architecture.md lists them.
 *
 * Every method takes the `ProviderAccess` of the request (where the API is and
 * whose credential acts) and throws the errors of `../github/errors` (or any
 * `@backstage/errors` error) so that routes answer with the right status.
 */

import type { DeploymentState } from '@internal/plugin-deployment-common';

/** Where the provider's API is and who acts, resolved per request. */
export interface ProviderAccess {
  /** API base URL, e.g. https://api.github.com or https://ghe.example/api/v3. */
  readonly baseUrl: string;
  /** Whose credential acts; see `resolveProviderAccess` in ../github/credentials. */
  readonly credential: ProviderCredential;
}

export interface ProviderCredential {
  /** `user`: the caller's own token; `token`/`app`: the workspace's credential. */
  readonly kind: 'user' | 'token' | 'app';
  /**
   * Stable, non-secret identity of the credential (e.g. a SHA-256 prefix of a
   * token, or `app:<appId>:<installationId>`): the key of ETag caches and
   * coalescing, so one identity never sees another's cached answers.
   */
  readonly identity: string;
  /** The `Authorization` header value to send (may mint an installation token). */
  authorization(): Promise<string>;
  /**
   * Forget a cached, derived token (a GitHub App installation token) so the
   * next `authorization()` mints a new one; called after a 401. Absent for
   * plain tokens.
   */
  invalidate?(): void;
  /**
   * GitHub App credentials only: the `Authorization` value that acts as the
   * App itself (a short-lived JWT), for app-level endpoints such as `GET /app`.
   */
  appAuthorization?(): Promise<string>;
}

/** Where a deployment runs: the parts of an environment a provider needs. */
export interface DeploymentTarget {
  /** "owner/name" */
  readonly repository: string;
  /** Workflow file name or numeric id. */
  readonly workflow: string;
  /** Branch or tag the dispatch runs on. */
  readonly ref: string;
  readonly job: string | null;
  readonly githubEnvironment: string | null;
}

export interface RepositoryInfo {
  readonly fullName: string;
  readonly defaultBranch: string;
  readonly htmlUrl: string;
}

export interface WorkflowInfo {
  readonly id: number;
  readonly name: string;
  readonly path: string;
  readonly state: string;
  /** Whether the workflow file declares `on: workflow_dispatch` (on `ref` when given). */
  readonly acceptsDispatch: boolean;
  /** Declared workflow_dispatch inputs. */
  readonly inputs: readonly string[];
  readonly htmlUrl: string;
}

export interface VersionInfo {
  readonly kind: 'tag' | 'commit';
  readonly name: string;
  readonly sha: string;
  readonly message: string | null;
  readonly author: string | null;
  readonly committedAt: string | null;
  readonly htmlUrl: string;
}

export interface TriggerRequest {
  readonly target: DeploymentTarget;
  /** Every workflow input, version and environment included (at most 25). */
  readonly inputs: Readonly<Record<string, string>>;
}

/** A run as the provider sees it; `state` is the pipeline reading of status+conclusion. */
export interface RunInfo {
  readonly runId: number;
  readonly status: string;
  readonly conclusion: string | null;
  /** A run has started, so it is never `pending` (that is a recorded deployment before its run is known). */
  readonly state: Exclude<DeploymentState, 'pending'>;
  readonly headSha: string | null;
  readonly actor: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly apiUrl: string;
  readonly htmlUrl: string;
}

export interface JobInfo {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly conclusion: string | null;
  readonly htmlUrl: string;
}

export interface ApprovalGate {
  readonly environmentId: number;
  readonly environmentName: string;
  readonly reviewers: ReadonlyArray<{
    readonly type: 'User' | 'Team';
    readonly name: string;
    readonly htmlUrl: string | null;
  }>;
  readonly waitTimerMinutes: number;
  readonly waitTimerStartedAt: string | null;
  readonly currentUserCanApprove: boolean;
}

export interface RunStatus {
  readonly run: RunInfo;
  /** The target's job, when one is configured and has started. */
  readonly job: JobInfo | null;
  /** Gates the run waits at (empty unless `run.state === 'waiting_approval'`). */
  readonly approvals: readonly ApprovalGate[];
}

export interface PullRequestInfo {
  readonly number: number;
  readonly title: string;
  readonly state: 'open' | 'closed' | 'merged';
  readonly author: string | null;
  readonly createdAt: string;
  readonly url: string;
}

export interface DeploymentProvider {
  /** Checks the credential and returns the acting login (or app slug). */
  authenticate(access: ProviderAccess): Promise<{ login: string }>;
  /** NotFoundError when the repository does not exist or is not visible. */
  getRepository(access: ProviderAccess, repository: string): Promise<RepositoryInfo>;
  listWorkflows(access: ProviderAccess, repository: string): Promise<WorkflowInfo[]>;
  /** NotFoundError when the workflow does not exist. */
  getWorkflow(access: ProviderAccess, repository: string, workflow: string, ref?: string): Promise<WorkflowInfo>;
  /** Tags and the last `limit` commits of `ref`, newest first. */
  listVersions(access: ProviderAccess, repository: string, ref: string, limit: number): Promise<VersionInfo[]>;
  /** One commit by full or abbreviated SHA; NotFoundError when absent. */
  getCommit(access: ProviderAccess, repository: string, sha: string): Promise<VersionInfo>;
  /**
   * Dispatches the workflow and returns the run it started, without fixed
   * sleeps (run details from the dispatch answer, else found by listing runs).
   */
  triggerDeployment(access: ProviderAccess, request: TriggerRequest): Promise<RunInfo>;
  /**
   * The run, the target's job and pending approval gates. `expectWaiting`: the run
   * was last seen waiting at a gate, so its gates may be asked for alongside it.
   */
  getDeploymentStatus(
    access: ProviderAccess,
    target: DeploymentTarget,
    runId: number,
    options?: { expectWaiting?: boolean },
  ): Promise<RunStatus>;
  /** Approves or rejects every gate of the run the credential may review. */
  reviewDeployment(
    access: ProviderAccess,
    target: DeploymentTarget,
    runId: number,
    decision: 'approve' | 'reject',
    comment: string,
  ): Promise<{ environments: string[] }>;
  listPullRequests(
    access: ProviderAccess,
    repository: string,
    state: 'open' | 'closed' | 'merged',
  ): Promise<PullRequestInfo[]>;
}
