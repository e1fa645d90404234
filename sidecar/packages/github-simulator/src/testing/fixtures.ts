/** Seeds and helpers shared by the simulator's tests. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { demoSeed, DEMO_TOKENS } from '../seed';
import type { SimulatorSeed } from '../types';

export const TOKENS = {
  ...DEMO_TOKENS,
  outsider: 'ghp_test_outsider',
  admin: 'ghp_test_admin',
} as const;

export const APP_ID = 424242;
export const INSTALLATION_ID = 4242;
export const NARROW_INSTALLATION_ID = 4343;

export interface TestKeys {
  privateKey: KeyObject;
  publicKeyPem: string;
}

let keys: TestKeys | undefined;

/** One RSA key pair per test process (generation takes a moment). */
export function appKeys(): TestKeys {
  if (!keys) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = {
      privateKey: pair.privateKey,
      publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
  return keys;
}

/**
 * The demo seed plus: an outsider (no access to acme), an admin, a public repo
 * `octo/hello` with a wait-timer environment and a self-review-protected one,
 * and a GitHub App with two installations on acme (full and contents-only).
 */
export function testSeed(): SimulatorSeed {
  const demo = demoSeed();
  return {
    ...demo,
    users: [
      ...(demo.users ?? []),
      { login: 'outsider', tokens: [TOKENS.outsider] },
      { login: 'octo-admin', tokens: [TOKENS.admin] },
    ],
    repos: [
      ...(demo.repos ?? []),
      {
        owner: 'octo',
        name: 'hello',
        private: false,
        commits: 3,
        collaborators: { 'octo-admin': 'admin', 'release-manager': 'write' },
        environments: [
          { name: 'qa', waitTimer: 5 },
          { name: 'prod', reviewers: ['release-manager', 'octo-admin'], preventSelfReview: true },
        ],
        workflows: [
          {
            name: 'Release',
            file: 'release.yaml',
            inputs: { version: { required: true } },
            jobs: [
              { name: 'build' },
              { name: 'qa', environment: 'qa' },
              { name: 'prod', environment: 'prod', environmentUrl: 'https://hello.example' },
            ],
          },
          { name: 'Disabled', file: 'disabled.yml', state: 'disabled_manually' },
        ],
      },
    ],
    apps: [
      {
        id: APP_ID,
        slug: 'orbit-deployer',
        name: 'Orbit Deployer',
        owner: 'acme',
        publicKey: appKeys().publicKeyPem,
        installations: [
          {
            id: INSTALLATION_ID,
            account: 'acme',
            permissions: { actions: 'write', contents: 'read', deployments: 'read', pull_requests: 'read' },
          },
          {
            id: NARROW_INSTALLATION_ID,
            account: 'acme',
            repositories: ['payments'],
            permissions: { contents: 'read' },
          },
        ],
      },
    ],
  };
}
