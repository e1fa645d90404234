/**
 * The REST endpoints. Each route names its OpenAPI path template (used for
 * metering and by the conformance tests) and a handler producing the answer.
 */
import { HttpError, invalidRequest, notFound } from './errors';
import {
  commitDetail,
  commitObject,
  contentEntry,
  contentFile,
  deploymentObject,
  deploymentStatusObject,
  environmentApproval,
  environmentObject,
  fullRepository,
  repository,
  gitBlobSha,
  gitRef,
  integrationObject,
  jobObject,
  pendingDeployment,
  publicUser,
  pullSimple,
  runApiUrl,
  runHtmlUrl,
  shortBranch,
  tagObject,
  workflowObject,
  workflowRun,
  type Urls,
} from './render';
import {
  MAX_DISPATCH_INPUTS,
  MAX_DISPATCH_INPUTS_OLD_GHES,
  permissionAtLeast,
  sha1,
  type AppRec,
  type InstallationTokenRec,
  type RepoRec,
  type RunRec,
  type SimState,
  type UserRec,
} from './state';
import type { RateLimitSnapshot, RepoPermission } from './types';

export type Identity =
  | { kind: 'user'; label: string; token: string; user: UserRec; limit: number }
  | { kind: 'installation'; label: string; token: string; rec: InstallationTokenRec; limit: number }
  | { kind: 'app'; label: string; token: string; app: AppRec; limit: number }
  | { kind: 'anonymous'; label: 'anonymous'; token: null; limit: number };

export interface Ctx {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  identity: Identity;
  state: SimState;
  urls: Urls;
  apiVersion: string;
  ghesVersion: string | null;
  /** Absolute URL of this request (for Link headers). */
  requestUrl: URL;
  rateLimit(): RateLimitSnapshot;
}

export interface Result {
  status: number;
  body?: unknown;
  /** Raw text answer (for `application/vnd.github.raw`). */
  raw?: { text: string; contentType: string };
  headers?: Record<string, string>;
}

/** App permission areas. */
type Scope = 'metadata' | 'contents' | 'actions' | 'deployments' | 'pull_requests';

export interface Route {
  method: string;
  template: string;
  /** Not charged to the primary limit (GET /rate_limit). */
  primaryExempt?: boolean;
  handler(ctx: Ctx): Result;
}

// ------------------------------------------------------------------ access

function permissionOf(ctx: Ctx, repo: RepoRec, scope: Scope): RepoPermission | 'none' | 'no-scope' {
  const id = ctx.identity;
  switch (id.kind) {
    case 'user': {
      const login = id.user.login.toLowerCase();
      const explicit = repo.collaborators.get(login);
      if (explicit) return explicit;
      if (repo.owner.login.toLowerCase() === login) return 'admin';
      return repo.private ? 'none' : 'read';
    }
    case 'installation': {
      const inst = id.rec.installation;
      const inRepo =
        repo.owner.login.toLowerCase() === inst.account.toLowerCase() &&
        (id.rec.repositories === 'all' || id.rec.repositories.some(r => r.toLowerCase() === repo.name.toLowerCase()));
      if (!inRepo) return repo.private ? 'none' : 'read';
      const level = scope === 'metadata' ? 'read' : id.rec.permissions[scope];
      if (!level) return 'no-scope';
      return level === 'write' ? 'write' : 'read';
    }
    case 'app':
      return 'no-scope';
    case 'anonymous':
      return repo.private ? 'none' : 'read';
  }
}

const integrationForbidden = (scope: Scope, need: 'read' | 'write') =>
  new HttpError(403, 'Resource not accessible by integration', {
    headers: { 'x-accepted-github-permissions': `${scope}=${need}` },
  });

