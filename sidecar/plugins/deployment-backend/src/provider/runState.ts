/**
 * The pipeline reading of a GitHub Actions run or job (`status` + `conclusion`).
 *
 * - queued, requested, pending            → queued
 * - in_progress                           → running
 * - waiting (an environment gate: required reviewers or a wait timer) → waiting_approval
 * - completed + success                   → success
 * - completed + cancelled or skipped      → cancelled (nothing was deployed, nobody failed)
 * - completed + anything else (failure, timed_out, startup_failure, action_required,
 *   stale, neutral, none)                 → failed: the deployment did not happen as asked
 * - a status GitHub may add later         → running while not completed (still in flight)
 */
import type { RunInfo } from './DeploymentProvider';

export type RunState = RunInfo['state'];

export function runStateOf(status: string | null | undefined, conclusion: string | null | undefined): RunState {
  switch (status) {
    case 'queued':
    case 'requested':
    case 'pending':
      return 'queued';
    case 'in_progress':
      return 'running';
    case 'waiting':
      return 'waiting_approval';
    case 'completed':
      if (conclusion === 'success') return 'success';
      if (conclusion === 'cancelled' || conclusion === 'skipped') return 'cancelled';
      return 'failed';
    default:
      return 'running';
  }
}
