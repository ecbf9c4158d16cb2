// Shared set-up for benchmarks: a real app on a real PostgreSQL (embedded under data/bench unless
// BENCH_DATABASE_URL is given), timing and percentiles, and HTTP load from autocannon.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { createDb, type DbHandle } from '../models/db.ts';
import { freePort, startScript, waitFor } from '../test/support/processes.ts';
import { startTestApp, type TestApp } from '../test/support/test-app.ts';
import { resetDatabase } from '../test/support/test-database.ts';
import pg from 'pg';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../models/embedded-postgres.ts';
import { migrateToLatest } from '../models/migrate.ts';

let embedded: EmbeddedServer | undefined;

export async function benchDatabaseUrl(): Promise<string> {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  embedded ??= await withStatementCounts(() => startEmbeddedPostgres({ dataDir: 'data/bench', port: Number(process.env.BENCH_PG_PORT ?? 54349) }));
  await ensureDatabase(embedded.url('postgres'), 'circlework_bench', { recreate: true });
  return embedded.url('circlework_bench');
}

/**
 * The embedded server with pg_stat_statements loaded (the soak counts the app's statements with it):
 * the library loads only at server start, so the first start sets it and starts the server again.
 */
async function withStatementCounts(start: () => Promise<EmbeddedServer>): Promise<EmbeddedServer> {
  const server = await start();
  const client = new pg.Client({ connectionString: server.url('postgres') });
  await client.connect();
  try {
    const { rows } = await client.query<{ shared_preload_libraries: string }>('SHOW shared_preload_libraries');
    if (rows[0]!.shared_preload_libraries.includes('pg_stat_statements')) return server;
    await client.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
  } finally {
    await client.end();
  }
  await server.stop();
  return start();
}

export async function stopBenchDatabase(): Promise<void> {
  await embedded?.stop();
}

/** The real app on the bench database, emptied first (production mode: view cache on). */
export async function startBenchApp(databaseUrl: string, opts: { server?: Server } = {}): Promise<TestApp> {
  const handle = createDb(databaseUrl, { max: 2 });
  await migrateToLatest(handle.db);
  await resetDatabase(handle);
  await handle.close();
  return startTestApp({ NODE_ENV: 'production', LOG_LEVEL: 'silent' }, { databaseUrl, poolSize: 20, ...(opts.server ? { server: opts.server } : {}) });
}

const PROCESS_SECRETS = { SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789', LTI_ENCRYPTION_KEY: 'bench-lti-encryption-key-0123456789abcdef012345' };

/** The node flags `npm start` runs the app with (package.json), so a bench measures that process. */
export function startFlags(): string[] {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  return start.filter((arg) => arg.startsWith('--'));
}

export interface AppProcess {
  url: string;
  child: ChildProcess;
  /** The bench's own pool on the app's database. */
  handle: DbHandle;
  /** Stands in for a TestApp where connectPlatform needs one (its url, db and encryption key). */
  app: TestApp;
  stop(): Promise<void>;
}

/**
 * The app as production runs it, in its own process (server/main.ts, production mode, `npm start`'s
 * node flags plus `nodeFlags`) on the bench database, emptied first: the load generator and the
 * simulated LMS in this process do not share its event loop. Resolves once it answers /healthz.
 */
export async function startAppProcess(databaseUrl: string, nodeFlags: string[] = []): Promise<AppProcess> {
  const handle = createDb(databaseUrl, { max: 4 });
  await migrateToLatest(handle.db);
  await resetDatabase(handle);
  const url = `http://127.0.0.1:${await freePort()}`;
  const server = startScript('server/main.ts', { ...PROCESS_SECRETS, NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: new URL(url).port, HOST: '127.0.0.1', PUBLIC_URL: url, DATABASE_URL: databaseUrl }, [...startFlags(), ...nodeFlags]);
  const stop = async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await handle.close();
  };
  try {
    await waitFor(async () => (await fetch(`${url}/healthz`)).ok, 'the app process to answer /healthz');
  } catch (err) {
    await stop();
    throw err;
  }
  const app = { url, db: handle.db, config: { ltiEncryptionKey: PROCESS_SECRETS.LTI_ENCRYPTION_KEY } } as unknown as TestApp;
  return { url, child: server.child, handle, app, stop };
}

/** The middle value (the upper of the two middle ones for an even count). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface Figures {
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Runs `task` `total` times with `concurrency` in flight; latencies in milliseconds. */
export async function measure(total: number, concurrency: number, task: () => Promise<boolean>): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      const t0 = performance.now();
      const ok = await task().catch(() => false);
      latencies.push(performance.now() - t0);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { count: latencies.length, perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99), errors };
}

export function report(name: string, f: Figures): void {
  console.log(
    `${name.padEnd(44)} ${String(f.count).padStart(6)} runs  ${f.perSecond.toFixed(1).padStart(8)}/s  p50 ${f.p50.toFixed(1).padStart(7)} ms  p99 ${f.p99.toFixed(1).padStart(7)} ms  errors ${f.errors}`,
  );
}

const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface Load {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Answers other than 2xx (a 3xx, 4xx or 5xx), counted by autocannon. */
  non2xx: number;
  /** Requests with no answer at all: socket errors and timeouts. */
  errors: number;
}

// autocannon's API where its command line has no equivalent: each connection its own Cookie header, in turn.
const LOAD_WITH_COOKIES = `
const [file, url, connections, seconds, cookies] = process.argv.slice(1);
const { default: autocannon } = await import(file);
const list = JSON.parse(cookies);
let next = 0;
const result = await autocannon({ url, connections: Number(connections), duration: Number(seconds), setupClient: (client) => client.setHeaders({ cookie: list[next++ % list.length] }) });
process.stdout.write(JSON.stringify(result));`;

/**
 * GETs `url` with `connections` in flight for `seconds`; autocannon runs in a second process so it
 * does not share the app's event loop. With `cookies`, each connection sends one of them, in turn.
 */
export function load(url: string, headers: Record<string, string>, seconds: number, connections = 50, cookies?: string[]): Promise<Load> {
  const args = cookies
    ? ['--input-type=module', '-e', LOAD_WITH_COOKIES, autocannon, url, String(connections), String(seconds), JSON.stringify(cookies)]
    : [autocannon, '-c', String(connections), '-d', String(seconds), '-j', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), url];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      const r = JSON.parse(out) as { requests: { average: number; total: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
      resolve({ requests: r.requests.total, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors });
    });
  });
}

export function printLoad(name: string, l: Load): void {
  console.log(
    `${name.padEnd(44)} ${l.rps.toFixed(0).padStart(8)} req/s  p50 ${String(l.p50).padStart(5)} ms  p99 ${String(l.p99).padStart(5)} ms  non-2xx ${l.non2xx}  errors ${l.errors}  (${l.requests} requests)`,
  );
}
