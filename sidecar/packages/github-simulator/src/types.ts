/**
 * Public types of the GitHub simulator: what you seed it with, its options and
 * the in-process control API.
 */

/** Repository permission of a user, as GitHub names the roles. */
export type RepoPermission = 'read' | 'triage' | 'write' | 'maintain' | 'admin';

export interface UserSeed {
  login: string;
  /** Personal access tokens of this user (any string; `ghp_…` looks realistic). */
  tokens: string[];
  id?: number;
  name?: string;
  email?: string;
  type?: 'User' | 'Bot';
  siteAdmin?: boolean;
  /** Primary rate limit per hour for this user; default `rateLimit.limit` (5000). */
  rateLimit?: number;
}

export interface CommitSeed {
  message: string;
  /** Login of a seeded user, or a free name. */
  author?: string;
  /** ISO date-time; default: derived from the seed epoch, one hour per commit. */
  date?: string;
}

/** Where a branch or tag points: a SHA, a branch or tag name, or an index into
 * the default branch history (0 = oldest commit, -1 = head, -2 = one before). */
export type CommitPointer = string | number;

export interface BranchSeed {
  name: string;
  /** Start point; default: head of the default branch. */
  from?: CommitPointer;
  /** Extra commits on top of the start point. */
  commits?: number | CommitSeed[];
  protected?: boolean;
}

export interface TagSeed {
  name: string;
  /** Default: head of the default branch. */
  at?: CommitPointer;
}

export interface WorkflowInputSeed {
  description?: string;
  required?: boolean;
  type?: 'string' | 'choice' | 'boolean' | 'number' | 'environment';
  default?: string | number | boolean;
  options?: string[];
}

export interface JobSeed {
  /** Job id in the YAML and the job name GitHub shows. */
  name: string;
  /** Environment name, or an expression such as `${{ inputs.environment }}`. */
  environment?: string;
  /** Environment URL reported on the deployment status (may use `${{ inputs.x }}`). */
  environmentUrl?: string;
  steps?: string[];
}

export interface WorkflowSeed {
  id?: number;
  /** The workflow's `name:`. */
  name: string;
  /** File name under `.github/workflows/`, e.g. `deploy.yml`. */
  file: string;
  state?: 'active' | 'disabled_manually' | 'disabled_inactivity';
  /** Whether `on:` includes `workflow_dispatch` (default true). */
  dispatch?: boolean;
  inputs?: Record<string, WorkflowInputSeed>;
  /** `run-name:`; may use `${{ inputs.x }}`. Becomes the run's `display_title`. */
  runName?: string;
  /** Jobs, run one after the other (each `needs` the previous one). Default: one job `build`. */
  jobs?: JobSeed[];
  /** Raw YAML served by the contents API instead of the generated file. */
  content?: string;
}

export interface EnvironmentSeed {
  name: string;
  /** Logins of required reviewers (max 6 on GitHub). */
  reviewers?: string[];
  /** Minutes (0–43,200). */
  waitTimer?: number;
  preventSelfReview?: boolean;
}

