import { execFile } from "node:child_process";
import { chown, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "../../test/support/redis-server.js";

const run = promisify(execFile);
const SUPERUSER = "orbit_drill";

/**
 * A throw-away PostgreSQL cluster of its own (initdb + pg_ctl into a temp dir, on a
 * free port), so a drill can stop and start it without touching the machine's shared
 * server. PostgreSQL refuses to run as root; as root the cluster belongs to the
 * `postgres` system user.
 */
export interface PrivatePostgres {
  readonly port: number;
  /** A connection URL for a database of this cluster. */
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  /** Like a crash: `pg_ctl stop -m immediate` (no shutdown checkpoint; recovery on the next start). */
  stop(): Promise<void>;
  /** Starts it and waits until it accepts connections (`pg_ctl start -w`). */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await postgresBinDir();
  const dir = await mkdtemp(join(tmpdir(), "orbit-drill-pg-"));
  const dataDir = join(dir, "data");
  const port = await freePort();
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pgCommand = (tool: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, tool), ...args]) : run(join(bin, tool), args);

  await pgCommand("initdb", ["-D", dataDir, "-U", SUPERUSER, "-A", "trust", "--no-sync", "-E", "UTF8"]);
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  const start = async () => {
    await pgCommand("pg_ctl", ["start", "-w", "-t", "60", "-D", dataDir, "-l", join(dir, "server.log"), "-o", serverOptions]);
  };
  const stop = async () => {
    await pgCommand("pg_ctl", ["stop", "-w", "-m", "immediate", "-D", dataDir]).catch(() => undefined);
  };
  const admin = async (sql: string) => {
    const client = new pg.Client({ host: "127.0.0.1", port, user: SUPERUSER, database: "postgres" });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await start();
  return {
    port,
    url: (database) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`,
    createDatabase: (name) => admin(`CREATE DATABASE "${name}"`),
    dropDatabase: (name) => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    stop,
    start,
    async destroy() {
      await pgCommand("pg_ctl", ["stop", "-w", "-m", "fast", "-D", dataDir]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The newest installed PostgreSQL's bin directory (/usr/lib/postgresql/<version>/bin on Debian). */
async function postgresBinDir(): Promise<string> {
  const versions = (await readdir("/usr/lib/postgresql").catch(() => [] as string[]))
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  if (versions[0] === undefined) throw new Error("no PostgreSQL server found in /usr/lib/postgresql (Debian: apt-get install postgresql)");
  return join("/usr/lib/postgresql", versions[0], "bin");
}
