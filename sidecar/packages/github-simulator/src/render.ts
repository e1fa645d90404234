/**
 * GitHub REST JSON shapes built from the simulator's state. Every shape is
 * checked against @octokit/openapi in the conformance tests.
 */
import type {
  AppRec,
  CommitRec,
  DeploymentRec,
  DeploymentStatusRec,
  EnvironmentRec,
  JobRec,
  PullRec,
  RepoRec,
  RunRec,
  SimState,
  UserRec,
  WorkflowRec,
} from './state';
import { nodeId, sha1 } from './state';
import type { RepoPermission } from './types';

export interface Urls {
  /** REST API base, e.g. http://127.0.0.1:7070 or http://127.0.0.1:7070/api/v3 */
  api: string;
  /** Web base for html_url, e.g. http://127.0.0.1:7070 */
  html: string;
}

const seg = (value: string) => encodeURIComponent(value);

export function simpleUser(u: UserRec, urls: Urls) {
  const api = `${urls.api}/users/${seg(u.login)}`;
  return {
    login: u.login,
    id: u.id,
    node_id: u.nodeId,
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.html}/${seg(u.login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    user_view_type: 'public',
    site_admin: u.siteAdmin,
  };
}

export function publicUser(u: UserRec, urls: Urls, publicRepos: number) {
  return {
    ...simpleUser(u, urls),
    name: u.name,
    company: null,
    blog: '',
    location: null,
    email: u.email,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: publicRepos,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: u.createdAt,
    updated_at: u.createdAt,
  };
}

export const repoApiUrl = (repo: RepoRec, urls: Urls) => `${urls.api}/repos/${seg(repo.owner.login)}/${seg(repo.name)}`;
export const repoHtmlUrl = (repo: RepoRec, urls: Urls) => `${urls.html}/${seg(repo.owner.login)}/${seg(repo.name)}`;

/** The fields common to minimal-repository, repository and full-repository. */
export function minimalRepository(repo: RepoRec, urls: Urls) {
  const api = repoApiUrl(repo, urls);
  const html = repoHtmlUrl(repo, urls);
  const host = new URL(urls.html).host;
  return {
    id: repo.id,
    node_id: repo.nodeId,
    name: repo.name,
    full_name: `${repo.owner.login}/${repo.name}`,
    private: repo.private,
    owner: simpleUser(repo.owner, urls),
    html_url: html,
    description: repo.description,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${host}/${repo.owner.login}/${repo.name}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${host}:${repo.owner.login}/${repo.name}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    hooks_url: `${api}/hooks`,
  };
}

const permissionsObject = (p: RepoPermission | 'none') => {
  const rank = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(p);
  return { admin: rank >= 5, maintain: rank >= 4, push: rank >= 3, triage: rank >= 2, pull: rank >= 1 };
};

/** The `repository` schema (pull request heads and bases, installation token repositories). */
export function repository(repo: RepoRec, urls: Urls, permission: RepoPermission | 'none' | null) {
  const html = repoHtmlUrl(repo, urls);
  const pushedAt = [...repo.commits.values()].reduce((max, c) => (c.date > max ? c.date : max), repo.createdAt);
  const openPulls = repo.pulls.filter(p => p.state === 'open').length;
  return {
    ...minimalRepository(repo, urls),
    clone_url: `${html}.git`,
    mirror_url: null,
    svn_url: html,
    homepage: null,
    language: 'TypeScript',
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 1024,
    default_branch: repo.defaultBranch,
    open_issues_count: openPulls,
    open_issues: openPulls,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? 'private' : 'public',
    pushed_at: pushedAt,
    created_at: repo.createdAt,
    updated_at: repo.updatedAt,
    ...(permission === null ? {} : { permissions: permissionsObject(permission) }),
    allow_forking: !repo.private,
    web_commit_signoff_required: false,
    license: null,
  };
}

/** The `full-repository` schema (GET /repos/{owner}/{repo}): `repository` plus counts and the organization. */
export function fullRepository(repo: RepoRec, urls: Urls, permission: RepoPermission | 'none' | null) {
  return {
    ...repository(repo, urls, permission),
    network_count: 0,
    subscribers_count: 1,
    ...(repo.owner.type === 'Organization' ? { organization: simpleUser(repo.owner, urls) } : {}),
  };
}

// ------------------------------------------------------------------ contents

const gitBlobSha = (text: string) => sha1(`blob ${Buffer.byteLength(text)}\0${text}`);

export function contentFile(repo: RepoRec, path: string, text: string, ref: string, urls: Urls) {
  const api = repoApiUrl(repo, urls);
  const sha = gitBlobSha(text);
  const self = `${api}/contents/${path.split('/').map(seg).join('/')}?ref=${seg(ref)}`;
  const html = `${repoHtmlUrl(repo, urls)}/blob/${seg(ref)}/${path}`;
  const git = `${api}/git/blobs/${sha}`;
  // GitHub wraps base64 content at 60 characters.
  const content = (
    Buffer.from(text)
      .toString('base64')
      .match(/.{1,60}/g) ?? []
  ).join('\n');
  return {
    type: 'file',
    encoding: 'base64',
    size: Buffer.byteLength(text),
    name: path.split('/').at(-1) ?? path,
    path,
    content: content ? `${content}\n` : '',
    sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: `${urls.html}/raw/${seg(repo.owner.login)}/${seg(repo.name)}/${seg(ref)}/${path}`,
    _links: { self, git, html },
  };
}

export function contentEntry(
  repo: RepoRec,
  path: string,
  type: 'file' | 'dir',
  size: number,
  sha: string,
  ref: string,
  urls: Urls,
) {
  const api = repoApiUrl(repo, urls);
  const self = `${api}/contents/${path.split('/').map(seg).join('/')}?ref=${seg(ref)}`;
  const html = `${repoHtmlUrl(repo, urls)}/${type === 'file' ? 'blob' : 'tree'}/${seg(ref)}/${path}`;
  const git = `${api}/git/${type === 'file' ? 'blobs' : 'trees'}/${sha}`;
  return {
    type,
    size,
    name: path.split('/').at(-1) ?? path,
    path,
    sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url:
      type === 'file' ? `${urls.html}/raw/${seg(repo.owner.login)}/${seg(repo.name)}/${seg(ref)}/${path}` : null,
    _links: { self, git, html },
  };
}

export { gitBlobSha };

// ------------------------------------------------------------------ git data

export function commitObject(repo: RepoRec, c: CommitRec, state: SimState, urls: Urls) {
  const api = repoApiUrl(repo, urls);
  const author = c.authorLogin ? state.user(c.authorLogin) : undefined;
  const signature = { name: c.authorName, email: c.authorEmail, date: c.date };
  return {
    url: `${api}/commits/${c.sha}`,
    sha: c.sha,
    node_id: nodeId('Commit', parseInt(c.sha.slice(0, 8), 16)),
    html_url: `${repoHtmlUrl(repo, urls)}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${c.sha}`,
      author: signature,
      committer: signature,
      message: c.message,
      comment_count: 0,
      tree: { sha: c.treeSha, url: `${api}/git/trees/${c.treeSha}` },
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    author: author ? simpleUser(author, urls) : null,
    committer: author ? simpleUser(author, urls) : null,
    parents: c.parents.map(p => ({
      sha: p,
      url: `${api}/commits/${p}`,
      html_url: `${repoHtmlUrl(repo, urls)}/commit/${p}`,
    })),
  };
}

/** GET /commits/{ref} adds stats and files. */
export function commitDetail(repo: RepoRec, c: CommitRec, state: SimState, urls: Urls) {
  const n = parseInt(c.sha.slice(0, 4), 16);
  const additions = n % 40;
  const deletions = n % 7;
  const file = `src/module${n % 9}.ts`;
  const fileSha = sha1(`${c.sha}\0${file}`);
  return {
    ...commitObject(repo, c, state, urls),
    stats: { total: additions + deletions, additions, deletions },
    files: [
      {
        sha: fileSha,
        filename: file,
        status: 'modified',
        additions,
        deletions,
        changes: additions + deletions,
        blob_url: `${repoHtmlUrl(repo, urls)}/blob/${c.sha}/${file}`,
        raw_url: `${repoHtmlUrl(repo, urls)}/raw/${c.sha}/${file}`,
        contents_url: `${repoApiUrl(repo, urls)}/contents/${file}?ref=${c.sha}`,
        patch: `@@ -1,1 +1,1 @@\n-old\n+new`,
      },
    ],
  };
}

export function tagObject(repo: RepoRec, name: string, sha: string, urls: Urls) {
  const api = repoApiUrl(repo, urls);
  return {
    name,
    commit: { sha, url: `${api}/commits/${sha}` },
    zipball_url: `${api}/zipball/refs/tags/${seg(name)}`,
    tarball_url: `${api}/tarball/refs/tags/${seg(name)}`,
    node_id: nodeId('Ref', parseInt(sha1(`${repo.key}\0tag\0${name}`).slice(0, 8), 16)),
  };
}

export function shortBranch(repo: RepoRec, name: string, sha: string, isProtected: boolean, urls: Urls) {
  return {
    name,
    commit: { sha, url: `${repoApiUrl(repo, urls)}/commits/${sha}` },
    protected: isProtected,
  };
}

export function gitRef(repo: RepoRec, fullRef: string, sha: string, urls: Urls) {
  const api = repoApiUrl(repo, urls);
  return {
    ref: fullRef,
    node_id: nodeId('Ref', parseInt(sha1(`${repo.key}\0${fullRef}`).slice(0, 8), 16)),
    url: `${api}/git/${fullRef.split('/').map(seg).join('/')}`,
    object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` },
  };
}

// ------------------------------------------------------------------ actions

export function workflowObject(repo: RepoRec, wf: WorkflowRec, urls: Urls) {
  return {
    id: wf.id,
    node_id: wf.nodeId,
    name: wf.name,
    path: wf.path,
    state: wf.state,
    created_at: wf.createdAt,
    updated_at: wf.updatedAt,
    url: `${repoApiUrl(repo, urls)}/actions/workflows/${wf.id}`,
    html_url: `${repoHtmlUrl(repo, urls)}/blob/${seg(repo.defaultBranch)}/${wf.path}`,
    badge_url: `${repoHtmlUrl(repo, urls)}/workflows/${seg(wf.name)}/badge.svg`,
  };
}

export const runApiUrl = (run: RunRec, urls: Urls) => `${repoApiUrl(run.repo, urls)}/actions/runs/${run.id}`;
export const runHtmlUrl = (run: RunRec, urls: Urls) => `${repoHtmlUrl(run.repo, urls)}/actions/runs/${run.id}`;
export const jobHtmlUrl = (run: RunRec, job: JobRec, urls: Urls) => `${runHtmlUrl(run, urls)}/job/${job.id}`;

export function workflowRun(run: RunRec, urls: Urls) {
  const repoApi = repoApiUrl(run.repo, urls);
  const api = runApiUrl(run, urls);
  const commit = run.repo.commits.get(run.headSha);
  return {
    id: run.id,
    name: run.workflow.name,
    node_id: run.nodeId,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.workflow.path,
    display_title: run.displayTitle,
    run_number: run.runNumber,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflow.id,
    check_suite_id: run.checkSuiteId,
    check_suite_node_id: nodeId('CheckSuite', run.checkSuiteId),
    url: api,
    html_url: runHtmlUrl(run, urls),
    pull_requests: [],
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    actor: simpleUser(run.actor, urls),
    run_attempt: 1,
    referenced_workflows: [],
    run_started_at: run.runStartedAt,
    triggering_actor: simpleUser(run.actor, urls),
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    check_suite_url: `${repoApi}/check-suites/${run.checkSuiteId}`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${repoApi}/actions/workflows/${run.workflow.id}`,
    head_commit: commit
      ? {
          id: commit.sha,
          tree_id: commit.treeSha,
          message: commit.message,
          timestamp: commit.date,
          author: { name: commit.authorName, email: commit.authorEmail },
          committer: { name: commit.authorName, email: commit.authorEmail },
        }
      : null,
    repository: minimalRepository(run.repo, urls),
    head_repository: minimalRepository(run.repo, urls),
  };
}

export function jobObject(run: RunRec, job: JobRec, urls: Urls) {
  const repoApi = repoApiUrl(run.repo, urls);
  const running = job.status === 'in_progress';
  const done = job.status === 'completed';
  const skipped = done && (job.conclusion === 'skipped' || job.startedAt === null);
  const steps = skipped
    ? []
    : job.steps.map((name, index) => {
        const isLast = index === job.steps.length - 1;
        if (done) {
          const failed = job.conclusion !== 'success' && isLast;
          return {
            name,
            status: 'completed' as const,
            conclusion: failed ? job.conclusion : 'success',
            number: index + 1,
            started_at: job.startedAt,
            completed_at: job.completedAt,
          };
        }
        const active = running && index === 0;
        return {
          name,
          status: active ? ('in_progress' as const) : ('queued' as const),
          conclusion: null,
          number: index + 1,
          started_at: active ? job.startedAt : null,
          completed_at: null,
        };
      });
  return {
    id: job.id,
    run_id: run.id,
    workflow_name: run.workflow.name,
    head_branch: run.headBranch,
    run_url: runApiUrl(run, urls),
    run_attempt: 1,
    node_id: job.nodeId,
    head_sha: run.headSha,
    url: `${repoApi}/actions/jobs/${job.id}`,
    html_url: jobHtmlUrl(run, job, urls),
    status: job.status,
    conclusion: job.conclusion,
    created_at: job.createdAt,
    started_at: job.startedAt ?? job.createdAt,
    completed_at: job.completedAt,
    name: job.name,
    steps,
    check_run_url: `${repoApi}/check-runs/${job.checkRunId}`,
    labels: ['ubuntu-latest'],
    runner_id: job.startedAt ? 1 : null,
    runner_name: job.startedAt ? 'GitHub Actions 1' : null,
    runner_group_id: job.startedAt ? 1 : null,
    runner_group_name: job.startedAt ? 'GitHub Actions' : null,
  };
}

export function environmentSummary(repo: RepoRec, env: EnvironmentRec, urls: Urls) {
  return {
    id: env.id,
    node_id: env.nodeId,
    name: env.name,
    url: `${repoApiUrl(repo, urls)}/environments/${seg(env.name)}`,
    html_url: `${repoHtmlUrl(repo, urls)}/deployments/activity_log?environments_filter=${seg(env.name)}`,
  };
}

export function environmentObject(repo: RepoRec, env: EnvironmentRec, state: SimState, urls: Urls) {
  const rules: unknown[] = [];
  if (env.waitTimer > 0) {
    rules.push({
      id: env.ruleIds.timer,
      node_id: nodeId('Gate', env.ruleIds.timer),
      type: 'wait_timer',
      wait_timer: env.waitTimer,
    });
  }
  if (env.reviewers.length > 0) {
    rules.push({
      id: env.ruleIds.reviewers,
      node_id: nodeId('Gate', env.ruleIds.reviewers),
      prevent_self_review: env.preventSelfReview,
      type: 'required_reviewers',
      reviewers: reviewerList(env, state, urls),
    });
  }
  return {
    ...environmentSummary(repo, env, urls),
    created_at: env.createdAt,
    updated_at: env.updatedAt,
    // No `can_admins_bypass`: GitHub's description of `environment` does not list it.
    protection_rules: rules,
    deployment_branch_policy: null,
  };
}

function reviewerList(env: EnvironmentRec, state: SimState, urls: Urls) {
  return env.reviewers.map(login => {
    const user = state.user(login) ?? state.ensureAccount(login, 'User');
    return { type: 'User', reviewer: simpleUser(user, urls) };
  });
}

export function pendingDeployment(run: RunRec, job: JobRec, state: SimState, urls: Urls, viewer: UserRec | undefined) {
  const env = state.environment(run.repo, job.environment ?? '');
  if (!env) throw new Error(`environment ${job.environment} vanished`);
  return {
    environment: environmentSummary(run.repo, env, urls),
    wait_timer: env.waitTimer,
    wait_timer_started_at: env.waitTimer > 0 ? (job.gate?.waitingSince ?? null) : null,
    current_user_can_approve: state.canReview(run, env, viewer),
    reviewers: reviewerList(env, state, urls),
  };
}

export function environmentApproval(run: RunRec, review: RunRec['reviews'][number], urls: Urls) {
  return {
    environments: review.environments.map(env => ({
      ...environmentSummary(run.repo, env, urls),
      created_at: env.createdAt,
      updated_at: env.updatedAt,
    })),
    state: review.state,
    user: simpleUser(review.user, urls),
    comment: review.comment,
  };
}

export function deploymentObject(d: DeploymentRec, urls: Urls) {
  const repoApi = repoApiUrl(d.repo, urls);
  return {
    url: `${repoApi}/deployments/${d.id}`,
    id: d.id,
    node_id: d.nodeId,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: simpleUser(d.creator, urls),
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    statuses_url: `${repoApi}/deployments/${d.id}/statuses`,
    repository_url: repoApi,
    transient_environment: false,
    production_environment: d.environment.toLowerCase() === 'production',
  };
}

export function deploymentStatusObject(d: DeploymentRec, s: DeploymentStatusRec, urls: Urls) {
  const repoApi = repoApiUrl(d.repo, urls);
  return {
    url: `${repoApi}/deployments/${d.id}/statuses/${s.id}`,
    id: s.id,
    node_id: s.nodeId,
    state: s.state,
    creator: simpleUser(s.creator, urls),
    description: s.description,
    environment: s.environment,
    target_url: s.logUrl ?? `${repoHtmlUrl(d.repo, urls)}/deployments`,
    ...(s.logUrl ? { log_url: s.logUrl } : {}),
    ...(s.environmentUrl ? { environment_url: s.environmentUrl } : {}),
    created_at: s.createdAt,
    updated_at: s.createdAt,
    deployment_url: `${repoApi}/deployments/${d.id}`,
    repository_url: repoApi,
  };
}

// ------------------------------------------------------------------ pulls

export function pullSimple(repo: RepoRec, p: PullRec, urls: Urls) {
  const api = repoApiUrl(repo, urls);
  const html = `${repoHtmlUrl(repo, urls)}/pull/${p.number}`;
  const issue = `${api}/issues/${p.number}`;
  const self = `${api}/pulls/${p.number}`;
  const repoObject = repository(repo, urls, null);
  const user = simpleUser(p.author, urls);
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner.login}:${ref}`,
    ref,
    sha,
    user: simpleUser(repo.owner, urls),
    repo: repoObject,
  });
  return {
    url: self,
    id: p.id,
    node_id: p.nodeId,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${self}/commits`,
    review_comments_url: `${self}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: `${api}/statuses/${p.headSha}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user,
    body: p.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: p.closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(p.head, p.headSha),
    base: side(p.base, p.baseSha),
    _links: {
      self: { href: self },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${self}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${self}/commits` },
      statuses: { href: `${api}/statuses/${p.headSha}` },
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: p.draft,
  };
}

// ------------------------------------------------------------------ apps

export function integrationObject(app: AppRec, urls: Urls, permissions: Record<string, string>) {
  return {
    id: app.id,
    slug: app.slug,
    node_id: app.nodeId,
    client_id: `Iv1.${sha1(`client\0${app.id}`).slice(0, 16)}`,
    owner: simpleUser(app.owner, urls),
    name: app.name,
    description: null,
    external_url: `${urls.html}/apps/${seg(app.slug)}`,
    html_url: `${urls.html}/apps/${seg(app.slug)}`,
    created_at: app.createdAt,
    updated_at: app.createdAt,
    permissions,
    events: [],
    installations_count: app.installations.size,
  };
}
