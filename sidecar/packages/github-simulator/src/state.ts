import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { HttpError, invalidRequest } from './errors';
import type {
  AppSeed,
  BranchSeed,
  CommitPointer,
  CommitSeed,
  EnvironmentSeed,
  JobSeed,
  PullSeed,
  RepoPermission,
  RepoSeed,
  RunConclusion,
  RunStatus,
  SimulatorSeed,
  UserSeed,
  WorkflowInputSeed,
  WorkflowSeed,
} from './types';
import { interpolate, renderWorkflowYaml } from './workflow-yaml';

export interface UserRec {
  login: string;
  id: number;
  nodeId: string;
  name: string | null;
  email: string | null;
  type: 'User' | 'Bot' | 'Organization';
  siteAdmin: boolean;
  tokens: string[];
  rateLimit?: number;
  createdAt: string;
}

export interface CommitRec {
  sha: string;
  treeSha: string;
  message: string;
  authorName: string;
  authorEmail: string;
  authorLogin?: string;
  date: string;
  parents: string[];
}

export interface WorkflowRec {
  id: number;
  nodeId: string;
  name: string;
  file: string;
  path: string;
  state: 'active' | 'disabled_manually' | 'disabled_inactivity';
  dispatch: boolean;
  inputs: Array<[string, WorkflowInputSeed]>;
  runName?: string;
  jobs: JobSeed[];
  content: string;
  createdAt: string;
  updatedAt: string;
  runCounter: number;
}

export interface EnvironmentRec {
  id: number;
  nodeId: string;
  name: string;
  reviewers: string[];
  waitTimer: number;
  preventSelfReview: boolean;
  createdAt: string;
  updatedAt: string;
  ruleIds: { timer: number; reviewers: number };
}

export interface PullRec {
  id: number;
  nodeId: string;
  number: number;
  title: string;
  body: string | null;
  author: UserRec;
  head: string;
  headSha: string;
  base: string;
  baseSha: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
}

export interface RepoRec {
  key: string;
  id: number;
  nodeId: string;
  owner: UserRec;
  name: string;
  private: boolean;
  description: string | null;
  defaultBranch: string;
  commits: Map<string, CommitRec>;
  branches: Map<string, { sha: string; protected: boolean }>;
  tags: Map<string, string>;
  workflows: WorkflowRec[];
  environments: EnvironmentRec[];
  collaborators: Map<string, RepoPermission>;
  pulls: PullRec[];
  files: Map<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface JobGate {
  reviewersRequired: boolean;
  approved: boolean;
  timerPassed: boolean;
  waitingSince?: string;
}

export interface JobRec {
  id: number;
  nodeId: string;
  checkRunId: number;
  name: string;
  environment: string | null;
  environmentUrl: string | null;
  status: RunStatus;
  conclusion: RunConclusion;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  steps: string[];
  deploymentId: number | null;
  gate: JobGate | null;
  forced: 'failure' | 'timed_out' | null;
}

export interface ReviewRec {
  environments: EnvironmentRec[];
  state: 'approved' | 'rejected';
  user: UserRec;
  comment: string;
}

export interface RunRec {
  id: number;
  nodeId: string;
  repo: RepoRec;
  workflow: WorkflowRec;
  runNumber: number;
  checkSuiteId: number;
  headBranch: string;
  headSha: string;
  event: string;
  status: RunStatus;
  conclusion: RunConclusion;
  actor: UserRec;
  inputs: Record<string, string>;
  displayTitle: string;
  createdAt: string;
  updatedAt: string;
  runStartedAt: string;
  jobs: JobRec[];
  hiddenForLists: number;
  reviews: ReviewRec[];
}

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

export interface DeploymentStatusRec {
  id: number;
  nodeId: string;
  state: DeploymentState;
  creator: UserRec;
  description: string;
  environment: string;
  logUrl: string | null;
  environmentUrl: string | null;
  createdAt: string;
}

export interface DeploymentRec {
  id: number;
  nodeId: string;
  repo: RepoRec;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  payload: Record<string, unknown>;
  description: string | null;
  creator: UserRec;
  createdAt: string;
  updatedAt: string;
  statuses: DeploymentStatusRec[];
  runId: number;
  jobId: number;
}

export interface InstallationRec {
  id: number;
  app: AppRec;
  account: string;
  repositories: 'all' | string[];
  permissions: Record<string, 'read' | 'write'>;
  rateLimit?: number;
}

export interface AppRec {
  id: number;
  nodeId: string;
  slug: string;
  name: string;
  owner: UserRec;
  publicKey: KeyObject;
  installations: Map<number, InstallationRec>;
  bot: UserRec;
  createdAt: string;
}

export interface InstallationTokenRec {
  token: string;
  installation: InstallationRec;
  expiresAt: number;
  permissions: Record<string, 'read' | 'write'>;
  repositories: 'all' | string[];
}

/** A link to the simulator's own pages, for `log_url`s created while a run moves. */
export interface UrlSource {
  jobHtmlUrl(run: RunRec, job: JobRec): string;
}

const PERMISSION_ORDER: RepoPermission[] = ['read', 'triage', 'write', 'maintain', 'admin'];
export const permissionAtLeast = (have: RepoPermission | 'none', need: RepoPermission) =>
  have !== 'none' && PERMISSION_ORDER.indexOf(have) >= PERMISSION_ORDER.indexOf(need);

export const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
export const nodeId = (kind: string, id: number) => Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64');
/** GitHub's timestamps have second precision. */
export const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const lower = (value: string) => value.toLowerCase();

const COMMIT_MESSAGES = [
  'Fix rounding of basket totals',
  'Add retry to payment client',
  'Bump dependencies',
  'Refactor checkout form validation',
  'Improve logging of order events',
  'Add feature flag for express checkout',
  'Update README',
  'Speed up cart rendering',
  'Handle empty shipping address',
  'Add metrics for failed payments',
];

export const MAX_DISPATCH_INPUTS = 25;
/** GitHub Enterprise Server 3.19 and older still document `maxProperties: 10` for dispatch inputs. */
export const MAX_DISPATCH_INPUTS_OLD_GHES = 10;
export const MAX_DISPATCH_INPUT_CHARS = 65_535;

/** The simulated GitHub: every entity and every state change, no HTTP. */
export class SimState {
  readonly users = new Map<string, UserRec>();
  readonly tokens = new Map<string, UserRec>();
  readonly repos = new Map<string, RepoRec>();
  readonly apps = new Map<number, AppRec>();
  readonly installationTokens = new Map<string, InstallationTokenRec>();
  readonly runs = new Map<number, RunRec>();
  readonly deployments: DeploymentRec[] = [];
  private failNext = 0;
  private readonly ids = {
    user: 9_000_100,
    repo: 710_000_000,
    workflow: 150_000_000,
    run: 16_000_000_000,
    job: 45_000_000_000,
    checkSuite: 31_000_000_000,
    deployment: 2_400_000_000,
    status: 3_100_000_000,
    environment: 5_200_000_000,
    rule: 34_000_000,
    pull: 2_100_000_000,
    token: 0,
  };