/** The repository, or 404 (no access to a private repo) / 403 (not enough permission). */
function loadRepo(
  ctx: Ctx,
  scope: Scope,
  need: 'read' | 'write' = 'read',
): { repo: RepoRec; permission: RepoPermission | 'none' } {
  const owner = ctx.params.owner ?? '';
  const name = ctx.params.repo ?? '';
  const repo = ctx.state.repo(owner, name);
  if (!repo) throw notFound();
  const permission = permissionOf(ctx, repo, scope);
  if (permission === 'none') throw notFound();
  if (permission === 'no-scope') {
    if (repo.private && ctx.identity.kind === 'app') throw integrationForbidden(scope, need);
    throw integrationForbidden(scope, need);
  }
  if (need === 'write' && !permissionAtLeast(permission, 'write')) {
    if (ctx.identity.kind === 'installation') throw integrationForbidden(scope, need);
    throw new HttpError(403, 'Must have admin rights to Repository.', {
      headers: { 'x-accepted-oauth-scopes': 'repo', 'x-accepted-github-permissions': `${scope}=write` },
    });
  }
  return { repo, permission };
}

function loadRun(ctx: Ctx, repo: RepoRec): RunRec {
  const id = Number(ctx.params.run_id);
  const run = Number.isSafeInteger(id) ? ctx.state.runs.get(id) : undefined;
  if (!run || run.repo !== repo) throw notFound();
  return run;
}

// ------------------------------------------------------------------ pagination

function pageParams(ctx: Ctx): { page: number; perPage: number } {
  const perPageRaw = Number(ctx.query.get('per_page') ?? 30);
  const pageRaw = Number(ctx.query.get('page') ?? 1);
  const perPage = Number.isInteger(perPageRaw) && perPageRaw > 0 ? Math.min(perPageRaw, 100) : 30;
  const page = Number.isInteger(pageRaw) && pageRaw > 0 ? pageRaw : 1;
  return { page, perPage };
}

/** A page of `items` plus GitHub's `Link` header (prev, next, last, first). */
function paginate<T>(ctx: Ctx, items: T[]): { items: T[]; headers: Record<string, string> } {
  const { page, perPage } = pageParams(ctx);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number) => {
    const url = new URL(ctx.requestUrl.href);
    url.searchParams.set('page', String(p));
    return url.href;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(`<${link(Math.min(page - 1, lastPage))}>; rel="prev"`);
  if (page < lastPage) parts.push(`<${link(page + 1)}>; rel="next"`, `<${link(lastPage)}>; rel="last"`);
  if (page > 1) parts.push(`<${link(1)}>; rel="first"`);
  return { items: slice, headers: parts.length ? { link: parts.join(', ') } : {} };
}

// ------------------------------------------------------------------ body checks

function objectBody(ctx: Ctx): Record<string, unknown> {
  const body = ctx.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body) || body === null) {
    throw invalidRequest(`${JSON.stringify(body)} is not an object.`);
  }
  return body as Record<string, unknown>;
}

function rejectUnknownKeys(body: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalidRequest(`"${key}" is not a permitted key.`);
  }
}

// ------------------------------------------------------------------ run filters

