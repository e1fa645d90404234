import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockServices } from '@backstage/backend-test-utils';
import knexFactory, { type Knex } from 'knex';
import { DatabaseDeploymentStore } from './DatabaseDeploymentStore';
import type { EnvironmentWrite, NewDeployment } from './DeploymentStore';

function environment(
  overrides: Partial<EnvironmentWrite> & Pick<EnvironmentWrite, 'service' | 'name'>,
): EnvironmentWrite {
  return {
    order: 0,
    repository: 'acme/checkout',
    workflow: 'deploy.yml',
    job: null,
    githubEnvironment: null,
    ref: 'main',
    versionInput: 'version',
    environmentInput: 'environment',
    githubApiUrl: null,
    updatedAt: new Date('2026-01-01T10:00:00.000Z'),
    updatedBy: 'user_1',
    ...overrides,
  };
}

function deployment(overrides: Partial<NewDeployment> & Pick<NewDeployment, 'runId'>): NewDeployment {
  return {
    service: 'checkout',
    environment: 'staging',
    repository: 'acme/checkout',
    version: 'v1.0.0',
    sha: null,
    actor: 'dev',
    state: 'queued',
    htmlUrl: `https://github.example/acme/checkout/actions/runs/${overrides.runId}`,
    apiUrl: `https://api.github.example/repos/acme/checkout/actions/runs/${overrides.runId}`,
    createdAt: new Date('2026-01-01T10:00:00.000Z'),
    completedAt: null,
    rollbackOfRunId: null,
    ...overrides,
  };
}

/** A fresh, empty database per test. */
interface TestDatabase {
  name: string;
  create(): Promise<Knex>;
  /** Called once after all tests. */
  shutdown(): Promise<void>;
}

const sqlite: TestDatabase = {
  name: 'SQLite',
  create: async () => knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true }),
  shutdown: async () => {},
};

/**
 * PostgreSQL (production's database) when `ORBIT_TEST_POSTGRES_URL` names a
 * server whose user may create databases, e.g.
 * `postgres://postgres@127.0.0.1:5432/postgres`.
 */
function postgres(url: string): TestDatabase {
  const admin = knexFactory({ client: 'pg', connection: url });
  const created: string[] = [];
  return {
    name: 'PostgreSQL',
    async create() {
      const database = `deployment_store_test_${randomBytes(6).toString('hex')}`;
      await admin.raw('CREATE DATABASE ??', [database]);
      created.push(database);
      const connection = new URL(url);
      connection.pathname = `/${database}`;
      return knexFactory({ client: 'pg', connection: connection.href });
    },
    async shutdown() {
      for (const database of created) await admin.raw('DROP DATABASE IF EXISTS ??', [database]);
      await admin.destroy();
    },
  };
}

const databases = [
  sqlite,
  ...(process.env.ORBIT_TEST_POSTGRES_URL ? [postgres(process.env.ORBIT_TEST_POSTGRES_URL)] : []),
];