  constructor(
    private readonly clock: () => number,
    private readonly seedEpochMs: number,
    private readonly urls: UrlSource,
    private readonly runListingLag: number,
  ) {}

  now(): number {
    return this.clock();
  }

  nowIso(): string {
    return isoSeconds(this.clock());
  }

  private next(kind: keyof SimState['ids']): number {
    this.ids[kind] += 1;
    return this.ids[kind];
  }

  // ---------------------------------------------------------------- seeding

  applySeed(seed: SimulatorSeed): void {
    for (const org of seed.orgs ?? []) this.ensureAccount(org, 'Organization');
    for (const user of seed.users ?? []) this.addUser(user);
    for (const repo of seed.repos ?? []) this.addRepo(repo);
    for (const app of seed.apps ?? []) this.addApp(app);
  }

  addUser(seed: UserSeed): UserRec {
    const existing = this.users.get(lower(seed.login));
    for (const token of existing?.tokens ?? []) this.tokens.delete(token);
    const id = seed.id ?? existing?.id ?? this.next('user');
    const user: UserRec = {
      login: seed.login,
      id,
      nodeId: nodeId('User', id),
      name: seed.name ?? seed.login,
      email: seed.email ?? null,
      type: seed.type ?? 'User',
      siteAdmin: seed.siteAdmin ?? false,
      tokens: [...seed.tokens],
      rateLimit: seed.rateLimit,
      createdAt: isoSeconds(this.seedEpochMs - 400 * 86_400_000),
    };
    this.users.set(lower(user.login), user);
    for (const token of user.tokens) this.tokens.set(token, user);
    return user;
  }

  /** A user or organization that owns things; created on first mention. */
  ensureAccount(login: string, type: 'User' | 'Organization' | 'Bot' = 'Organization'): UserRec {
    const existing = this.users.get(lower(login));
    if (existing) return existing;
    const id = this.next('user');
    const account: UserRec = {
      login,
      id,
      nodeId: nodeId(type === 'Organization' ? 'Organization' : 'User', id),
      name: login,
      email: null,
      type,
      siteAdmin: false,
      tokens: [],
      createdAt: isoSeconds(this.seedEpochMs - 500 * 86_400_000),
    };
    this.users.set(lower(login), account);
    return account;
  }