/** GitHub search syntax for `created`: `>=x`, `>x`, `<=x`, `<x`, `a..b`, or a date. */
function createdMatcher(expression: string): (iso: string) => boolean {
  const parse = (value: string, end: boolean) => {
    if (value === '*') return end ? Infinity : -Infinity;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T00:00:00Z`) + (end ? 86_400_000 - 1 : 0);
    const t = Date.parse(value);
    if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
      throw invalidRequest(`For 'created', "${expression}" is not a valid date-time range.`);
    return t;
  };
  const cmp = /^(>=|<=|>|<)(.+)$/.exec(expression);
  if (cmp?.[1] && cmp[2]) {
    const op = cmp[1];
    const bound = parse(cmp[2], op === '>' || op === '<=');
    return iso => {
      const t = Date.parse(iso);
      return op === '>=' ? t >= bound : op === '>' ? t > bound : op === '<=' ? t <= bound : t < bound;
    };
  }
  const range = /^(.+)\.\.(.+)$/.exec(expression);
  if (range?.[1] && range[2]) {
    const from = parse(range[1], false);
    const to = parse(range[2], true);
    return iso => Date.parse(iso) >= from && Date.parse(iso) <= to;
  }
  const from = parse(expression, false);
  const to = /^\d{4}-\d{2}-\d{2}$/.test(expression) ? parse(expression, true) : from;
  return iso => Date.parse(iso) >= from && Date.parse(iso) <= to;
}

const RUN_STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'];
const RUN_FILTER_VALUES = [
  ...RUN_STATUSES,
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'skipped',
  'stale',
  'success',
  'timed_out',
];

function listRuns(ctx: Ctx, repo: RepoRec, workflowId: number | null): Result {
  const q = ctx.query;
  const status = q.get('status');
  if (status && !RUN_FILTER_VALUES.includes(status))
    throw invalidRequest(`For 'status', "${status}" is not a valid value.`);
  const created = q.get('created') ? createdMatcher(q.get('created') ?? '') : null;
  const branch = q.get('branch');
  const event = q.get('event');
  const headSha = q.get('head_sha');
  const actor = q.get('actor');
  const checkSuite = q.get('check_suite_id');
  const all = [...ctx.state.runs.values()].filter(
    r => r.repo === repo && (workflowId === null || r.workflow.id === workflowId),
  );
  const visible = all.filter(r => r.hiddenForLists <= 0);
  for (const r of all) if (r.hiddenForLists > 0) r.hiddenForLists -= 1;
  const runs = visible
    .filter(r => !branch || r.headBranch === branch)
    .filter(r => !event || r.event === event)
    .filter(r => !status || (RUN_STATUSES.includes(status) ? r.status === status : r.conclusion === status))
    .filter(r => !headSha || r.headSha === headSha.toLowerCase())
    .filter(r => !actor || r.actor.login.toLowerCase() === actor.toLowerCase())
    .filter(r => !checkSuite || String(r.checkSuiteId) === checkSuite)
    .filter(r => !created || created(r.createdAt))
    .sort((a, b) => b.id - a.id);
  const page = paginate(ctx, runs);
  return {
    status: 200,
    body: { total_count: runs.length, workflow_runs: page.items.map(r => workflowRun(r, ctx.urls)) },
    headers: page.headers,
  };
}

// ------------------------------------------------------------------ contents

function repoFiles(repo: RepoRec): Map<string, string> {
  const files = new Map(repo.files);
  for (const wf of repo.workflows) files.set(wf.path, wf.content);
  return files;
}

function getContent(ctx: Ctx): Result {
  const { repo } = loadRepo(ctx, 'contents');
  const ref = ctx.query.get('ref') ?? repo.defaultBranch;
  const sha = ctx.state.resolveCommitish(repo, ref);
  if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`);
  const path = (ctx.params.path ?? '').replace(/^\/+|\/+$/g, '');
  const files = repoFiles(repo);
  const text = files.get(path);
  const accept = String(ctx.headers.accept ?? '');
  if (text !== undefined) {
    if (accept.includes('application/vnd.github.raw')) {
      return { status: 200, raw: { text, contentType: 'application/vnd.github.raw; charset=utf-8' } };
    }
    return { status: 200, body: contentFile(repo, path, text, ref, ctx.urls) };
  }
  const prefix = path === '' ? '' : `${path}/`;
  const children = new Map<string, { type: 'file' | 'dir'; size: number; sha: string }>();
  for (const [filePath, content] of files) {
    if (!filePath.startsWith(prefix)) continue;
    const rest = filePath.slice(prefix.length);
    const [first, ...more] = rest.split('/');
    if (!first) continue;
    const childPath = `${prefix}${first}`;
    if (more.length === 0)
      children.set(childPath, { type: 'file', size: Buffer.byteLength(content), sha: gitBlobSha(content) });
    else if (!children.has(childPath))
      children.set(childPath, { type: 'dir', size: 0, sha: sha1(`tree\0${repo.key}\0${childPath}`) });
  }
  if (children.size === 0) throw notFound();
  const entries = [...children.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([childPath, e]) => contentEntry(repo, childPath, e.type, e.size, e.sha, ref, ctx.urls));
  return { status: 200, body: entries };
}

// ------------------------------------------------------------------ dispatch