describe.each(databases)('DatabaseDeploymentStore ($name)', testDatabase => {
  let knex: Knex;
  let store: DatabaseDeploymentStore;

  beforeEach(async () => {
    knex = await testDatabase.create();
    store = await DatabaseDeploymentStore.create({
      database: mockServices.database({ knex }),
    });
  });

  afterEach(async () => {
    await knex.destroy();
  });

  afterAll(async () => {
    await testDatabase.shutdown();
  });

  it('creates its tables through the migrations', async () => {
    expect(await knex.schema.hasTable('deployment_environments')).toBe(true);
    expect(await knex.schema.hasTable('deployments')).toBe(true);
  });

  it('leaves the schema alone when migrations are skipped', async () => {
    const other = await testDatabase.create();
    try {
      await DatabaseDeploymentStore.create({
        database: mockServices.database({ knex: other, migrations: { skip: true } }),
      });
      expect(await other.schema.hasTable('deployment_environments')).toBe(false);
    } finally {
      await other.destroy();
    }
  });

  it('tells a created environment from a replaced one and keeps each field', async () => {
    const first = await store.upsertEnvironment('ws-a', environment({ service: 'checkout', name: 'staging' }));
    expect(first.created).toBe(true);
    expect(first.environment).toEqual({
      service: 'checkout',
      name: 'staging',
      order: 0,
      repository: 'acme/checkout',
      workflow: 'deploy.yml',
      job: null,
      githubEnvironment: null,
      ref: 'main',
      versionInput: 'version',
      environmentInput: 'environment',
      githubApiUrl: null,
      updatedAt: '2026-01-01T10:00:00.000Z',
      updatedBy: 'user_1',
    });

    const second = await store.upsertEnvironment(
      'ws-a',
      environment({
        service: 'checkout',
        name: 'staging',
        order: 3,
        job: 'deploy',
        githubEnvironment: 'staging',
        githubApiUrl: 'https://ghe.example/api/v3',
        updatedAt: new Date('2026-01-02T00:00:00.000Z'),
        updatedBy: null,
      }),
    );
    expect(second.created).toBe(false);
    expect(second.environment).toMatchObject({
      order: 3,
      job: 'deploy',
      githubEnvironment: 'staging',
      githubApiUrl: 'https://ghe.example/api/v3',
      updatedAt: '2026-01-02T00:00:00.000Z',
      updatedBy: null,
    });
  });

  it('lists environments in pipeline order and services with their repositories', async () => {
    await store.upsertEnvironment('ws-a', environment({ service: 'checkout', name: 'production', order: 2 }));
    await store.upsertEnvironment('ws-a', environment({ service: 'checkout', name: 'staging', order: 1 }));
    await store.upsertEnvironment(
      'ws-a',
      environment({ service: 'checkout', name: 'canary', order: 2, repository: 'acme/canary' }),
    );
    await store.upsertEnvironment(
      'ws-a',
      environment({ service: 'payments', name: 'staging', repository: 'acme/payments' }),
    );

    expect((await store.listEnvironments('ws-a', 'checkout')).map(e => e.name)).toEqual([
      'staging',
      'canary',
      'production',
    ]);
    expect(await store.listServices('ws-a')).toEqual([
      {
        name: 'checkout',
        environments: ['staging', 'canary', 'production'],
        repositories: ['acme/checkout', 'acme/canary'],
      },
      { name: 'payments', environments: ['staging'], repositories: ['acme/payments'] },
    ]);
  });

  it('never reads or writes another workspace', async () => {
    await store.upsertEnvironment('ws-a', environment({ service: 'checkout', name: 'staging' }));
    const row = await store.insertDeployment('ws-a', deployment({ runId: 1 }));

    expect(await store.listServices('ws-b')).toEqual([]);
    expect(await store.getEnvironment('ws-b', 'checkout', 'staging')).toBeUndefined();
    expect(await store.deleteEnvironment('ws-b', 'checkout', 'staging')).toBe(false);
    expect(await store.findDeployment('ws-b', 'checkout', 'staging', 1)).toBeUndefined();
    expect(await store.latestDeployment('ws-b', 'checkout', 'staging')).toBeUndefined();
    expect(await store.listDeployments('ws-b', 'checkout', { limit: 10 })).toEqual([]);
    await store.updateDeployment('ws-b', row.id, { state: 'failed', completedAt: new Date() });

    expect(await store.getEnvironment('ws-a', 'checkout', 'staging')).toBeDefined();
    expect((await store.findDeployment('ws-a', 'checkout', 'staging', 1))?.state).toBe('queued');
  });

  it('stores run ids beyond 32 bits and reads them back as numbers', async () => {
    const runId = 19_876_543_210;
    await store.insertDeployment('ws-a', deployment({ runId, rollbackOfRunId: runId - 1 }));
    const row = await store.findDeployment('ws-a', 'checkout', 'staging', runId);
    expect(row?.runId).toBe(runId);
    expect(row?.rollbackOfRunId).toBe(runId - 1);
  });

  it('pages deployments newest first, ties broken by insertion order', async () => {
    const sameTime = new Date('2026-01-01T12:00:00.000Z');
    for (let runId = 1; runId <= 5; runId += 1) {
      await store.insertDeployment(
        'ws-a',
        deployment({
          runId,
          environment: runId % 2 ? 'staging' : 'production',
          // Runs 2, 3 and 4 share a timestamp.
          createdAt: runId >= 2 && runId <= 4 ? sameTime : new Date(Date.UTC(2026, 0, 1, 10 + runId)),
        }),
      );
    }
    const seen: number[] = [];
    let after;
    for (;;) {
      const page = await store.listDeployments('ws-a', 'checkout', { limit: 2, after });
      seen.push(...page.map(row => row.runId));
      const last = page[page.length - 1];
      if (page.length < 2 || !last) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
    expect(seen).toEqual([5, 4, 3, 2, 1]);

    const staging = await store.listDeployments('ws-a', 'checkout', { environment: 'staging', limit: 10 });
    expect(staging.map(row => row.runId)).toEqual([5, 3, 1]);
  });

  it('finds the latest, the successful and the unfinished deployments of an environment', async () => {
    const at = (hour: number) => new Date(Date.UTC(2026, 0, 1, hour));
    await store.insertDeployment(
      'ws-a',
      deployment({ runId: 1, state: 'success', createdAt: at(1), completedAt: at(2) }),
    );
    await store.insertDeployment(
      'ws-a',
      deployment({ runId: 2, state: 'failed', createdAt: at(3), completedAt: at(4) }),
    );
    await store.insertDeployment(
      'ws-a',
      deployment({ runId: 3, state: 'success', createdAt: at(5), completedAt: at(6) }),
    );
    const running = await store.insertDeployment('ws-a', deployment({ runId: 4, state: 'running', createdAt: at(7) }));

    expect((await store.latestDeployment('ws-a', 'checkout', 'staging'))?.runId).toBe(4);
    expect((await store.successfulDeployments('ws-a', 'checkout', 'staging', 10)).map(r => r.runId)).toEqual([3, 1]);
    expect((await store.unfinishedDeployments('ws-a', 'checkout', 'staging')).map(r => r.runId)).toEqual([4]);

    await store.updateDeployment('ws-a', running.id, { state: 'success', completedAt: at(8) });
    const latest = await store.latestDeployment('ws-a', 'checkout', 'staging');
    expect(latest).toMatchObject({ state: 'success', completedAt: at(8) });
    expect(await store.unfinishedDeployments('ws-a', 'checkout', 'staging')).toEqual([]);
  });

  it('deletes an environment but keeps its history', async () => {
    await store.upsertEnvironment('ws-a', environment({ service: 'checkout', name: 'staging' }));
    await store.insertDeployment('ws-a', deployment({ runId: 7 }));
    expect(await store.deleteEnvironment('ws-a', 'checkout', 'staging')).toBe(true);
    expect(await store.deleteEnvironment('ws-a', 'checkout', 'staging')).toBe(false);
    expect((await store.listDeployments('ws-a', 'checkout', { limit: 10 })).map(r => r.runId)).toEqual([7]);
  });
});
