import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { chooseSqliteDriver, installSqliteDriver, SQLITE_DRIVER_PACKAGES } from './driver';

describe('chooseSqliteDriver', () => {
  it('takes the Node-API build only where it loads and knex can be pointed at it', () => {
    // Node 20: Node-API 9, no registerHooks.
    expect(chooseSqliteDriver({ nodeApiVersion: 9, canRedirectRequire: false })).toBe('object-wrap');
    // Node 22.14: Node-API 10, registerHooks not yet there.
    expect(chooseSqliteDriver({ nodeApiVersion: 10, canRedirectRequire: false })).toBe('object-wrap');
    // Node 22.15+ and 24.
    expect(chooseSqliteDriver({ nodeApiVersion: 10, canRedirectRequire: true })).toBe('node-api');
  });
});

describe('installSqliteDriver', () => {
  it("makes knex's better-sqlite3 client load the chosen build, and it answers queries", async () => {
    const installed = installSqliteDriver();
    expect(installed.kind).toBe(chooseSqliteDriver());
    expect(installed.entry).toBe(require.resolve(SQLITE_DRIVER_PACKAGES[installed.kind]));
    expect(installed.version).toMatch(installed.kind === 'node-api' ? /^13\./ : /^12\./);

    const db = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    try {
      expect((db.client as { driver: unknown }).driver).toBe(require(installed.entry));
      await db.schema.createTable('t', table => table.integer('a'));
      await db('t').insert([{ a: 1 }, { a: 2 }]);
      expect(await db('t').sum({ total: 'a' })).toEqual([{ total: 3 }]);
    } finally {
      await db.destroy();
    }
  });

  it('keeps the process alive while V8 collects statements from its own tasks (Node 24.19+ aborted here)', () => {
    const { entry } = installSqliteDriver();
    const fixture = resolve(__dirname, 'testFixtures/statementChurn.cjs');
    const run = spawnSync(process.execPath, [fixture, entry], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).not.toContain('Assertion failed');
    expect({ status: run.status, signal: run.signal }).toEqual({ status: 0, signal: null });
    expect(JSON.parse(run.stdout.trim())).toEqual({ survived: 60 });
  });
});