export interface PullSeed {
  number?: number;
  title: string;
  /** Login of a seeded user. */
  author: string;
  /** Head branch name. */
  head: string;
  base?: string;
  state?: 'open' | 'closed';
  merged?: boolean;
  draft?: boolean;
  body?: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface RepoSeed {
  owner: string;
  name: string;
  id?: number;
  /** Default true. */
  private?: boolean;
  description?: string;
  defaultBranch?: string;
  /** History of the default branch, oldest first: a count of generated commits or explicit ones. Default 5. */
  commits?: number | CommitSeed[];
  branches?: BranchSeed[];
  tags?: TagSeed[];
  workflows?: WorkflowSeed[];
  environments?: EnvironmentSeed[];
  /** login → permission. The owner (when it is a user) is admin. Public repos are readable by everyone. */
  collaborators?: Record<string, RepoPermission>;
  pulls?: PullSeed[];
  /** Extra files (path → text), the same at every ref. */
  files?: Record<string, string>;
}

export interface InstallationSeed {
  id: number;
  /** Account (org or user login) the app is installed on. */
  account: string;
  /** `'all'` (default) or repository names of that account. */
  repositories?: 'all' | string[];
  /** App permissions, e.g. `{ actions: 'write', contents: 'read', deployments: 'read' }`. */
  permissions?: Record<string, 'read' | 'write'>;
  /** Primary rate limit per hour of this installation; default 5000. */
  rateLimit?: number;
}

export interface AppSeed {
  id: number;
  slug?: string;
  name?: string;
  /** Owner login. */
  owner: string;
  /** PEM (SPKI or PKCS#1) public key matching the private key clients sign JWTs with. */
  publicKey: string;
  installations: InstallationSeed[];
}

export interface SimulatorSeed {
  users?: UserSeed[];
  /** Logins that are organizations (owners not listed here and not users become organizations too). */
  orgs?: string[];
  repos?: RepoSeed[];
  apps?: AppSeed[];
}

export interface RateLimitOptions {
  /** Send x-ratelimit-* headers and enforce limits (default true). */
  enabled?: boolean;
  /** Primary limit per hour for users (default 5000). */
  limit?: number;
  /** Primary limit per hour for installations (default 5000). */
  installationLimit?: number;
  /** Primary limit per hour for unauthenticated requests (default 60). */
  anonymousLimit?: number;
  /** Status of a primary rate-limit answer (default 403). */
  status?: 403 | 429;
  /** Add `retry-after` (seconds until the reset) to primary rate-limit answers (default false; GitHub sends only the reset). */
  retryAfter?: boolean;
}

export interface SecondaryRateLimitOptions {
  /** Max concurrent requests per identity (default 100). */
  maxConcurrent?: number;
  /** Points per minute per identity; GET/HEAD 1 point, other methods 5 (default 900). */
  pointsPerMinute?: number;
  /** Content-creating (non-GET) requests per minute per identity (default 80). */
  contentCreationPerMinute?: number;
  /** `retry-after` seconds of a secondary rate-limit answer (default 60). */
  retryAfterSeconds?: number;
  /** Status of a secondary rate-limit answer (default 403). */
  status?: 403 | 429;
}

export interface GitHubSimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A seed, or `'demo'` for the demo seed (see `demoSeed()`). */
  seed?: SimulatorSeed | 'demo';
  /**
   * GitHub Enterprise Server mode: the API is served under `/api/v3`, responses
   * carry `x-github-enterprise-version`, versions up to 3.20 reject
   * `return_run_details` on workflow dispatch (422), versions up to 3.19 accept
   * at most 10 dispatch inputs (as their descriptions say), and no version
   * accepts the 2026-03-10 API version.
   */
  ghesVersion?: string;
  /** In GHES mode, serve the API at the root too (default false). */
  serveRootInGhesMode?: boolean;
  /** Base of `html_url`s (default: the simulator's own URL, where run pages are served). */
  htmlBaseUrl?: string;
  rateLimit?: RateLimitOptions;
  secondaryRateLimit?: SecondaryRateLimitOptions;
  /**
   * A newly dispatched run stays out of run listings for this many listing
   * requests (default 0), like GitHub's short indexing delay.
   */
  runListingLag?: number;
  /**
   * Milliseconds every REST API answer is held back before it is sent (default 0), like
   * the round trip to a distant GitHub; the control API and run pages answer at once.
   */
  responseLatencyMs?: number;
  /** Clock in epoch milliseconds (default `Date.now`); `control.tick()` adds to it. */
  clock?: () => number;
  /** Start of generated commit dates (default 2025-06-02T09:00:00Z). */
  seedEpoch?: string;
}

export type RunStatus = 'queued' | 'in_progress' | 'waiting' | 'completed';
export type RunConclusion = 'success' | 'failure' | 'cancelled' | 'timed_out' | 'skipped' | null;

export interface JobSnapshot {
  id: number;
  name: string;
  status: RunStatus;
  conclusion: RunConclusion;
  environment: string | null;
  deploymentId: number | null;
}

export interface RunSnapshot {
  id: number;
  /** `owner/name` */
  repo: string;
  workflowId: number;
  workflowPath: string;
  runNumber: number;
  event: string;
  status: RunStatus;
  conclusion: RunConclusion;
  headBranch: string;
  headSha: string;
  actor: string;
  inputs: Record<string, string>;
  displayTitle: string;
  createdAt: string;
  jobs: JobSnapshot[];
  /** Environments this run is waiting on (pending deployments). */
  waitingFor: string[];
  url: string;
  htmlUrl: string;
}