function dispatch(ctx: Ctx): Result {
  const { repo } = loadRepo(ctx, 'actions', 'write');
  const body = objectBody(ctx);
  const ghesOld = ctx.ghesVersion !== null && compareVersions(ctx.ghesVersion, '3.20') <= 0;
  rejectUnknownKeys(body, ghesOld ? ['ref', 'inputs'] : ['ref', 'inputs', 'return_run_details']);
  const wf = ctx.state.workflow(repo, ctx.params.workflow_id ?? '');
  if (!wf) throw notFound();
  if (body.ref === undefined) throw invalidRequest('"ref" wasn\'t supplied.');
  if (typeof body.ref !== 'string')
    throw invalidRequest(`For 'properties/ref', ${JSON.stringify(body.ref)} is not a string.`);
  const inputs = body.inputs ?? {};
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw invalidRequest(`For 'properties/inputs', ${JSON.stringify(inputs)} is not an object.`);
  }
  if (body.return_run_details !== undefined && typeof body.return_run_details !== 'boolean') {
    throw invalidRequest(
      `For 'properties/return_run_details', ${JSON.stringify(body.return_run_details)} is not a boolean.`,
    );
  }
  const actor = actorOf(ctx);
  const maxInputs =
    ctx.ghesVersion !== null && compareVersions(ctx.ghesVersion, '3.19') <= 0
      ? MAX_DISPATCH_INPUTS_OLD_GHES
      : MAX_DISPATCH_INPUTS;
  const run = ctx.state.dispatch(repo, wf, body.ref, inputs as Record<string, unknown>, actor, maxInputs);
  const details = body.return_run_details === true || ctx.apiVersion >= '2026-03-10';
  if (!details) return { status: 204 };
  return {
    status: 200,
    body: { workflow_run_id: run.id, run_url: runApiUrl(run, ctx.urls), html_url: runHtmlUrl(run, ctx.urls) },
  };
}

