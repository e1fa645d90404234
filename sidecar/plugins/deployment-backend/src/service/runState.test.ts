import { describe, expect, it } from 'vitest';
import type { JobInfo, RunInfo, RunStatus } from '../provider/DeploymentProvider';
import { deploymentStateOf } from './runState';

const now = new Date('2026-03-01T12:00:00.000Z');

function status(run: Partial<RunInfo>, job: Partial<JobInfo> | null = null): RunStatus {
  return {
    run: {
      runId: 1,
      status: 'in_progress',
      conclusion: null,
      state: 'running',
      headSha: null,
      actor: null,
      createdAt: '2026-03-01T11:00:00.000Z',
      startedAt: '2026-03-01T11:00:05.000Z',
      completedAt: null,
      apiUrl: 'https://api.github.com/repos/acme/checkout/actions/runs/1',
      htmlUrl: 'https://github.com/acme/checkout/actions/runs/1',
      ...run,
    },
    job: job
      ? { id: 2, name: 'deploy', status: 'in_progress', conclusion: null, htmlUrl: 'https://github.com/x', ...job }
      : null,
    approvals: [],
  };
}

describe('deploymentStateOf', () => {
  it('follows the run when no job is configured', () => {
    expect(deploymentStateOf(status({ state: 'waiting_approval', status: 'waiting' }), now)).toEqual({
      state: 'waiting_approval',
      completedAt: null,
    });
    expect(
      deploymentStateOf(
        status({
          state: 'success',
          status: 'completed',
          conclusion: 'success',
          completedAt: '2026-03-01T11:30:00.000Z',
        }),
        now,
      ),
    ).toEqual({ state: 'success', completedAt: new Date('2026-03-01T11:30:00.000Z') });
  });

  it('lets a finished job decide while later jobs of the run go on', () => {
    expect(deploymentStateOf(status({}, { status: 'completed', conclusion: 'success' }), now)).toEqual({
      state: 'success',
      completedAt: now,
    });
    expect(deploymentStateOf(status({}, { status: 'completed', conclusion: 'failure' }), now).state).toBe('failed');
    expect(deploymentStateOf(status({}, { status: 'completed', conclusion: 'skipped' }), now).state).toBe('cancelled');
  });

  it('follows the run while the job is not finished', () => {
    expect(deploymentStateOf(status({ state: 'queued', status: 'queued' }, { status: 'queued' }), now)).toEqual({
      state: 'queued',
      completedAt: null,
    });
  });
});