export interface CounterSnapshot {
  /** Requests that counted against a primary rate limit (every API answer except 304, rate-limit refusals and /rate_limit). */
  metered: number;
  /** Metered calls per identity: the user's login, `installation:<id>`, `app:<id>` or `anonymous`. */
  byIdentity: Record<string, number>;
  /** Metered calls per token (anonymous calls under `(none)`). */
  byToken: Record<string, number>;
  /** Metered calls per endpoint, e.g. `GET /repos/{owner}/{repo}/actions/runs/{run_id}`. */
  byEndpoint: Record<string, number>;
  /** Conditional requests answered 304 (not metered). */
  notModified: number;
  /** Requests refused by the primary limit. */
  rateLimited: number;
  /** Requests refused by a secondary limit. */
  secondaryRateLimited: number;
  /** Every API request received (control endpoints excluded). */
  requests: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** Method and route template, e.g. `GET /repos/{owner}/{repo}`, or null when no route matched. */
  endpoint: string | null;
  identity: string;
  status: number;
  metered: boolean;
}

export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds. */
  reset: number;
}

export interface ForceRateLimitOptions {
  /** Identity (login, `installation:<id>`, `anonymous`); default every identity. */
  identity?: string;
}

export interface ForceSecondaryRateLimitOptions {
  /** Identity; default every identity. */
  identity?: string;
  /** How many following requests are refused (default 1). */
  requests?: number;
  /** `retry-after` seconds (default `secondaryRateLimit.retryAfterSeconds`). */
  retryAfterSeconds?: number;
}

export interface DispatchOptions {
  /** `owner/name` */
  repo: string;
  /** Workflow id or file name. */
  workflow: number | string;
  ref: string;
  inputs?: Record<string, string | number | boolean>;
  /** Login of the actor (default: first user with write access, else the owner). */
  actor?: string;
}

/** The in-process control API; the same operations are served over HTTP under `/_simulator/`. */
export interface SimulatorControl {
  /** Add or replace users, repos and apps. */
  seed(seed: SimulatorSeed): void;
  /** Back to the initial seed: runs, deployments, counters, rate limits and the clock offset are cleared. */
  reset(): void;

  /** Create a run as a dispatch would (no HTTP, no auth, not metered). */
  dispatch(options: DispatchOptions): RunSnapshot;
  runs(repo?: string): RunSnapshot[];
  run(runId: number): RunSnapshot | undefined;
  /**
   * One deterministic step for the given run, or for every run not completed:
   * queued → in_progress (first job starts) → [waiting, where the job's environment
   * has required reviewers or a wait timer] → next job … → completed.
   * A run waiting for reviewers does not move until reviewed.
   */
  advance(runId?: number): RunSnapshot[];
  /** Steps until each run (or the given one) is completed or waiting for a review. */
  settle(runId?: number): RunSnapshot[];
  /** Make the run's current job (or the named job) end with this conclusion (default failure). */
  failRun(runId: number, options?: { job?: string; conclusion?: 'failure' | 'timed_out' }): RunSnapshot;
  /** Make the next `count` dispatched runs fail (default 1). */
  failNextRuns(count?: number): void;
  cancelRun(runId: number): RunSnapshot;
  /** Review as `login` (must be a required reviewer), like the REST endpoint does. */
  review(
    runId: number,
    options: { login: string; state: 'approved' | 'rejected'; comment?: string; environments?: string[] },
  ): RunSnapshot;

  /** Exhaust the primary limit (until `clearRateLimits()` or the window resets). */
  forceRateLimit(options?: ForceRateLimitOptions): void;
  /** Refuse the next request(s) with a secondary rate limit. */
  forceSecondaryRateLimit(options?: ForceSecondaryRateLimitOptions): void;
  /** Forget forced limits and used quota. */
  clearRateLimits(): void;
  rateLimit(identity: string): RateLimitSnapshot;

  /** Metered calls in total, or of one identity (login, `installation:<id>`, …). */
  meteredCalls(identity?: string): number;
  counters(): CounterSnapshot;
  /** The last requests, oldest first (at most 1000). */
  requestLog(): RequestLogEntry[];
  resetCounters(): void;

  /**
   * Park API requests (after authentication and the concurrency check) until the
   * returned function is called. For deterministic concurrency tests.
   */
  hold(): () => void;
  /** Requests currently parked by `hold()`. */
  heldRequests(): number;
  /** Resolves once at least `count` requests are parked. */
  waitForHeldRequests(count: number): Promise<void>;

  now(): Date;
  /** Move the simulator clock forward. */
  tick(ms: number): void;
}

export interface GitHubSimulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Base URL of the REST API: `url`, or `url + "/api/v3"` in GHES mode. */
  apiUrl: string;
  control: SimulatorControl;
  close(): Promise<void>;
}