  user(login: string): UserRec | undefined {
    return this.users.get(lower(login));
  }

  addRepo(seed: RepoSeed): RepoRec {
    const owner = this.ensureAccount(seed.owner);
    const key = lower(`${seed.owner}/${seed.name}`);
    const id = seed.id ?? this.repos.get(key)?.id ?? this.next('repo');
    const defaultBranch = seed.defaultBranch ?? 'main';
    const repo: RepoRec = {
      key,
      id,
      nodeId: nodeId('Repository', id),
      owner,
      name: seed.name,
      private: seed.private ?? true,
      description: seed.description ?? null,
      defaultBranch,
      commits: new Map(),
      branches: new Map(),
      tags: new Map(),
      workflows: [],
      environments: [],
      collaborators: new Map(Object.entries(seed.collaborators ?? {}).map(([login, p]) => [lower(login), p])),
      pulls: [],
      files: new Map(Object.entries(seed.files ?? {})),
      createdAt: isoSeconds(this.seedEpochMs - 300 * 86_400_000),
      updatedAt: isoSeconds(this.seedEpochMs),
    };

    // History of the default branch, oldest first.
    const history = this.makeCommits(repo, defaultBranch, seed.commits ?? 5, null, 0);
    const head = history.at(-1);
    if (!head) throw new Error(`repo ${key}: needs at least one commit`);
    repo.branches.set(defaultBranch, { sha: head, protected: true });
    repo.updatedAt = repo.commits.get(head)?.date ?? repo.updatedAt;

    for (const branch of seed.branches ?? []) this.addBranch(repo, branch, history);
    for (const tag of seed.tags ?? []) {
      const sha = this.pointer(repo, tag.at ?? -1, history);
      repo.tags.set(tag.name, sha);
    }
    for (const env of seed.environments ?? []) this.upsertEnvironment(repo, env);
    for (const wf of seed.workflows ?? []) this.addWorkflow(repo, wf);
    let number = 0;
    for (const pull of seed.pulls ?? []) {
      number = pull.number ?? number + 1;
      this.addPull(repo, { ...pull, number });
    }
    this.repos.set(key, repo);
    return repo;
  }

  private makeCommits(
    repo: RepoRec,
    branch: string,
    spec: number | CommitSeed[],
    parent: string | null,
    offsetHours: number,
  ): string[] {
    const seeds: CommitSeed[] = Array.isArray(spec)
      ? spec
      : Array.from({ length: spec }, (_, i) => ({ message: COMMIT_MESSAGES[i % COMMIT_MESSAGES.length] ?? 'Change' }));
    const authors = [...this.users.values()].filter(u => u.type === 'User');
    const shas: string[] = [];
    let previous = parent;
    seeds.forEach((c, i) => {
      const date = c.date ?? isoSeconds(this.seedEpochMs + (offsetHours + i) * 3_600_000);
      const sha = sha1(`${repo.key}\0${branch}\0${i}\0${c.message}\0${previous ?? ''}`);
      const authorUser = c.author ? this.user(c.author) : authors[i % Math.max(authors.length, 1)];
      const authorName = authorUser?.name ?? c.author ?? 'Mona Lisa';
      const commit: CommitRec = {
        sha,
        treeSha: sha1(`tree\0${sha}`),
        message: Array.isArray(spec) ? c.message : `${c.message} (#${i + 1})`,
        authorName,
        authorEmail:
          authorUser?.email ??
          `${(authorUser?.login ?? authorName).replace(/\s+/g, '.').toLowerCase()}@users.noreply.github.com`,
        authorLogin: authorUser?.login,
        date,
        parents: previous ? [previous] : [],
      };
      repo.commits.set(sha, commit);
      shas.push(sha);
      previous = sha;
    });
    return shas;
  }

  private addBranch(repo: RepoRec, seed: BranchSeed, history: string[]): void {
    const start = this.pointer(repo, seed.from ?? -1, history);
    const startIndex = history.indexOf(start);
    const extra = seed.commits
      ? this.makeCommits(repo, seed.name, seed.commits, start, (startIndex >= 0 ? startIndex : history.length) + 1)
      : [];
    repo.branches.set(seed.name, { sha: extra.at(-1) ?? start, protected: seed.protected ?? false });
  }

  private pointer(repo: RepoRec, at: CommitPointer, history: string[]): string {
    if (typeof at === 'number') {
      const sha = at < 0 ? history[history.length + at] : history[at];
      if (!sha) throw new Error(`repo ${repo.key}: no commit at index ${at}`);
      return sha;
    }
    const sha = this.resolveCommitish(repo, at);
    if (!sha) throw new Error(`repo ${repo.key}: unknown commit ${at}`);
    return sha;
  }

