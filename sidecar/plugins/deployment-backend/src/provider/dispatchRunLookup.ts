/**
 * Finding the run a dispatch started when GitHub does not say (a 204 answer,
 * or GitHub Enterprise Server ≤ 3.20 without `return_run_details`).
 *
 * Before dispatching, `newestDispatchRunId` notes the newest
 * workflow_dispatch run of the workflow on the ref by the acting login. After
 * dispatching, `findDispatchedRun` lists runs (event=workflow_dispatch,
 * branch=ref, actor=login, created ≥ dispatch time − skew) until one newer
 * than that snapshot shows up, polling with exponential backoff (from `initialDelayMs`, doubling, at
 * most `maxDelayMs`) until a deadline — the first look is immediate, and
 * there is no fixed "wait two seconds and guess". Repeated identical listings
 * are conditional requests: while nothing changes GitHub answers 304, which
 * costs no rate limit.
 *
 * Of several candidates the newest is taken (highest run id; GitHub run ids
 * grow). Filtering by actor keeps other people's runs out even when GitHub's
 * run listing lags behind (a run created just before ours may be missing from
 * the snapshot and appear later). Two dispatches of the same workflow on the
 * same ref by the same login within the window — e.g. two Orbit users sharing
 * the workspace token — cannot be told apart this way; `return_run_details`
 * is the cure where the server has it.
 */
import type { ProviderAccess } from './DeploymentProvider';
import type { GitHubClient } from '../github/GitHubClient';
import { DispatchedRunNotFoundError } from '../github/errors';
import type { GhWorkflowRun, GhWorkflowRuns } from './githubShapes';

export interface RunLookupTiming {
  /** Give up after this long (default 30 000 ms). */
  timeoutMs?: number;
  /** First retry delay (default 250 ms), doubled each time. */
  initialDelayMs?: number;
  /** Longest delay between two looks (default 2 000 ms). */
  maxDelayMs?: number;
  /** Tolerated clock difference between us and GitHub (default 10 000 ms). */
  clockSkewMs?: number;
}

export interface RunLookupTarget {
  /** `/repos/{owner}/{repo}` */
  repoPath: string;
  /** Encoded workflow id or file name. */
  workflowSegment: string;
  /** Branch or tag name as GitHub reports it in `head_branch`. */
  branch: string;
  /** Login the dispatch acts as, when known: other people's runs are then never candidates. */
  actor?: string;
}

const runsPath = (t: RunLookupTarget) => `${t.repoPath}/actions/workflows/${t.workflowSegment}/runs`;

/** GitHub's date-time search syntax wants seconds precision. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The id of the newest workflow_dispatch run of the workflow on the branch, 0 when none. */
export async function newestDispatchRunId(
  client: GitHubClient,
  access: ProviderAccess,
  target: RunLookupTarget,
): Promise<number> {
  const { data } = await client.request<GhWorkflowRuns>(access, {
    path: runsPath(target),
    query: { event: 'workflow_dispatch', branch: target.branch, actor: target.actor, per_page: 1 },
  });
  return data?.workflow_runs?.[0]?.id ?? 0;
}

const delay = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

export async function findDispatchedRun(
  client: GitHubClient,
  access: ProviderAccess,
  target: RunLookupTarget,
  dispatched: { atMs: number; afterRunId: number },
  timing: RunLookupTiming = {},
): Promise<GhWorkflowRun> {
  const timeoutMs = timing.timeoutMs ?? 30_000;
  const maxDelayMs = timing.maxDelayMs ?? 2_000;
  const skewMs = timing.clockSkewMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const since = dispatched.atMs - skewMs;
  let wait = timing.initialDelayMs ?? 250;
  for (let attempt = 1; ; attempt += 1) {
    const { data } = await client.request<GhWorkflowRuns>(access, {
      path: runsPath(target),
      query: {
        event: 'workflow_dispatch',
        branch: target.branch,
        actor: target.actor,
        created: `>=${isoSeconds(since)}`,
        per_page: 20,
      },
    });
    const candidates = (data?.workflow_runs ?? []).filter(
      run => run.id > dispatched.afterRunId && Date.parse(run.created_at ?? '') >= since - 1000,
    );
    const newest = candidates.reduce<GhWorkflowRun | undefined>(
      (best, run) => (!best || run.id > best.id ? run : best),
      undefined,
    );
    if (newest) return newest;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new DispatchedRunNotFoundError(
        `The workflow was dispatched, but its run did not appear in GitHub's run list within ${Math.round(timeoutMs / 1000)} s (${attempt} looks); check the workflow's runs on GitHub before dispatching again`,
      );
    }
    await delay(Math.min(wait, left));
    wait = Math.min(wait * 2, maxDelayMs);
  }
}
