import type { JenkinsSimulatorOptions } from './index';

/** Two Jenkins servers with different accounts and jobs, so tests can tell two workspaces apart. */
export const JENKINS_SEEDS: Readonly<Record<string, JenkinsSimulatorOptions>> = {
  acme: {
    user: 'orbit-acme',
    apiToken: '11acme00000000000000000000000000aa',
    jobs: [
      {
        name: 'checkout',
        lastBuild: { number: 42, result: 'SUCCESS', building: false, timestamp: 1764500000000, duration: 183000 },
      },
      {
        name: 'payments',
        lastBuild: { number: 7, result: 'FAILURE', building: false, timestamp: 1764400000000, duration: 95000 },
      },
    ],
  },
  globex: {
    user: 'orbit-globex',
    apiToken: '11globex000000000000000000000000bb',
    jobs: [
      {
        name: 'checkout',
        lastBuild: { number: 3, result: 'UNSTABLE', building: false, timestamp: 1764300000000, duration: 61000 },
      },
      {
        name: 'inventory',
        lastBuild: { number: 11, result: null, building: true, timestamp: 1764600000000, duration: 0 },
      },
    ],
  },
};