  upsertEnvironment(repo: RepoRec, seed: EnvironmentSeed): EnvironmentRec {
    const existing = repo.environments.find(e => lower(e.name) === lower(seed.name));
    const id = existing?.id ?? this.next('environment');
    const env: EnvironmentRec = {
      id,
      nodeId: nodeId('Environment', id),
      name: seed.name,
      reviewers: [...(seed.reviewers ?? [])],
      waitTimer: seed.waitTimer ?? 0,
      preventSelfReview: seed.preventSelfReview ?? false,
      createdAt: existing?.createdAt ?? isoSeconds(this.seedEpochMs - 200 * 86_400_000),
      updatedAt: isoSeconds(this.seedEpochMs - 100 * 86_400_000),
      ruleIds: existing?.ruleIds ?? { timer: this.next('rule'), reviewers: this.next('rule') },
    };
    for (const login of env.reviewers) this.ensureAccount(login, 'User');
    if (existing) repo.environments.splice(repo.environments.indexOf(existing), 1, env);
    else repo.environments.push(env);
    return env;
  }

  addWorkflow(repo: RepoRec, seed: WorkflowSeed): WorkflowRec {
    const id = seed.id ?? this.next('workflow');
    const jobs = seed.jobs?.length ? seed.jobs : [{ name: 'build' }];
    const shape = {
      name: seed.name,
      dispatch: seed.dispatch ?? true,
      inputs: Object.entries(seed.inputs ?? {}),
      runName: seed.runName,
      jobs,
    };
    const path = `.github/workflows/${seed.file}`;
    const wf: WorkflowRec = {
      id,
      nodeId: nodeId('Workflow', id),
      file: seed.file,
      path,
      state: seed.state ?? 'active',
      content: seed.content ?? renderWorkflowYaml(shape),
      createdAt: isoSeconds(this.seedEpochMs - 250 * 86_400_000),
      updatedAt: isoSeconds(this.seedEpochMs - 30 * 86_400_000),
      runCounter: 0,
      ...shape,
    };
    repo.workflows = repo.workflows.filter(w => w.path !== path);
    repo.workflows.push(wf);
    return wf;
  }

  private addPull(repo: RepoRec, seed: PullSeed & { number: number }): void {
    const id = this.next('pull');
    const author = this.user(seed.author) ?? this.ensureAccount(seed.author, 'User');
    const base = seed.base ?? repo.defaultBranch;
    const baseSha = repo.branches.get(base)?.sha ?? repo.branches.get(repo.defaultBranch)?.sha ?? '';
    const headSha = repo.branches.get(seed.head)?.sha ?? sha1(`${repo.key}\0pull\0${seed.number}`);
    const createdAt = seed.createdAt ?? isoSeconds(this.seedEpochMs + seed.number * 5 * 3_600_000);
    const state = seed.state ?? 'open';
    const updatedAt =
      seed.updatedAt ?? (state === 'closed' ? isoSeconds(Date.parse(createdAt) + 86_400_000) : createdAt);
    const merged = state === 'closed' && (seed.merged ?? false);
    repo.pulls.push({
      id,
      nodeId: nodeId('PullRequest', id),
      number: seed.number,
      title: seed.title,
      body: seed.body ?? null,
      author,
      head: seed.head,
      headSha,
      base,
      baseSha,
      state,
      merged,
      draft: seed.draft ?? false,
      createdAt,
      updatedAt,
      closedAt: state === 'closed' ? updatedAt : null,
      mergedAt: merged ? updatedAt : null,
      mergeCommitSha: merged ? sha1(`${repo.key}\0merge\0${seed.number}`) : null,
    });
  }

  addApp(seed: AppSeed): AppRec {
    const owner = this.ensureAccount(seed.owner);
    const slug = seed.slug ?? `app-${seed.id}`;
    const bot = this.ensureAccount(`${slug}[bot]`, 'Bot');
    const app: AppRec = {
      id: seed.id,
      nodeId: nodeId('Integration', seed.id),
      slug,
      name: seed.name ?? slug,
      owner,
      publicKey: createPublicKey(seed.publicKey),
      installations: new Map(),
      bot,
      createdAt: isoSeconds(this.seedEpochMs - 150 * 86_400_000),
    };
    for (const inst of seed.installations) {
      app.installations.set(inst.id, {
        id: inst.id,
        app,
        account: inst.account,
        repositories: inst.repositories ?? 'all',
        permissions: { metadata: 'read', ...(inst.permissions ?? {}) },
        rateLimit: inst.rateLimit,
      });
    }
    this.apps.set(app.id, app);
    return app;
  }

