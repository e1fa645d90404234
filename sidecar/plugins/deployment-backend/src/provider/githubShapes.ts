/**
 * The parts of GitHub's REST answers the GitHub Actions provider reads
 * (subsets of the schemas in GitHub's OpenAPI description, `@octokit/openapi`),
 * with every field treated as possibly missing.
 */

export interface GhUser {
  login?: string;
  html_url?: string;
  type?: string;
}

export interface GhTeam {
  slug?: string;
  name?: string;
  html_url?: string;
}

export interface GhRepository {
  full_name?: string;
  default_branch?: string;
  html_url?: string;
}

export interface GhWorkflow {
  id: number;
  name?: string;
  path?: string;
  state?: string;
  html_url?: string;
}

export interface GhWorkflowRun {
  id: number;
  status?: string | null;
  conclusion?: string | null;
  head_sha?: string | null;
  head_branch?: string | null;
  event?: string;
  created_at?: string;
  run_started_at?: string | null;
  updated_at?: string;
  url?: string;
  html_url?: string;
  actor?: GhUser | null;
  triggering_actor?: GhUser | null;
}

export interface GhWorkflowRuns {
  total_count?: number;
  workflow_runs?: GhWorkflowRun[];
}

export interface GhJob {
  id: number;
  name?: string;
  status?: string;
  conclusion?: string | null;
  html_url?: string | null;
}

export interface GhJobs {
  jobs?: GhJob[];
}

export interface GhPendingDeployment {
  environment?: { id?: number; name?: string };
  wait_timer?: number;
  wait_timer_started_at?: string | null;
  current_user_can_approve?: boolean;
  reviewers?: Array<{ type?: string; reviewer?: GhUser & GhTeam }>;
}

export interface GhDispatchDetails {
  workflow_run_id?: number;
  run_url?: string;
  html_url?: string;
}

export interface GhTag {
  name: string;
  commit?: { sha?: string };
}

export interface GhCommit {
  sha: string;
  html_url?: string;
  author?: GhUser | null;
  commit?: {
    message?: string;
    author?: { name?: string; date?: string } | null;
    committer?: { name?: string; date?: string } | null;
  };
}

export interface GhPull {
  number: number;
  title?: string;
  state?: string;
  merged_at?: string | null;
  created_at?: string;
  html_url?: string;
  user?: GhUser | null;
}

export interface GhApp {
  slug?: string;
  name?: string;
}
