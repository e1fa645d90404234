import { describe, expect, it } from 'vitest';
import { killSidecar, spawnWithOutput, waitFor } from './sidecarProcess';

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('killSidecar', () => {
  it('stops what the process started too, as `npm start` starts the sidecar under it', async () => {
    // A parent that starts a long-lived child and prints its pid, like npm running the sidecar.
    const parent = spawnWithOutput('sh', ['-c', 'sleep 300 & echo "child $!"; wait'], process.env);
    let childPid = 0;
    await waitFor(
      'the child pid',
      async () => {
        childPid = Number(/child (\d+)/.exec(parent.output())?.[1] ?? 0);
        return childPid > 0;
      },
      10_000,
      parent.exited,
    );
    expect(isRunning(childPid)).toBe(true);

    await killSidecar(parent);

    await waitFor('the child to be gone', async () => !isRunning(childPid), 5_000);
    expect(isRunning(childPid)).toBe(false);
  });
});