  installation(id: number): InstallationRec | undefined {
    for (const app of this.apps.values()) {
      const inst = app.installations.get(id);
      if (inst) return inst;
    }
    return undefined;
  }

  issueInstallationToken(
    installation: InstallationRec,
    permissions: Record<string, 'read' | 'write'>,
    repositories: 'all' | string[],
  ): InstallationTokenRec {
    const n = this.next('token');
    const token = `ghs_${sha1(`installation\0${installation.id}\0${n}\0${this.now()}`).slice(0, 36)}`;
    const rec: InstallationTokenRec = {
      token,
      installation,
      expiresAt: this.now() + 3_600_000,
      permissions,
      repositories,
    };
    this.installationTokens.set(token, rec);
    return rec;
  }

  // ---------------------------------------------------------------- lookups

  repo(owner: string, name: string): RepoRec | undefined {
    return this.repos.get(lower(`${owner}/${name}`));
  }

  repoByKey(fullName: string): RepoRec | undefined {
    return this.repos.get(lower(fullName));
  }

  /** A branch or tag (optionally `refs/heads/…` or `refs/tags/…`). */
  resolveRef(repo: RepoRec, ref: string): { kind: 'branch' | 'tag'; name: string; sha: string } | undefined {
    const heads = /^refs\/heads\/(.+)$/.exec(ref)?.[1];
    const tags = /^refs\/tags\/(.+)$/.exec(ref)?.[1];
    if (heads !== undefined) {
      const b = repo.branches.get(heads);
      return b ? { kind: 'branch', name: heads, sha: b.sha } : undefined;
    }
    if (tags !== undefined) {
      const t = repo.tags.get(tags);
      return t ? { kind: 'tag', name: tags, sha: t } : undefined;
    }
    const branch = repo.branches.get(ref);
    if (branch) return { kind: 'branch', name: ref, sha: branch.sha };
    const tag = repo.tags.get(ref);
    if (tag) return { kind: 'tag', name: ref, sha: tag };
    return undefined;
  }

  /** Branch, tag or (abbreviated, at least 7 characters) SHA → full SHA. */
  resolveCommitish(repo: RepoRec, value: string): string | undefined {
    const ref = this.resolveRef(repo, value);
    if (ref) return ref.sha;
    const v = lower(value);
    if (/^[0-9a-f]{40}$/.test(v)) return repo.commits.has(v) ? v : undefined;
    if (/^[0-9a-f]{7,39}$/.test(v)) {
      const matches = [...repo.commits.keys()].filter(sha => sha.startsWith(v));
      return matches.length === 1 ? matches[0] : undefined;
    }
    return undefined;
  }

  /** First-parent history from `sha`, newest first. */
  history(repo: RepoRec, sha: string): CommitRec[] {
    const out: CommitRec[] = [];
    let current = repo.commits.get(sha);
    while (current) {
      out.push(current);
      const parent = current.parents[0];
      current = parent ? repo.commits.get(parent) : undefined;
    }
    return out;
  }

  workflow(repo: RepoRec, idOrFile: string): WorkflowRec | undefined {
    if (/^\d+$/.test(idOrFile)) return repo.workflows.find(w => w.id === Number(idOrFile));
    return repo.workflows.find(w => w.file === idOrFile);
  }

  environment(repo: RepoRec, name: string): EnvironmentRec | undefined {
    return repo.environments.find(e => lower(e.name) === lower(name));
  }

  // ---------------------------------------------------------------- dispatch

  /**
   * Validates a dispatch as GitHub does and creates the queued run. Throws
   * HttpError (422) for a bad ref or bad inputs.
   */
  dispatch(
    repo: RepoRec,
    wf: WorkflowRec,
    ref: string,
    rawInputs: Record<string, unknown>,
    actor: UserRec,
    maxInputs = MAX_DISPATCH_INPUTS,
  ): RunRec {
    if (wf.state !== 'active') throw new HttpError(422, "Cannot trigger a 'workflow_dispatch' on a disabled workflow");
    if (!wf.dispatch) throw new HttpError(422, "Workflow does not have 'workflow_dispatch' trigger");
    const resolved = this.resolveRef(repo, ref);
    if (!resolved) throw new HttpError(422, `No ref found for: ${ref}`);

    const names = Object.keys(rawInputs);
    if (names.length > maxInputs) {
      throw invalidRequest(`For 'properties/inputs', {…} has more than ${maxInputs} properties (${names.length}).`);
    }
    const declared = new Map(wf.inputs);
    const unexpected = names.filter(n => !declared.has(n));
    if (unexpected.length) throw new HttpError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);