function actorOf(ctx: Ctx): UserRec {
  const id = ctx.identity;
  if (id.kind === 'user') return id.user;
  if (id.kind === 'installation') return id.rec.installation.app.bot;
  throw new HttpError(403, 'Resource not accessible by integration');
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// ------------------------------------------------------------------ reviews

function reviewPending(ctx: Ctx): Result {
  const { repo } = loadRepo(ctx, 'actions');
  const run = loadRun(ctx, repo);
  const body = objectBody(ctx);
  for (const key of ['environment_ids', 'state', 'comment']) {
    if (body[key] === undefined) throw invalidRequest(`"${key}" wasn't supplied.`);
  }
  const ids = body.environment_ids;
  if (!Array.isArray(ids) || !ids.every(v => Number.isInteger(v))) {
    throw invalidRequest(`For 'properties/environment_ids', ${JSON.stringify(ids)} is not an array of integers.`);
  }
  if (body.state !== 'approved' && body.state !== 'rejected') {
    throw invalidRequest(
      `For 'properties/state', ${JSON.stringify(body.state)} is not a member of ["approved", "rejected"].`,
    );
  }
  if (typeof body.comment !== 'string')
    throw invalidRequest(`For 'properties/comment', ${JSON.stringify(body.comment)} is not a string.`);
  const user = ctx.identity.kind === 'user' ? ctx.identity.user : undefined;
  const deployments = ctx.state.review(run, user, ids as number[], body.state, body.comment);
  return { status: 200, body: deployments.map(d => deploymentObject(d, ctx.urls)) };
}

// ------------------------------------------------------------------ apps

function requireApp(ctx: Ctx): AppRec {
  if (ctx.identity.kind !== 'app') throw new HttpError(401, 'A JSON web token could not be decoded');
  return ctx.identity.app;
}

function createInstallationToken(ctx: Ctx): Result {
  const app = requireApp(ctx);
  const inst = app.installations.get(Number(ctx.params.installation_id));
  if (!inst) throw notFound();
  const body = objectBody(ctx);
  let permissions = { ...inst.permissions };
  if (body.permissions !== undefined) {
    const asked = body.permissions as Record<string, unknown>;
    if (typeof asked !== 'object' || asked === null)
      throw invalidRequest("For 'properties/permissions', it is not an object.");
    const narrowed: Record<string, 'read' | 'write'> = {};
    for (const [scope, level] of Object.entries(asked)) {
      const granted = inst.permissions[scope];
      if ((level !== 'read' && level !== 'write') || !granted || (level === 'write' && granted !== 'write')) {
        throw new HttpError(422, 'The permissions requested are not granted to this installation.');
      }
      narrowed[scope] = level;
    }
    permissions = narrowed;
  }
  let repositories: 'all' | string[] = inst.repositories;
  const names = body.repositories;
  const ids = body.repository_ids;
  if (names !== undefined || ids !== undefined) {
    const accessible = [...ctx.state.repos.values()].filter(
      r =>
        r.owner.login.toLowerCase() === inst.account.toLowerCase() &&
        (inst.repositories === 'all' || inst.repositories.some(n => n.toLowerCase() === r.name.toLowerCase())),
    );
    const picked: string[] = [];
    for (const n of Array.isArray(names) ? names : []) {
      const r = accessible.find(a => a.name.toLowerCase() === String(n).toLowerCase());
      if (!r)
        throw new HttpError(
          422,
          'There is at least one repository that does not exist or is not accessible to the parent installation.',
        );
      picked.push(r.name);
    }
    for (const i of Array.isArray(ids) ? ids : []) {
      const r = accessible.find(a => a.id === i);
      if (!r)
        throw new HttpError(
          422,
          'There is at least one repository that does not exist or is not accessible to the parent installation.',
        );
      picked.push(r.name);
    }
    repositories = picked;
  }
  const rec = ctx.state.issueInstallationToken(inst, permissions, repositories);
  const selected = repositories !== 'all';
  return {
    status: 201,
    body: {
      token: rec.token,
      expires_at: new Date(rec.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions,
      repository_selection: selected ? 'selected' : 'all',
      ...(selected
        ? {
            repositories: (repositories as string[]).map(n => {
              const r = ctx.state.repo(inst.account, n);
              if (!r) throw notFound();
              return repository(r, ctx.urls, null);
            }),
          }
        : {}),
    },
  };
}

// ------------------------------------------------------------------ routes

export function routes(): Route[] {
  return [
    {
      method: 'GET',
      template: '/rate_limit',
      primaryExempt: true,
      handler(ctx) {
        const core = ctx.rateLimit();
        const reset = Math.floor(ctx.state.now() / 1000) + 60;
        const fresh = (limit: number) => ({ limit, used: 0, remaining: limit, reset });
        return {
          status: 200,
          body: {
            resources: {
              core,
              search: fresh(30),
              graphql: fresh(core.limit),
              integration_manifest: fresh(5000),
              code_search: fresh(10),
            },
            rate: core,
          },
        };
      },
    },
    {
      method: 'GET',
      template: '/user',
      handler(ctx) {
        const id = ctx.identity;
        if (id.kind === 'anonymous') throw new HttpError(401, 'Requires authentication');
        if (id.kind !== 'user') throw new HttpError(403, 'Resource not accessible by integration');
        const publicRepos = [...ctx.state.repos.values()].filter(r => r.owner === id.user && !r.private).length;
        return { status: 200, body: publicUser(id.user, ctx.urls, publicRepos) };
      },
    },
    {
      method: 'GET',
      template: '/app',
      handler(ctx) {
        const app = requireApp(ctx);
        const permissions: Record<string, string> = {};
        for (const inst of app.installations.values()) Object.assign(permissions, inst.permissions);
        return { status: 200, body: integrationObject(app, ctx.urls, permissions) };
      },
    },
    {
      method: 'POST',
      template: '/app/installations/{installation_id}/access_tokens',
      handler: createInstallationToken,
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}',
      handler(ctx) {
        const { repo, permission } = loadRepo(ctx, 'metadata');
        const shown = ctx.identity.kind === 'anonymous' ? null : permission;
        return { status: 200, body: fullRepository(repo, ctx.urls, shown) };
      },
    },
    { method: 'GET', template: '/repos/{owner}/{repo}/contents/{path}', handler: getContent },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/branches',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'contents');
        const onlyProtected = ctx.query.get('protected');
        const branches = [...repo.branches.entries()]
          .filter(([, b]) => onlyProtected === null || String(b.protected) === onlyProtected)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, b]) => shortBranch(repo, name, b.sha, b.protected, ctx.urls));
        const page = paginate(ctx, branches);
        return { status: 200, body: page.items, headers: page.headers };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/git/ref/{ref}',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'contents');
        const ref = ctx.params.ref ?? '';
        const heads = /^heads\/(.+)$/.exec(ref)?.[1];
        const tags = /^tags\/(.+)$/.exec(ref)?.[1];
        const sha =
          heads !== undefined ? repo.branches.get(heads)?.sha : tags !== undefined ? repo.tags.get(tags) : undefined;
        if (!sha) throw notFound();
        return { status: 200, body: gitRef(repo, `refs/${ref}`, sha, ctx.urls) };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/tags',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'contents');
        const tags = [...repo.tags.entries()]
          .sort(([a], [b]) => b.localeCompare(a, 'en', { numeric: true }))
          .map(([name, sha]) => tagObject(repo, name, sha, ctx.urls));
        const page = paginate(ctx, tags);
        return { status: 200, body: page.items, headers: page.headers };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/commits',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'contents');
        const from = ctx.query.get('sha') ?? repo.defaultBranch;
        const head = ctx.state.resolveCommitish(repo, from);
        if (!head) throw new HttpError(404, `No commit found for SHA: ${from}`);
        const since = ctx.query.get('since');
        const until = ctx.query.get('until');
        const author = ctx.query.get('author');
        const commits = ctx.state
          .history(repo, head)
          .filter(c => !since || Date.parse(c.date) >= Date.parse(since))
          .filter(c => !until || Date.parse(c.date) <= Date.parse(until))
          .filter(c => !author || c.authorLogin?.toLowerCase() === author.toLowerCase() || c.authorEmail === author);
        const page = paginate(ctx, commits);
        return {
          status: 200,
          body: page.items.map(c => commitObject(repo, c, ctx.state, ctx.urls)),
          headers: page.headers,
        };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/commits/{ref}',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'contents');
        const ref = ctx.params.ref ?? '';
        const sha = ctx.state.resolveCommitish(repo, ref);
        const commit = sha ? repo.commits.get(sha) : undefined;
        if (!commit) throw new HttpError(422, `No commit found for SHA: ${ref}`);
        return { status: 200, body: commitDetail(repo, commit, ctx.state, ctx.urls) };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/pulls',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'pull_requests');
        const state = ctx.query.get('state') ?? 'open';
        if (!['open', 'closed', 'all'].includes(state))
          throw new HttpError(422, 'Validation Failed', {
            errors: [{ resource: 'Search', field: 'state', code: 'invalid' }],
          });
        const head = ctx.query.get('head');
        const base = ctx.query.get('base');
        const sort = ctx.query.get('sort') ?? 'created';
        const direction = ctx.query.get('direction') ?? (sort === 'created' || sort === 'updated' ? 'desc' : 'desc');
        const key = (p: (typeof repo.pulls)[number]) => (sort === 'updated' ? p.updatedAt : p.createdAt);
        const pulls = repo.pulls
          .filter(p => state === 'all' || p.state === state)
          .filter(p => !head || `${repo.owner.login}:${p.head}`.toLowerCase() === head.toLowerCase())
          .filter(p => !base || p.base === base)
          .sort((a, b) => (direction === 'asc' ? 1 : -1) * (key(a).localeCompare(key(b)) || a.number - b.number));
        const page = paginate(ctx, pulls);
        return { status: 200, body: page.items.map(p => pullSimple(repo, p, ctx.urls)), headers: page.headers };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/actions/workflows',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions');
        const page = paginate(ctx, repo.workflows);
        return {
          status: 200,
          body: {
            total_count: repo.workflows.length,
            workflows: page.items.map(w => workflowObject(repo, w, ctx.urls)),
          },
          headers: page.headers,
        };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions');
        const wf = ctx.state.workflow(repo, ctx.params.workflow_id ?? '');
        if (!wf) throw notFound();
        return { status: 200, body: workflowObject(repo, wf, ctx.urls) };
      },
    },
    { method: 'POST', template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', handler: dispatch },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions');
        const wf = ctx.state.workflow(repo, ctx.params.workflow_id ?? '');
        if (!wf) throw notFound();
        return listRuns(ctx, repo, wf.id);
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/actions/runs',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions');
        return listRuns(ctx, repo, null);
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/actions/runs/{run_id}',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions');
        return { status: 200, body: workflowRun(loadRun(ctx, repo), ctx.urls) };
      },
    },
    {
      method: 'POST',
      template: '/repos/{owner}/{repo}/actions/runs/{run_id}/cancel',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions', 'write');
        ctx.state.cancel(loadRun(ctx, repo));
        return { status: 202, body: {} };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions');
        const run = loadRun(ctx, repo);
        const filter = ctx.query.get('filter') ?? 'latest';
        if (filter !== 'latest' && filter !== 'all')
          throw invalidRequest(`For 'filter', "${filter}" is not a member of ["latest", "all"].`);
        const page = paginate(ctx, run.jobs);
        return {
          status: 200,
          body: { total_count: run.jobs.length, jobs: page.items.map(j => jobObject(run, j, ctx.urls)) },
          headers: page.headers,
        };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/actions/jobs/{job_id}',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions');
        const jobId = Number(ctx.params.job_id);
        for (const run of ctx.state.runs.values()) {
          if (run.repo !== repo) continue;
          const job = run.jobs.find(j => j.id === jobId);
          if (job) return { status: 200, body: jobObject(run, job, ctx.urls) };
        }
        throw notFound();
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions');
        const run = loadRun(ctx, repo);
        const viewer = ctx.identity.kind === 'user' ? ctx.identity.user : undefined;
        return {
          status: 200,
          body: ctx.state.pendingJobs(run).map(job => pendingDeployment(run, job, ctx.state, ctx.urls, viewer)),
        };
      },
    },
    {
      method: 'POST',
      template: '/repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
      handler: reviewPending,
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/actions/runs/{run_id}/approvals',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions');
        const run = loadRun(ctx, repo);
        return { status: 200, body: run.reviews.map(r => environmentApproval(run, r, ctx.urls)) };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/environments',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions');
        const envs = [...repo.environments].sort((a, b) => a.name.localeCompare(b.name));
        const page = paginate(ctx, envs);
        return {
          status: 200,
          body: {
            total_count: envs.length,
            environments: page.items.map(e => environmentObject(repo, e, ctx.state, ctx.urls)),
          },
          headers: page.headers,
        };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/environments/{environment_name}',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'actions');
        const env = ctx.state.environment(repo, ctx.params.environment_name ?? '');
        if (!env) throw notFound();
        return { status: 200, body: environmentObject(repo, env, ctx.state, ctx.urls) };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/deployments',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'deployments');
        const q = ctx.query;
        const deployments = ctx.state.deployments
          .filter(d => d.repo === repo)
          .filter(d => !q.get('sha') || d.sha === q.get('sha')?.toLowerCase())
          .filter(d => !q.get('ref') || d.ref === q.get('ref'))
          .filter(d => !q.get('task') || d.task === q.get('task'))
          .filter(d => !q.get('environment') || d.environment === q.get('environment'))
          .sort((a, b) => b.id - a.id);
        const page = paginate(ctx, deployments);
        return { status: 200, body: page.items.map(d => deploymentObject(d, ctx.urls)), headers: page.headers };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/deployments/{deployment_id}',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'deployments');
        const d = ctx.state.deployments.find(x => x.repo === repo && x.id === Number(ctx.params.deployment_id));
        if (!d) throw notFound();
        return { status: 200, body: deploymentObject(d, ctx.urls) };
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      handler(ctx) {
        const { repo } = loadRepo(ctx, 'deployments');
        const d = ctx.state.deployments.find(x => x.repo === repo && x.id === Number(ctx.params.deployment_id));
        if (!d) throw notFound();
        const statuses = [...d.statuses].reverse();
        const page = paginate(ctx, statuses);
        return {
          status: 200,
          body: page.items.map(s => deploymentStatusObject(d, s, ctx.urls)),
          headers: page.headers,
        };
      },
    },
  ];
}

export const GREEDY_PARAMS = new Set(['path', 'ref']);

/** Compiles a template such as `/repos/{owner}/{repo}/commits/{ref}` into a matcher. */
export function compileTemplate(template: string): (path: string) => Record<string, string> | null {
  const keys: string[] = [];
  const source = template
    .split('/')
    .map(part => {
      const m = /^\{(\w+)\}$/.exec(part);
      if (!m?.[1]) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      keys.push(m[1]);
      return GREEDY_PARAMS.has(m[1]) ? '(.+)' : '([^/]+)';
    })
    .join('/');
  const regex = new RegExp(`^${source}/?$`);
  return path => {
    const match = regex.exec(path);
    if (!match) return null;
    const params: Record<string, string> = {};
    keys.forEach((key, i) => {
      params[key] = decodeURIComponent(match[i + 1] ?? '');
    });
    return params;
  };
}
