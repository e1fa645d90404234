import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Which better-sqlite3 build this process uses for Backstage's in-memory SQLite.
 *
 * - `object-wrap`: better-sqlite3 12 (installed under its own name), built from source against the
 *   running Node's headers. Its classes derive from `node::ObjectWrap`, which from Node 24.19's
 *   headers on removes an environment cleanup hook in its destructor and aborts the process
 *   (`Assertion failed: (env) != nullptr` in `RemoveEnvironmentCleanupHook`) when V8 collects a
 *   statement outside a JavaScript context (nodejs/node#65446). Safe on Node 20, which never gets
 *   Node-API 10.
 * - `node-api`: better-sqlite3 13 (installed as `better-sqlite3-node-api`), Node-API prebuilds in
 *   the package, no compiler. Needs Node-API 10 (Node 22.14+) to load at all (it segfaults below),
 *   and `module.registerHooks` (Node 22.15+) so that knex's `require('better-sqlite3')` finds it.
 */
export type SqliteDriverKind = 'object-wrap' | 'node-api';

/** What a process needs to know about the runtime to choose; `process` by default. */
export interface RuntimeFacts {
  readonly nodeApiVersion: number;
  readonly canRedirectRequire: boolean;
}

/** The package each kind is installed as (package.json of this package). */
export const SQLITE_DRIVER_PACKAGES: Readonly<Record<SqliteDriverKind, string>> = {
  'object-wrap': 'better-sqlite3',
  'node-api': 'better-sqlite3-node-api',
};

// Literal specifiers, so that the stock-host child's bundler leaves them as plain requires.
const LOCATE: Readonly<Record<SqliteDriverKind, () => { entry: string; version: string }>> = {
  'object-wrap': () => ({
    entry: require.resolve('better-sqlite3'),
    version: (require('better-sqlite3/package.json') as { version: string }).version,
  }),
  'node-api': () => ({
    entry: require.resolve('better-sqlite3-node-api'),
    version: (require('better-sqlite3-node-api/package.json') as { version: string }).version,
  }),
};

type ResolveHook = (
  specifier: string,
  context: unknown,
  nextResolve: (specifier: string, context?: unknown) => unknown,
) => unknown;
// @types/node 20 (the oldest runtime we support) does not declare registerHooks.
type RegisterHooks = (hooks: { resolve: ResolveHook }) => unknown;
const registerHooks = (nodeModule as unknown as { registerHooks?: RegisterHooks }).registerHooks;

export function runtimeFacts(): RuntimeFacts {
  return { nodeApiVersion: Number(process.versions.napi), canRedirectRequire: typeof registerHooks === 'function' };
}

export function chooseSqliteDriver(facts: RuntimeFacts = runtimeFacts()): SqliteDriverKind {
  return facts.nodeApiVersion >= 10 && facts.canRedirectRequire ? 'node-api' : 'object-wrap';
}

export interface InstalledSqliteDriver {
  readonly kind: SqliteDriverKind;
  /** The better-sqlite3 release that `require('better-sqlite3')` now loads. */
  readonly version: string;
  /** Its entry file. */
  readonly entry: string;
}

let installed: InstalledSqliteDriver | undefined;

/**
 * Makes every later `require('better-sqlite3')` in this process (knex's SQLite client is the only
 * one) load the build `chooseSqliteDriver` picks. Call it before Backstage opens a database;
 * calling it again returns the first answer.
 */
export function installSqliteDriver(): InstalledSqliteDriver {
  if (installed) return installed;
  const kind = chooseSqliteDriver();
  const { entry, version } = LOCATE[kind]();
  if (kind === 'node-api' && registerHooks) {
    const url = pathToFileURL(entry).href;
    registerHooks({
      resolve: (specifier, context, nextResolve) =>
        specifier === 'better-sqlite3'
          ? { url, format: 'commonjs', shortCircuit: true }
          : nextResolve(specifier, context),
    });
  }
  installed = { kind, version, entry };
  return installed;
}