    const inputs: Record<string, string> = {};
    let size = 0;
    for (const [name, spec] of wf.inputs) {
      const raw = rawInputs[name];
      if (raw !== undefined && raw !== null && typeof raw === 'object') {
        throw invalidRequest(`For 'properties/${name}', ${JSON.stringify(raw)} is not a string.`);
      }
      let value = raw === undefined || raw === null ? undefined : String(raw);
      if (value === undefined || (value === '' && spec.required)) {
        if (spec.default !== undefined) value = String(spec.default);
        else if (spec.required) throw new HttpError(422, `Required input '${name}' not provided`);
        else if (spec.type === 'boolean') value = 'false';
        else continue;
      }
      if (spec.type === 'choice' && spec.options && !spec.options.includes(value)) {
        throw new HttpError(422, `Provided value '${value}' for input '${name}' not in the list of allowed values`);
      }
      if (spec.type === 'boolean' && value !== 'true' && value !== 'false') {
        throw new HttpError(422, `Provided value '${value}' for input '${name}' is not a valid boolean`);
      }
      if (spec.type === 'number' && (value.trim() === '' || Number.isNaN(Number(value)))) {
        throw new HttpError(422, `Provided value '${value}' for input '${name}' is not a valid number`);
      }
      if (spec.type === 'environment' && !this.environment(repo, value)) {
        throw new HttpError(422, `Provided value '${value}' for input '${name}' is not a valid environment`);
      }
      size += name.length + value.length;
      inputs[name] = value;
    }
    if (size > MAX_DISPATCH_INPUT_CHARS) throw new HttpError(422, 'inputs are too large.');

    return this.createRun(repo, wf, resolved.name, resolved.sha, inputs, actor);
  }

  private createRun(
    repo: RepoRec,
    wf: WorkflowRec,
    refName: string,
    sha: string,
    inputs: Record<string, string>,
    actor: UserRec,
  ): RunRec {
    const id = this.next('run');
    const now = this.nowIso();
    wf.runCounter += 1;
    const context = { inputs, refName, actor: actor.login };
    const jobs: JobRec[] = wf.jobs.map(job => {
      const jobId = this.next('job');
      const environment = job.environment ? interpolate(job.environment, context) || null : null;
      return {
        id: jobId,
        nodeId: nodeId('CheckRun', jobId),
        checkRunId: jobId,
        name: job.name,
        environment,
        environmentUrl: job.environmentUrl ? interpolate(job.environmentUrl, context) || null : null,
        status: 'queued',
        conclusion: null,
        createdAt: now,
        startedAt: null,
        completedAt: null,
        steps: job.steps?.length ? job.steps : ['Run'],
        deploymentId: null,
        gate: null,
        forced: null,
      };
    });
    const run: RunRec = {
      id,
      nodeId: nodeId('WorkflowRun', id),
      repo,
      workflow: wf,
      runNumber: wf.runCounter,
      checkSuiteId: this.next('checkSuite'),
      headBranch: refName,
      headSha: sha,
      event: 'workflow_dispatch',
      status: 'queued',
      conclusion: null,
      actor,
      inputs,
      displayTitle: (wf.runName ? interpolate(wf.runName, context) : '') || wf.name,
      createdAt: now,
      updatedAt: now,
      runStartedAt: now,
      jobs,
      hiddenForLists: this.runListingLag,
      reviews: [],
    };
    if (this.failNext > 0) {
      this.failNext -= 1;
      const first = run.jobs[0];
      if (first) first.forced = 'failure';
    }
    this.runs.set(id, run);
    return run;
  }

  failNextRuns(count: number): void {
    this.failNext += count;
  }

  // ---------------------------------------------------------------- run lifecycle

  currentJob(run: RunRec): JobRec | undefined {
    return run.jobs.find(j => j.status !== 'completed');
  }

  /** One deterministic step; false when nothing can move (completed, or waiting for a reviewer). */
  step(run: RunRec): boolean {
    if (run.status === 'completed') return false;
    const now = this.nowIso();
    if (run.status === 'queued') {
      run.status = 'in_progress';
      run.runStartedAt = now;
      run.updatedAt = now;
      const first = run.jobs[0];
      if (first) this.startJob(run, first);
      else this.completeRun(run, 'success');
      return true;
    }
    const job = this.currentJob(run);
    if (!job) {
      this.completeRun(run, 'success');
      return true;
    }
    switch (job.status) {
      case 'queued': {
        if (job.gate && !this.gateOpen(job.gate)) {
          job.status = 'waiting';
          job.gate.waitingSince = now;
          run.status = 'waiting';
          run.updatedAt = now;
        } else {
          this.beginJob(run, job);
        }
        return true;
      }
      case 'waiting': {
        const gate = job.gate;
        if (!gate) {
          this.beginJob(run, job);
          return true;
        }
        if (!gate.timerPassed) {
          gate.timerPassed = true;
          if (this.gateOpen(gate)) this.beginJob(run, job);
          else run.updatedAt = now;
          return true;
        }
        return false; // waiting for a reviewer
      }
      case 'in_progress': {
        const conclusion = job.forced ?? 'success';
        this.finishJob(run, job, conclusion);
        if (conclusion !== 'success') {
          this.completeRun(run, 'failure');
          return true;
        }
        const next = this.currentJob(run);
        if (next) this.startJob(run, next);
        else this.completeRun(run, 'success');
        return true;
      }
      default:
        return false;
    }
  }

