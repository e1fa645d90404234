import { startSimulatorProcess } from "./simulator-process.js";
import type { RunningSimulatorProcess } from "./simulator-process.js";

/** One entry of the GitHub simulator's request log (sidecar/packages/github-simulator, `RequestLogEntry`). */
export interface GitHubLogEntry {
  method: string;
  path: string;
  endpoint: string | null;
  identity: string;
  status: number;
}

/** One entry of the Jira simulator's request log (sidecar/packages/jira-simulator, `JiraRequestLogEntry`). */
export interface JiraLogEntry {
  method: string;
  url: string;
  account: string | null;
  status: number;
}

type WithSeed<T> = T & { seed(seed: unknown): Promise<void> };

const seeder = (url: string) => async (seed: unknown) => {
  const response = await fetch(`${url}/_simulator/seed`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(seed),
  });
  if (!response.ok) throw new Error(`seeding ${url} answered ${response.status}: ${await response.text()}`);
};

export type RunningGitHubRest = WithSeed<RunningSimulatorProcess<{ url: string; apiUrl: string }, GitHubLogEntry>>;
export type RunningJiraRest = WithSeed<RunningSimulatorProcess<{ url: string }, JiraLogEntry>>;

/** The GitHub simulator on a free port with its demo seed; `ghes` serves the REST API under /api/v3 (GHES 3.20). */
export async function startGitHubRest(options: { ghes?: boolean } = {}): Promise<RunningGitHubRest> {
  const sim = await startSimulatorProcess<{ url: string; apiUrl: string }, GitHubLogEntry>("github-simulator", "GitHub", [
    "--port",
    "0",
    "--seed",
    "demo",
    ...(options.ghes ? ["--ghes", "3.20"] : []),
  ]);
  return { ...sim, seed: seeder(sim.url) };
}

/** The Jira Cloud simulator on a free port with its demo seed. */
export async function startJiraRest(): Promise<RunningJiraRest> {
  const sim = await startSimulatorProcess<{ url: string }, JiraLogEntry>("jira-simulator", "Jira", ["--port", "0", "--seed", "demo"]);
  return { ...sim, seed: seeder(sim.url) };
}
