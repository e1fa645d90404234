import type { JenkinsSimulatorOptions } from './index';

/**
 * Two Jenkins servers with different accounts and jobs, so tests can tell two
 * workspaces apart. Both have a folder `platform` with a job `ledger`, with
 * different builds.
 */
export const JENKINS_SEEDS: Readonly<Record<string, JenkinsSimulatorOptions>> = {
  acme: {
    user: 'orbit-acme',
    apiToken: '11acme00000000000000000000000000aa',
    items: [
      {
        name: 'checkout',
        builds: [
          { number: 41, result: 'FAILURE', building: false, timestamp: 1764490000000, duration: 170000 },
          {
            number: 42,
            result: 'SUCCESS',
            building: false,
            timestamp: 1764500000000,
            duration: 183000,
            git: { branch: 'main', sha1: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' },
            tests: { total: 120, failed: 0, skipped: 4 },
          },
        ],
      },
      {
        name: 'payments',
        builds: [{ number: 7, result: 'FAILURE', building: false, timestamp: 1764400000000, duration: 95000 }],
      },
      {
        name: 'platform',
        folder: [
          {
            name: 'ledger',
            builds: [{ number: 5, result: 'SUCCESS', building: false, timestamp: 1764450000000, duration: 64000 }],
          },
        ],
      },
    ],
  },
  globex: {
    user: 'orbit-globex',
    apiToken: '11globex000000000000000000000000bb',
    items: [
      {
        name: 'checkout',
        builds: [{ number: 3, result: 'UNSTABLE', building: false, timestamp: 1764300000000, duration: 61000 }],
      },
      {
        name: 'inventory',
        builds: [{ number: 11, result: null, building: true, timestamp: 1764600000000, duration: 0 }],
      },
      {
        name: 'platform',
        folder: [
          {
            name: 'ledger',
            builds: [{ number: 2, result: 'ABORTED', building: false, timestamp: 1764350000000, duration: 12000 }],
          },
        ],
      },
    ],
  },
};