  private gateOpen(gate: JobGate): boolean {
    return (!gate.reviewersRequired || gate.approved) && gate.timerPassed;
  }

  /** The job becomes the current one: a deployment is created for its environment; ungated jobs start at once. */
  private startJob(run: RunRec, job: JobRec): void {
    if (job.environment) {
      const env =
        this.environment(run.repo, job.environment) ?? this.upsertEnvironment(run.repo, { name: job.environment });
      const deployment = this.createDeployment(run, job, env.name);
      job.deploymentId = deployment.id;
      if (env.reviewers.length > 0 || env.waitTimer > 0) {
        job.gate = { reviewersRequired: env.reviewers.length > 0, approved: false, timerPassed: env.waitTimer === 0 };
        run.updatedAt = this.nowIso();
        return;
      }
    }
    this.beginJob(run, job);
  }

  private beginJob(run: RunRec, job: JobRec): void {
    const now = this.nowIso();
    job.status = 'in_progress';
    job.startedAt = now;
    run.status = run.jobs.some(j => j.status === 'waiting') ? 'waiting' : 'in_progress';
    run.updatedAt = now;
    this.addDeploymentStatus(job, 'in_progress', 'Deployment started');
  }

  private finishJob(run: RunRec, job: JobRec, conclusion: Exclude<RunConclusion, null>): void {
    const now = this.nowIso();
    job.status = 'completed';
    job.conclusion = conclusion;
    job.startedAt ??= now;
    job.completedAt = now;
    run.updatedAt = now;
    if (job.deploymentId === null) return;
    if (conclusion === 'success') {
      const deployment = this.deployments.find(d => d.id === job.deploymentId);
      if (deployment) {
        // GitHub marks earlier successful deployments to the environment inactive.
        for (const other of this.deployments) {
          if (other === deployment || other.repo !== deployment.repo || other.environment !== deployment.environment)
            continue;
          if (other.statuses.at(-1)?.state === 'success')
            this.pushStatus(other, 'inactive', 'Superseded by a newer deployment', null);
        }
      }
      this.addDeploymentStatus(job, 'success', 'Deployment succeeded');
    } else if (conclusion === 'cancelled') {
      this.addDeploymentStatus(job, 'error', 'Deployment cancelled');
    } else {
      this.addDeploymentStatus(
        job,
        'failure',
        conclusion === 'timed_out' ? 'Deployment timed out' : 'Deployment failed',
      );
    }
  }

  private completeRun(run: RunRec, conclusion: Exclude<RunConclusion, null>): void {
    const now = this.nowIso();
    for (const job of run.jobs) {
      if (job.status === 'completed') continue;
      job.status = 'completed';
      job.conclusion = conclusion === 'cancelled' ? 'cancelled' : 'skipped';
      job.completedAt = now;
    }
    run.status = 'completed';
    run.conclusion = conclusion;
    run.updatedAt = now;
  }

  cancel(run: RunRec): void {
    if (run.status === 'completed') throw new HttpError(409, 'Cannot cancel a workflow run that is completed.');
    const job = this.currentJob(run);
    if (job && job.status !== 'queued') this.finishJob(run, job, 'cancelled');
    else if (job?.deploymentId) this.addDeploymentStatus(job, 'error', 'Deployment cancelled');
    this.completeRun(run, 'cancelled');
  }

  forceFailure(run: RunRec, jobName: string | undefined, conclusion: 'failure' | 'timed_out'): void {
    const job = jobName ? run.jobs.find(j => j.name === jobName) : this.currentJob(run);
    if (!job) throw new Error(`run ${run.id}: no job ${jobName ?? '(current)'} to fail`);
    if (job.status === 'completed') throw new Error(`run ${run.id}: job ${job.name} is already completed`);
    job.forced = conclusion;
  }

  /** Environments the run waits on (its jobs in `waiting`). */
  pendingJobs(run: RunRec): JobRec[] {
    return run.status === 'waiting' ? run.jobs.filter(j => j.status === 'waiting' && j.environment) : [];
  }

