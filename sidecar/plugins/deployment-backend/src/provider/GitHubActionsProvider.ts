/**
 * GitHub Actions as a `DeploymentProvider`, over the plugin's one GitHub client.
 *
 * `createGitHubActionsProvider({ client, logger?, dispatchLookup? })`:
 * - `client`          the GitHubClient (ETags, coalescing, rate limits, error classes).
 * - `logger?`         Backstage LoggerService (no tokens are ever logged).
 * - `dispatchLookup?` timing of the run lookup after a dispatch without run details
 *                     (`timeoutMs`, default 30 000; see ./dispatchRunLookup).
 *
 * Decisions where GitHub leaves a choice:
 * - authenticate: user and workspace tokens → `GET /user` (the login). GitHub App
 *   credentials → `GET /app` with the App JWT (slug; the login is `<slug>[bot]`, the actor
 *   GitHub shows on runs it starts), after minting an installation token, so that app id,
 *   key and installation are all checked.
 * - getWorkflow reads the workflow file at `ref` (default: the default branch) through the
 *   contents API and parses it; a file missing at that ref means "does not accept dispatch".
 *   listWorkflows does the same for each workflow under `.github/workflows/` (4 at a time;
 *   conditional requests make repeated listings free).
 * - triggerDeployment checks at most 25 inputs and 65,535 characters before calling GitHub;
 *   it asks for `return_run_details`. With run details it answers at once with the run as
 *   queued (no extra call; `headSha`/`actor` null until the first status read). Where GitHub
 *   answers 204, or rejects the field (GHES ≤ 3.20, 400/422 naming it), it dispatches
 *   without it and finds the run by listing runs filtered by the acting login (read once per
 *   credential with `authenticate`; see ./dispatchRunLookup). What each API
 *   base URL supports is remembered: until a server has returned run details once, the
 *   newest run is noted before dispatching (one call, usually a free 304), so that even a
 *   204 can be told from earlier runs; after that, dispatch costs one call.
 * - getDeploymentStatus: run; the target's job (`filter=latest`, exact name, else the
 *   first `name (…)` matrix or `name / …` reusable-workflow job) only when a job is
 *   configured; pending deployments only while the run is `waiting`. The job is asked for
 *   together with the run, and so are the gates when the caller last saw the run waiting
 *   (`expectWaiting`): one GitHub round trip per read instead of two.
 * - reviewDeployment needs the user's own token (the credential resolver guarantees it);
 *   it reviews every gate the user may approve, restricted to the target's GitHub
 *   environment when set. No gate at all → ConflictError; gates but none the user may
 *   review → NotAllowedError.
 * - listVersions: up to 100 tags (GitHub's order) followed by the last `limit` commits of
 *   `ref` (newest first, at most 500); a tag whose commit is among those commits carries its
 *   message, author and date. Version messages are the commit's first line.
 * - getCommit accepts a SHA (full or abbreviated), tag or branch; GitHub's 404 and its 422
 *   "No commit found" both become NotFoundError.
 * - listPullRequests: the newest 100 of the state; 'closed' means closed without merge,
 *   'merged' closed with `merged_at`.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { LRUCache } from 'lru-cache';
import { MAX_INPUT_VALUE, MAX_WORKFLOW_INPUTS } from '@internal/plugin-deployment-common';
import type { GitHubClient } from '../github/GitHubClient';
import { GitHubCredentialMissingError } from '../github/errors';
import { repoPath } from '../github/urls';
import type {
  ApprovalGate,
  DeploymentProvider,
  DeploymentTarget,
  JobInfo,
  ProviderAccess,
  PullRequestInfo,
  RepositoryInfo,
  RunInfo,
  RunStatus,
  TriggerRequest,
  VersionInfo,
  WorkflowInfo,
} from './DeploymentProvider';
import {
  findDispatchedRun,
  newestDispatchRunId,
  type RunLookupTarget,
  type RunLookupTiming,
} from './dispatchRunLookup';
import type {
  GhApp,
  GhCommit,
  GhDispatchDetails,
  GhJob,
  GhJobs,
  GhPendingDeployment,
  GhPull,
  GhRepository,
  GhTag,
  GhUser,
  GhWorkflow,
  GhWorkflowRun,
} from './githubShapes';
import { runStateOf } from './runState';
import { readDispatchDeclaration } from './workflowFile';

export interface GitHubActionsProviderOptions {
  client: GitHubClient;
  logger?: LoggerService;
  dispatchLookup?: RunLookupTiming;
}

/** GitHub's limits on workflow_dispatch inputs (the contract's shared rules). */
const MAX_DISPATCH_INPUTS = MAX_WORKFLOW_INPUTS;
const MAX_DISPATCH_INPUT_CHARS = MAX_INPUT_VALUE;
const TAGS_LIMIT = 100;
const COMMITS_LIMIT = 500;
const WORKFLOWS_LIMIT = 200;
const PULLS_LIMIT = 100;
const WORKFLOW_FILE_READS_AT_ONCE = 4;
const RAW = 'application/vnd.github.raw+json';

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/** A workflow is addressed by id or by file name; a path is reduced to its file name. */
function workflowSegment(workflow: string): string {
  const trimmed = workflow.trim();
  const file = trimmed.includes('/') ? (trimmed.split('/').pop() ?? '') : trimmed;
  if (!file) throw new InputError(`"${workflow.slice(0, 150)}" is not a workflow file name or id`);
  return encodeURIComponent(file);
}

