// Vitest setupFiles entry: test files open Backstage's and knex's in-memory SQLite in the worker.
import { installSqliteDriver } from './driver';

installSqliteDriver();
