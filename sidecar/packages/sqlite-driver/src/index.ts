export {
  chooseSqliteDriver,
  installSqliteDriver,
  runtimeFacts,
  SQLITE_DRIVER_PACKAGES,
  type InstalledSqliteDriver,
  type RuntimeFacts,
  type SqliteDriverKind,
} from './driver';
