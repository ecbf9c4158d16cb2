// Shared set-up for benchmarks: a real app on a real PostgreSQL (embedded under data/bench unless
// BENCH_DATABASE_URL is given), timing and percentiles.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { sql } from 'kysely';
import { createApp } from '../server/app.ts';
import { loadConfig, type Config } from '../server/config.ts';
import { loadWorkshop } from '../server/modules/workshop-content.ts';
import { createDb, type DbHandle } from '../models/db.ts';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../models/embedded-postgres.ts';
import { migrateToLatest } from '../models/migrate.ts';

export interface BenchApp {
  url: string;
  config: Config;
  handle: DbHandle;
  close(): Promise<void>;
}

let embedded: EmbeddedServer | undefined;

export async function benchDatabaseUrl(): Promise<string> {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  embedded ??= await startEmbeddedPostgres({ dataDir: 'data/bench', port: Number(process.env.BENCH_PG_PORT ?? 54349) });
  await ensureDatabase(embedded.url('postgres'), 'circlework_bench', { recreate: true });
  return embedded.url('circlework_bench');
}

export async function stopBenchDatabase(): Promise<void> {
  await embedded?.stop();
}

export async function startBenchApp(databaseUrl: string): Promise<BenchApp> {
  const server = http.createServer();
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    PUBLIC_URL: url,
    LOG_LEVEL: 'silent',
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789',
    LTI_ENCRYPTION_KEY: 'bench-lti-encryption-key-0123456789abcdef0123',
  });
  const handle = createDb(databaseUrl, { max: 20 });
  await migrateToLatest(handle.db);
  await sql`TRUNCATE memberships, persons, cohorts, tenants, platforms, lti_documents, lti_logins, http_sessions, admin_users CASCADE`.execute(handle.db);
  const { app, close } = createApp({
    config,
    db: handle.db,
    pool: handle.pool,
    log: pino({ level: 'silent' }),
    workshop: loadWorkshop(),
    secrets: { sessionSecret: config.sessionSecret!, ltiEncryptionKey: config.ltiEncryptionKey! },
  });
  server.on('request', app);
  return {
    url,
    config,
    handle,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      close();
      await handle.close();
    },
  };
}

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
