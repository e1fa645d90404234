import type { RepoSeed, SimulatorSeed, WorkflowSeed } from './types';

/** Tokens of the demo users (`Authorization: Bearer <token>`). */
export const DEMO_TOKENS = {
  /** write access */
  dev: 'ghp_demo_dev',
  /** write access, required reviewer of `production` */
  releaseManager: 'ghp_demo_release_manager',
  /** read access */
  viewer: 'ghp_demo_viewer',
  /** write access; use it as the workspace's shared credential */
  orbitBot: 'ghp_demo_orbit_bot',
} as const;

/** The deploy workflow of the demo repositories: `workflow_dispatch` with `version` and `environment`. */
export function deployWorkflow(service: string): WorkflowSeed {
  return {
    name: 'Deploy',
    file: 'deploy.yml',
    runName: 'Deploy ${{ inputs.version }} to ${{ inputs.environment }}',
    inputs: {
      version: { description: 'Version to deploy: a tag or a commit SHA', required: true, type: 'string' },
      environment: {
        description: 'Target environment',
        required: true,
        type: 'choice',
        options: ['staging', 'production'],
      },
      dry_run: { description: 'Only print what would be deployed', required: false, type: 'boolean', default: false },
    },
    jobs: [
      {
        name: 'deploy',
        environment: '${{ inputs.environment }}',
        environmentUrl: `https://\${{ inputs.environment }}.${service}.acme.example`,
        steps: ['Check out ${{ inputs.version }}', 'Build', 'Deploy', 'Smoke test'],
      },
    ],
  };
}

const ciWorkflow: WorkflowSeed = { name: 'CI', file: 'ci.yml', dispatch: false, jobs: [{ name: 'test' }] };

const collaborators = {
  dev: 'write',
  'release-manager': 'write',
  viewer: 'read',
  'orbit-bot': 'write',
} as const;

const environments = [{ name: 'staging' }, { name: 'production', reviewers: ['release-manager'] }];

function service(name: string, commits: number, tags: Array<[string, number]>, pulls: RepoSeed['pulls']): RepoSeed {
  return {
    owner: 'acme',
    name,
    private: true,
    description: `The ${name} service`,
    defaultBranch: 'main',
    commits,
    branches: [{ name: 'feature/express-checkout', from: -4, commits: 2 }],
    tags: tags.map(([tag, at]) => ({ name: tag, at })),
    workflows: [deployWorkflow(name), ciWorkflow],
    environments,
    collaborators: { ...collaborators },
    pulls,
    files: {
      'README.md': `# acme/${name}\n\nDemo repository served by the Orbit GitHub simulator.\n`,
      'deploy.sh': '#!/bin/sh\necho "deploying $1 to $2"\n',
    },
  };
}

/**
 * Org `acme`; repos `acme/checkout` (60 commits on main, tags v1.0.0…v1.2.0) and
 * `acme/payments` (30 commits, v2.0.0…v2.1.0), each with `deploy.yml`
 * (workflow_dispatch: version, environment, dry_run), `ci.yml` (push only) and
 * environments `staging` (no protection) and `production` (required reviewer
 * `release-manager`). Users: dev (write), release-manager (write, reviewer),
 * viewer (read), orbit-bot (write); tokens in DEMO_TOKENS.
 */
export function demoSeed(): SimulatorSeed {
  return {
    orgs: ['acme'],
    users: [
      { login: 'dev', name: 'Dana Developer', email: 'dev@acme.example', tokens: [DEMO_TOKENS.dev] },
      {
        login: 'release-manager',
        name: 'Riley Release',
        email: 'release@acme.example',
        tokens: [DEMO_TOKENS.releaseManager],
      },
      { login: 'viewer', name: 'Vic Viewer', email: 'viewer@acme.example', tokens: [DEMO_TOKENS.viewer] },
      { login: 'orbit-bot', name: 'Orbit Bot', email: 'orbit-bot@acme.example', tokens: [DEMO_TOKENS.orbitBot] },
    ],
    repos: [
      service(
        'checkout',
        60,
        [
          ['v1.0.0', 19],
          ['v1.0.1', 29],
          ['v1.1.0', 44],
          ['v1.2.0', 56],
        ],
        [
          {
            title: 'Express checkout behind a feature flag',
            author: 'dev',
            head: 'feature/express-checkout',
            state: 'open',
          },
          {
            title: 'Retry payment authorisation once',
            author: 'dev',
            head: 'fix/payment-retry',
            state: 'closed',
            merged: true,
          },
          {
            title: 'Experiment: new basket layout',
            author: 'viewer',
            head: 'experiment/basket',
            state: 'closed',
            merged: false,
          },
          {
            title: 'Draft: migrate to the new tax API',
            author: 'release-manager',
            head: 'tax-api',
            state: 'open',
            draft: true,
          },
        ],
      ),
      service(
        'payments',
        30,
        [
          ['v2.0.0', 14],
          ['v2.1.0', 27],
        ],
        [{ title: 'Add SEPA instant transfers', author: 'dev', head: 'feature/sepa-instant', state: 'open' }],
      ),
    ],
  };
}