/** `refs/heads/main` → `main` (what `head_branch` and `branch=` use). */
const shortRef = (ref: string) => ref.replace(/^refs\/(?:heads|tags)\//, '');

const firstLine = (message: string | undefined) => (message ? (message.split('\n')[0] ?? '').trim() : null);

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const actorOf = (run: GhWorkflowRun) => run.triggering_actor?.login ?? run.actor?.login ?? null;

function toRunInfo(run: GhWorkflowRun): RunInfo {
  const status = run.status ?? 'queued';
  const conclusion = run.conclusion ?? null;
  const state = runStateOf(status, conclusion);
  return {
    runId: run.id,
    status,
    conclusion,
    state,
    headSha: run.head_sha ?? null,
    actor: actorOf(run),
    createdAt: run.created_at ?? new Date().toISOString(),
    startedAt: state === 'queued' ? null : (run.run_started_at ?? null),
    // The REST run has no completion time; its last update is when it completed.
    completedAt: status === 'completed' ? (run.updated_at ?? null) : null,
    apiUrl: run.url ?? '',
    htmlUrl: run.html_url ?? '',
  };
}

function toJobInfo(job: GhJob): JobInfo {
  return {
    id: job.id,
    name: job.name ?? '',
    status: job.status ?? 'queued',
    conclusion: job.conclusion ?? null,
    htmlUrl: job.html_url ?? '',
  };
}

/** The configured job: exact name, else a matrix (`name (…)`) or reusable-workflow (`name / …`) job. */
function pickJob(jobs: readonly GhJob[], name: string): GhJob | undefined {
  return (
    jobs.find(job => job.name === name) ??
    jobs.find(job => job.name?.startsWith(`${name} (`) || job.name?.startsWith(`${name} / `))
  );
}

function toGate(pending: GhPendingDeployment): ApprovalGate {
  return {
    environmentId: pending.environment?.id ?? 0,
    environmentName: pending.environment?.name ?? '',
    reviewers: (pending.reviewers ?? []).map(entry => {
      const type = entry.type === 'Team' ? 'Team' : 'User';
      const who = entry.reviewer;
      return {
        type,
        name: (type === 'Team' ? (who?.slug ?? who?.name) : who?.login) ?? '',
        htmlUrl: who?.html_url ?? null,
      } as const;
    }),
    waitTimerMinutes: pending.wait_timer ?? 0,
    waitTimerStartedAt: pending.wait_timer_started_at ?? null,
    currentUserCanApprove: pending.current_user_can_approve === true,
  };
}

function commitVersion(commit: GhCommit): VersionInfo {
  return {
    kind: 'commit',
    name: commit.sha.slice(0, 7),
    sha: commit.sha,
    message: firstLine(commit.commit?.message),
    author: commit.author?.login ?? commit.commit?.author?.name ?? null,
    committedAt: commit.commit?.committer?.date ?? commit.commit?.author?.date ?? null,
    htmlUrl: commit.html_url ?? '',
  };
}

function validateInputs(inputs: Readonly<Record<string, string>>): Record<string, string> {
  const names = Object.keys(inputs);
  if (names.length > MAX_DISPATCH_INPUTS) {
    throw new InputError(
      `GitHub accepts at most ${MAX_DISPATCH_INPUTS} workflow inputs; this dispatch has ${names.length}`,
    );
  }
  let size = 0;
  for (const name of names) {
    const value = inputs[name];
    if (!name.trim()) throw new InputError('Workflow input names must not be empty');
    if (typeof value !== 'string') throw new InputError(`Workflow input "${name}" must be a string`);
    size += name.length + value.length;
  }
  if (size > MAX_DISPATCH_INPUT_CHARS) {
    throw new InputError(
      `Workflow inputs may hold at most ${MAX_DISPATCH_INPUT_CHARS} characters in total; these hold ${size}`,
    );
  }
  return { ...inputs };
}

export function createGitHubActionsProvider(options: GitHubActionsProviderOptions): DeploymentProvider {
  const { client, logger } = options;
  /** Per API base URL: does dispatch return run details? (unknown until the first dispatch there) */
  const runDetails = new Map<string, 'supported' | 'unsupported'>();
  /** Acting login per (base URL, credential identity), for run lookups. */
  const logins = new LRUCache<string, string>({ max: 1000 });

  async function authenticate(access: ProviderAccess): Promise<{ login: string }> {
    const { credential } = access;
    if (credential.kind === 'app' && credential.appAuthorization) {
      await credential.authorization();
      const appAuthorization = credential.appAuthorization.bind(credential);
      const { data } = await client.request<GhApp>(
        {
          baseUrl: access.baseUrl,
          credential: { kind: 'app', identity: `${credential.identity}:jwt`, authorization: appAuthorization },
        },
        { path: '/app' },
      );
      return { login: `${data.slug ?? data.name ?? 'github-app'}[bot]` };
    }
    const { data } = await client.request<GhUser>(access, { path: '/user' });
    if (!data.login) throw new NotFoundError('GitHub did not name the user of this credential');
    return { login: data.login };
  }

  /** The login runs started with this credential show as actor; undefined when it cannot be read. */
  async function actingLogin(access: ProviderAccess): Promise<string | undefined> {
    const key = `${access.baseUrl}\n${access.credential.identity}`;
    const known = logins.get(key);
    if (known) return known;
    try {
      const { login } = await authenticate(access);
      logins.set(key, login);
      return login;
    } catch {
      logger?.info(
        `Could not read the login of credential ${access.credential.identity}; run lookup without actor filter`,
      );
      return undefined;
    }
  }

  async function workflowFile(
    access: ProviderAccess,
    repository: string,
    path: string,
    ref: string | undefined,
  ): Promise<{ acceptsDispatch: boolean; inputs: string[] }> {
    if (!path.startsWith('.github/workflows/')) return { acceptsDispatch: false, inputs: [] };
    try {
      const { data } = await client.request<unknown>(access, {
        path: `${repoPath(repository)}/contents/${encodePath(path)}`,
        query: { ref },
        headers: { accept: RAW },
      });
      const text = typeof data === 'string' ? data : '';
      const declaration = readDispatchDeclaration(text);
      if (declaration.problem) logger?.info(`Workflow ${repository}/${path}: ${declaration.problem}`);
      return { acceptsDispatch: declaration.acceptsDispatch, inputs: declaration.inputs };
    } catch (error) {
      if (error instanceof NotFoundError) return { acceptsDispatch: false, inputs: [] };
      throw error;
    }
  }

  async function toWorkflowInfo(
    access: ProviderAccess,
    repository: string,
    wf: GhWorkflow,
    ref?: string,
  ): Promise<WorkflowInfo> {
    const path = wf.path ?? '';
    const file = await workflowFile(access, repository, path, ref);
    return {
      id: wf.id,
      name: wf.name ?? path,
      path,
      state: wf.state ?? 'active',
      acceptsDispatch: file.acceptsDispatch,
      inputs: file.inputs,
      htmlUrl: wf.html_url ?? '',
    };
  }

  async function repositoryHtmlUrl(
    access: ProviderAccess,
    repository: string,
    commits: readonly GhCommit[],
  ): Promise<string> {
    const fromCommit = commits.find(c => c.html_url)?.html_url?.replace(/\/commit\/[0-9a-f]+$/i, '');
    if (fromCommit) return fromCommit;
    const { data } = await client.request<GhRepository>(access, { path: repoPath(repository) });
    return data.html_url ?? '';
  }

  async function dispatch(access: ProviderAccess, request: TriggerRequest): Promise<RunInfo> {
    const { target } = request;
    const inputs = validateInputs(request.inputs);
    const base = repoPath(target.repository);
    const segment = workflowSegment(target.workflow);
    const dispatchPath = `${base}/actions/workflows/${segment}/dispatches`;
    const support = runDetails.get(access.baseUrl);
    // Only the run lookup needs the acting login (to skip other people's runs).
    const actor = support === 'supported' ? undefined : await actingLogin(access);
    const lookup: RunLookupTarget = { repoPath: base, workflowSegment: segment, branch: shortRef(target.ref), actor };

    const dispatchWithoutDetails = async (snapshot?: number): Promise<RunInfo> => {
      const afterRunId = snapshot ?? (await newestDispatchRunId(client, access, lookup));
      const atMs = Date.now();
      await client.request(access, { method: 'POST', path: dispatchPath, body: { ref: target.ref, inputs } });
      const run = await findDispatchedRun(client, access, lookup, { atMs, afterRunId }, options.dispatchLookup);
      return toRunInfo(run);
    };

    if (support === 'unsupported') return dispatchWithoutDetails();
    // Until this server has returned run details once, note the newest run first, so a
    // dispatch answered without details can still be told from earlier runs.
    const snapshot = support === 'supported' ? undefined : await newestDispatchRunId(client, access, lookup);

    const atMs = Date.now();
    let answer;
    try {
      answer = await client.request<GhDispatchDetails | undefined>(access, {
        method: 'POST',
        path: dispatchPath,
        body: { ref: target.ref, inputs, return_run_details: true },
      });
    } catch (error) {
      if (error instanceof InputError && /return_run_details/.test(error.message)) {
        // Nothing was dispatched: this server (GHES <= 3.20) does not know the field.
        runDetails.set(access.baseUrl, 'unsupported');
        logger?.info(
          `GitHub at ${access.baseUrl} does not return run details on dispatch; finding runs by listing them`,
        );
        return dispatchWithoutDetails(snapshot);
      }
      throw error;
    }
    const details = answer.data;
    if (answer.status === 200 && details?.workflow_run_id) {
      runDetails.set(access.baseUrl, 'supported');
      return {
        runId: details.workflow_run_id,
        status: 'queued',
        conclusion: null,
        state: 'queued',
        headSha: null,
        actor: null,
        createdAt: new Date(atMs).toISOString(),
        startedAt: null,
        completedAt: null,
        apiUrl: details.run_url ?? `${access.baseUrl}${base}/actions/runs/${details.workflow_run_id}`,
        htmlUrl: details.html_url ?? '',
      };
    }
    // 204: dispatched, but GitHub did not say which run it started.
    runDetails.set(access.baseUrl, 'unsupported');
    const run = await findDispatchedRun(
      client,
      access,
      lookup,
      { atMs, afterRunId: snapshot ?? 0 },
      options.dispatchLookup,
    );
    return toRunInfo(run);
  }

  return {
    authenticate,

    async getRepository(access, repository): Promise<RepositoryInfo> {
      try {
        const { data } = await client.request<GhRepository>(access, { path: repoPath(repository) });
        return {
          fullName: data.full_name ?? repository,
          defaultBranch: data.default_branch ?? 'main',
          htmlUrl: data.html_url ?? '',
        };
      } catch (error) {
        if (error instanceof NotFoundError) {
          throw new NotFoundError(`Repository ${repository} does not exist or the GitHub credential cannot see it`);
        }
        throw error;
      }
    },

    async listWorkflows(access, repository) {
      const workflows = await client.paginate<GhWorkflow>(
        access,
        { path: `${repoPath(repository)}/actions/workflows` },
        { maxItems: WORKFLOWS_LIMIT, itemsKey: 'workflows' },
      );
      return mapLimit(workflows, WORKFLOW_FILE_READS_AT_ONCE, wf => toWorkflowInfo(access, repository, wf));
    },

    async getWorkflow(access, repository, workflow, ref) {
      let wf: GhWorkflow;
      try {
        ({ data: wf } = await client.request<GhWorkflow>(access, {
          path: `${repoPath(repository)}/actions/workflows/${workflowSegment(workflow)}`,
        }));
      } catch (error) {
        if (error instanceof NotFoundError) {
          throw new NotFoundError(
            `Workflow ${workflow} does not exist in ${repository} (or the GitHub credential cannot see it)`,
          );
        }
        throw error;
      }
      return toWorkflowInfo(access, repository, wf, ref);
    },

    async listVersions(access, repository, ref, limit) {
      const base = repoPath(repository);
      const [tags, commits] = await Promise.all([
        client.paginate<GhTag>(access, { path: `${base}/tags` }, { maxItems: TAGS_LIMIT }),
        client.paginate<GhCommit>(
          access,
          { path: `${base}/commits`, query: { sha: ref } },
          { maxItems: Math.max(0, Math.min(limit, COMMITS_LIMIT)) },
        ),
      ]);
      const commitVersions = commits.map(commitVersion);
      const bySha = new Map(commitVersions.map(v => [v.sha, v]));
      const htmlBase = tags.length > 0 ? await repositoryHtmlUrl(access, repository, commits) : '';
      const tagVersions = tags.map((tag): VersionInfo => {
        const sha = tag.commit?.sha ?? '';
        const commit = bySha.get(sha);
        return {
          kind: 'tag',
          name: tag.name,
          sha,
          message: commit?.message ?? null,
          author: commit?.author ?? null,
          committedAt: commit?.committedAt ?? null,
          htmlUrl: htmlBase ? `${htmlBase}/tree/${encodeURIComponent(tag.name)}` : '',
        };
      });
      return [...tagVersions, ...commitVersions];
    },

    async getCommit(access, repository, sha) {
      const ref = sha.trim();
      if (!ref || ref.length > 255 || /\s/.test(ref))
        throw new NotFoundError(`Commit ${sha.slice(0, 60)} not found in ${repository}`);
      try {
        const { data } = await client.request<GhCommit>(access, {
          path: `${repoPath(repository)}/commits/${encodePath(ref)}`,
        });
        return commitVersion(data);
      } catch (error) {
        // GitHub answers an unknown SHA with 422 "No commit found for SHA" (sometimes 404).
        if (error instanceof NotFoundError || (error instanceof InputError && /no commit found/i.test(error.message))) {
          throw new NotFoundError(`Commit ${ref.slice(0, 60)} not found in ${repository}`);
        }
        throw error;
      }
    },

    triggerDeployment: dispatch,

    async getDeploymentStatus(access, target: DeploymentTarget, runId, options = {}): Promise<RunStatus> {
      const base = repoPath(target.repository);
      const runPath = `${base}/actions/runs/${encodeURIComponent(String(runId))}`;
      const pendingOf = () => client.request<GhPendingDeployment[]>(access, { path: `${runPath}/pending_deployments` });
      // Asked for together with the run, so that a read waits for one GitHub round trip, not two:
      // the job always (it does not depend on the run's answer), the gates when the run was last
      // seen waiting. Handlers are attached at once; a failure surfaces only where it is awaited.
      const jobsRequest = target.job
        ? settled(
            client.request<GhJobs>(access, { path: `${runPath}/jobs`, query: { filter: 'latest', per_page: 100 } }),
          )
        : undefined;
      const earlyPending = options.expectWaiting ? settled(pendingOf()) : undefined;
      let run: GhWorkflowRun;
      try {
        ({ data: run } = await client.request<GhWorkflowRun>(access, { path: runPath }));
      } catch (error) {
        if (error instanceof NotFoundError) throw new NotFoundError(`Run ${runId} not found in ${target.repository}`);
        throw error;
      }
      const [jobs, pending] = await Promise.all([
        jobsRequest?.then(unwrap),
        run.status === 'waiting' ? (earlyPending ? earlyPending.then(unwrap) : pendingOf()) : undefined,
      ]);
      const job = target.job ? pickJob(jobs?.data.jobs ?? [], target.job) : undefined;
      return {
        run: toRunInfo(run),
        job: job ? toJobInfo(job) : null,
        approvals: (pending?.data ?? []).map(toGate),
      };
    },

    async reviewDeployment(access, target, runId, decision, comment) {
      if (access.credential.kind !== 'user') {
        throw new GitHubCredentialMissingError('Approving or rejecting a deployment needs your own GitHub token');
      }
      const runPath = `${repoPath(target.repository)}/actions/runs/${encodeURIComponent(String(runId))}`;
      const { data: pending } = await client.request<GhPendingDeployment[]>(access, {
        path: `${runPath}/pending_deployments`,
      });
      const gates = (pending ?? []).map(toGate);
      const wanted = target.githubEnvironment?.toLowerCase();
      const relevant = wanted ? gates.filter(g => g.environmentName.toLowerCase() === wanted) : gates;
      if (relevant.length === 0) {
        throw new ConflictError(
          `Run ${runId} is not waiting for approval${target.githubEnvironment ? ` in environment ${target.githubEnvironment}` : ''}`,
        );
      }
      const mine = relevant.filter(g => g.currentUserCanApprove && g.environmentId > 0);
      if (mine.length === 0) {
        throw new NotAllowedError(
          `You are not a required reviewer of ${relevant.map(g => g.environmentName).join(', ')} for run ${runId} (or may not review your own deployment)`,
        );
      }
      await client.request(access, {
        method: 'POST',
        path: `${runPath}/pending_deployments`,
        body: {
          environment_ids: mine.map(g => g.environmentId),
          state: decision === 'approve' ? 'approved' : 'rejected',
          comment,
        },
      });
      return { environments: mine.map(g => g.environmentName) };
    },

    async listPullRequests(access, repository, state): Promise<PullRequestInfo[]> {
      const pulls = await client.paginate<GhPull>(
        access,
        {
          path: `${repoPath(repository)}/pulls`,
          query: { state: state === 'open' ? 'open' : 'closed', sort: 'created', direction: 'desc' },
        },
        { maxItems: PULLS_LIMIT },
      );
      return pulls
        .map(
          (pull): PullRequestInfo => ({
            number: pull.number,
            title: pull.title ?? '',
            state: pull.merged_at ? 'merged' : pull.state === 'open' ? 'open' : 'closed',
            author: pull.user?.login ?? null,
            createdAt: pull.created_at ?? '',
            url: pull.html_url ?? '',
          }),
        )
        .filter(pull => pull.state === state);
    },
  };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A request started ahead of its use: never an unhandled rejection, even when its answer is not needed. */
function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    value => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function unwrap<T>(result: Settled<T>): T {
  if (result.ok) return result.value;
  throw result.error;
}