  canReview(run: RunRec, env: EnvironmentRec, user: UserRec | undefined): boolean {
    if (!user || user.type !== 'User') return false;
    if (!env.reviewers.some(r => lower(r) === lower(user.login))) return false;
    if (env.preventSelfReview && lower(run.actor.login) === lower(user.login)) return false;
    return true;
  }

  /** Approve or reject waiting deployments; returns the deployments reviewed. */
  review(
    run: RunRec,
    user: UserRec | undefined,
    environmentIds: number[],
    state: 'approved' | 'rejected',
    comment: string,
  ): DeploymentRec[] {
    const pending = this.pendingJobs(run);
    if (pending.length === 0) throw new HttpError(422, 'There are no pending deployments for this workflow run.');
    const targets = environmentIds.map(envId => {
      const job = pending.find(j => j.environment && this.environment(run.repo, j.environment)?.id === envId);
      if (!job) throw new HttpError(422, `Environment ${envId} is not waiting for a review in this workflow run.`);
      const env = this.environment(run.repo, job.environment ?? '');
      if (!env) throw new HttpError(422, `Environment ${envId} is not waiting for a review in this workflow run.`);
      return { job, env };
    });
    if (targets.length === 0) throw invalidRequest('"environment_ids" must not be empty.');
    for (const { env } of targets) {
      if (!env.reviewers.length) throw new HttpError(422, `Environment ${env.name} has no required reviewers.`);
      if (!this.canReview(run, env, user)) {
        const self = env.preventSelfReview && user && lower(run.actor.login) === lower(user.login);
        // A permission problem, not a malformed request: 403, so that clients can tell
        // "you may not approve this" apart from validation errors and rate limits.
        throw new HttpError(
          403,
          self
            ? `Self-review is not allowed for the ${env.name} environment: the run was triggered by ${user?.login}.`
            : `${user?.login ?? 'This token'} is not a required reviewer for the ${env.name} environment.`,
        );
      }
    }
    const reviewer = user as UserRec;
    run.reviews.push({ environments: targets.map(t => t.env), state, user: reviewer, comment });
    const reviewed: DeploymentRec[] = [];
    for (const { job } of targets) {
      const deployment = this.deployments.find(d => d.id === job.deploymentId);
      if (deployment) reviewed.push(deployment);
      if (state === 'approved') {
        if (job.gate) job.gate.approved = true;
        if (!job.gate || this.gateOpen(job.gate)) this.beginJob(run, job);
      } else {
        this.finishJob(run, job, 'failure');
      }
    }
    if (state === 'rejected') this.completeRun(run, 'failure');
    return reviewed;
  }

  // ---------------------------------------------------------------- deployments

  private createDeployment(run: RunRec, job: JobRec, environment: string): DeploymentRec {
    const id = this.next('deployment');
    const now = this.nowIso();
    const deployment: DeploymentRec = {
      id,
      nodeId: nodeId('Deployment', id),
      repo: run.repo,
      sha: run.headSha,
      ref: run.headBranch,
      task: 'deploy',
      environment,
      payload: {},
      description: null,
      creator: run.actor,
      createdAt: now,
      updatedAt: now,
      statuses: [],
      runId: run.id,
      jobId: job.id,
    };
    this.deployments.push(deployment);
    this.pushStatus(deployment, 'queued', 'Deployment queued', this.urls.jobHtmlUrl(run, job));
    return deployment;
  }

  private addDeploymentStatus(job: JobRec, state: DeploymentState, description: string): void {
    if (job.deploymentId === null) return;
    const deployment = this.deployments.find(d => d.id === job.deploymentId);
    if (!deployment) return;
    const run = this.runs.get(deployment.runId);
    const logUrl = run ? this.urls.jobHtmlUrl(run, job) : null;
    this.pushStatus(
      deployment,
      state,
      description,
      logUrl,
      state === 'in_progress' || state === 'success' ? job.environmentUrl : null,
    );
  }

  private pushStatus(
    deployment: DeploymentRec,
    state: DeploymentState,
    description: string,
    logUrl: string | null,
    environmentUrl: string | null = null,
  ): void {
    const id = this.next('status');
    const now = this.nowIso();
    const previous = deployment.statuses.at(-1);
    deployment.statuses.push({
      id,
      nodeId: nodeId('DeploymentStatus', id),
      state,
      creator: deployment.creator,
      description,
      environment: deployment.environment,
      logUrl: logUrl ?? previous?.logUrl ?? null,
      environmentUrl,
      createdAt: now,
    });
    deployment.updatedAt = now;
  }
}
