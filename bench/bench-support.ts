// Shared set-up for benchmarks: a real app on a real PostgreSQL (embedded under data/bench unless
// BENCH_DATABASE_URL is given), timing and percentiles.
import { createDb } from '../models/db.ts';
import { startTestApp, type TestApp } from '../test/support/test-app.ts';
import { resetDatabase } from '../test/support/test-database.ts';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../models/embedded-postgres.ts';
import { migrateToLatest } from '../models/migrate.ts';

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

/** The real app on the bench database, emptied first (production mode: view cache on). */
export async function startBenchApp(databaseUrl: string): Promise<TestApp> {
  const handle = createDb(databaseUrl, { max: 2 });
  await migrateToLatest(handle.db);
  await resetDatabase(handle);
  await handle.close();
  return startTestApp({ NODE_ENV: 'production', LOG_LEVEL: 'silent' }, { databaseUrl, poolSize: 20 });
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
