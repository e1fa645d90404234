/**
 * The per-view call pattern of the existing browser-side plugins, as
 * ../shared/reference/github-actions-facts.md describes it ("browser-side calls with
 * each user's token, no caching, all branches refetched per load"), issued for real
 * against the simulator with a user's token so that its counter meters them exactly
 * like the gateway's calls. It is a model of the pattern, not a copy of any plugin:
 *
 * - every call is a plain GET with the viewing user's own token, no If-None-Match
 *   (no ETag cache), nothing kept between loads;
 * - for each environment: the workflow's run list (to find the environment's newest
 *   run), that run's jobs, and its pending deployments (the approval gate);
 * - the repository's environments (protection rules, reviewers), its tags and all its
 *   branches (the version picker), every page.
 *
 * Two variants bound it:
 * - `page` (lower bound): one page fetches environments, tags and branches once and
 *   asks for pending deployments only of a run that is waiting — a careful single
 *   component;
 * - `per-card`: each environment card fetches everything it shows on its own,
 *   pending deployments included — the pattern of independent cards per environment.
 */
export type BrowserVariant = "page" | "per-card";

export interface BrowserTarget {
  readonly apiUrl: string;
  readonly repository: string;
  readonly workflow: string;
  /** The GitHub environment each pipeline environment's runs deploy to. */
  readonly environments: ReadonlyArray<{ readonly name: string; readonly deploysTo: string }>;
}

interface Run {
  readonly id: number;
  readonly status: string;
  readonly display_title?: string;
}

/** Loads one dashboard view the browser-side way; returns how many calls it issued. */
export async function browserView(target: BrowserTarget, token: string, variant: BrowserVariant): Promise<number> {
  let calls = 0;
  const get = async <T>(path: string): Promise<{ data: T; next?: string }> => {
    calls++;
    const response = await fetch(path.startsWith("http") ? path : `${target.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" },
    });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
    return { data: (await response.json()) as T, ...(next ? { next } : {}) };
  };
  const everyPage = async (path: string) => {
    for (let url: string | undefined = path; url !== undefined; ) url = (await get<unknown[]>(url)).next;
  };
  const repo = `/repos/${target.repository}`;
  const versionsAndGates = () =>
    Promise.all([get(`${repo}/environments`), everyPage(`${repo}/tags?per_page=100`), everyPage(`${repo}/branches?per_page=100`)]);

  const environmentCard = async (deploysTo: string) => {
    const { data } = await get<{ workflow_runs: Run[] }>(`${repo}/actions/workflows/${target.workflow}/runs?per_page=20`);
    const run = data.workflow_runs.find((each) => each.display_title?.endsWith(` ${deploysTo}`)) ?? data.workflow_runs[0];
    if (!run) return;
    const runPath = `${repo}/actions/runs/${run.id}`;
    await Promise.all([
      get(`${runPath}/jobs`),
      variant === "per-card" || run.status === "waiting" ? get(`${runPath}/pending_deployments`) : undefined,
      variant === "per-card" ? versionsAndGates() : undefined,
    ]);
  };

  await Promise.all([
    variant === "page" ? versionsAndGates() : undefined,
    ...target.environments.map((environment) => environmentCard(environment.deploysTo)),
  ]);
  return calls;
}

/**
 * A trigger the browser-side way (facts: "dispatch that cannot tell which run it
 * started: 2-second sleep, then guess"): the dispatch, then one run listing to guess
 * the run. The fixed sleep in between changes no count, so it is left out.
 */
export async function browserTrigger(target: BrowserTarget, token: string, inputs: Record<string, string>): Promise<number> {
  const headers = { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };
  const workflowPath = `${target.apiUrl}/repos/${target.repository}/actions/workflows/${target.workflow}`;
  const dispatch = await fetch(`${workflowPath}/dispatches`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ ref: "main", inputs }),
  });
  if (dispatch.status !== 204) throw new Error(`browser-model dispatch answered ${dispatch.status}: ${await dispatch.text()}`);
  const guess = await fetch(`${workflowPath}/runs?event=workflow_dispatch&per_page=1`, { headers });
  if (!guess.ok) throw new Error(`browser-model run listing answered ${guess.status}`);
  await guess.arrayBuffer();
  return 2;
}

/** The model in words, for the report. */
export const BROWSER_MODEL_LINES = [
  "browser-side model (from github-actions-facts.md: each user's own token, no caching, all branches refetched per load), issued against the simulator with the dev user's token:",
  "  page     = environments + tags (all pages) + branches (all pages) once per view; per environment: run list + newest run's jobs; pending deployments only for a waiting run (lower bound)",
  "  per-card = each environment card fetches run list, jobs, pending deployments, environments, tags, branches on its own",
];
