// What a request that does not answer was waiting on. A test's HTTP request that has had no answer
// for 5 s asks every registered reporter (each test app registers one) for a snapshot, and a timeout
// then names it: the database's active backends with what they wait on, the locks not granted, and
// the app's pool. A rare stall in CI is otherwise a bare "timeout" with nothing to go on.
import pg from 'pg';

type Reporter = () => Promise<string>;
const reporters = new Set<Reporter>();

/** Adds a reporter; returns its removal. */
export function onStall(report: Reporter): () => void {
  reporters.add(report);
  return () => reporters.delete(report);
}

/** Every reporter's snapshot (a reporter that fails says so instead). */
export async function stallReport(): Promise<string> {
  const parts = await Promise.all([...reporters].map((r) => r().catch((err: unknown) => `stall report failed: ${String(err)}`)));
  return parts.join('\n');
}

/**
 * A reporter for one app's database: read on a connection of its own (the app's pool may be the
 * thing that is exhausted), with the pool's counts as the app sees them.
 */
export function databaseStallReporter(connectionString: string, pool: pg.Pool, name: string): Reporter {
  return async () => {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3000, statement_timeout: 3000, application_name: 'circlework-stall-report' });
    await client.connect();
    try {
      const active = await client.query<{ pid: number; state: string; wait: string | null; ms: number; query: string }>(`
        SELECT pid, state, wait_event_type || ':' || wait_event AS wait, (extract(epoch FROM now() - query_start) * 1000)::int AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' ORDER BY query_start`);
      const waiting = await client.query<{ pid: number; locktype: string; mode: string; blockers: number[] }>(`
        SELECT l.pid, l.locktype, l.mode, pg_blocking_pids(l.pid) AS blockers FROM pg_locks l
        JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()`);
      return [
        `${name}: pool ${pool.totalCount} connections, ${pool.idleCount} idle, ${pool.waitingCount} waiting for one`,
        ...active.rows.map((r) => `  backend ${r.pid} ${r.state}${r.wait ? ` waiting on ${r.wait}` : ''} for ${r.ms} ms: ${r.query}`),
        ...waiting.rows.map((r) => `  backend ${r.pid} waits for a ${r.mode} ${r.locktype} lock held by ${r.blockers.join(', ') || 'nobody now'}`),
      ].join('\n');
    } finally {
      await client.end();
    }
  };
}
