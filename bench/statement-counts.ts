// Which statements the app runs, and how many: PostgreSQL's pg_stat_statements (the bench's embedded
// server preloads it, bench-support.ts), read before and after, for the app's own database only.
// pg-boss's polling and these reads themselves are left out.
import type pg from 'pg';

export interface StatementCount {
  query: string;
  calls: number;
  /** Total execution time in PostgreSQL, milliseconds. */
  ms: number;
}

export type StatementCounts = Map<string, StatementCount>;

/** Whether pg_stat_statements is loaded in this server (it needs shared_preload_libraries). */
export async function statementCountsAvailable(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await pool.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
    return true;
  } catch {
    return false;
  }
}

export async function readStatementCounts(pool: pg.Pool): Promise<StatementCounts> {
  const { rows } = await pool.query<{ id: string; query: string; calls: string; ms: number }>(`
    SELECT queryid::text AS id, query, calls, total_exec_time AS ms FROM pg_stat_statements
    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND query NOT ILIKE '%pgboss%' AND query NOT ILIKE '%pg_stat_statements%' AND query NOT ILIKE '%pg_stat_activity%'`);
  return new Map(rows.map((r) => [r.id, { query: r.query, calls: Number(r.calls), ms: r.ms }]));
}

/** What ran between two reads, most called first. */
export function statementsBetween(before: StatementCounts, after: StatementCounts): StatementCount[] {
  const out: StatementCount[] = [];
  for (const [id, a] of after) {
    const b = before.get(id);
    const calls = a.calls - (b?.calls ?? 0);
    if (calls > 0) out.push({ query: a.query, calls, ms: a.ms - (b?.ms ?? 0) });
  }
  return out.sort((x, y) => y.calls - x.calls);
}

export const totalCalls = (list: StatementCount[]) => list.reduce((n, s) => n + s.calls, 0);

/** Waits until no statement of the app's has run for `quietMs` (work a request left going, such as live-update checks). */
export async function statementsSettled(pool: pg.Pool, quietMs = 300): Promise<StatementCounts> {
  let last = await readStatementCounts(pool);
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = await readStatementCounts(pool);
    if (totalCalls(statementsBetween(last, now)) === 0) return now;
    last = now;
  }
  return last;
}

/** One line per statement: calls, time, the statement shortened to one line. */
export function describeStatement(s: StatementCount, width = 110): string {
  const text = s.query.replace(/\s+/g, ' ').trim();
  return `${String(s.calls).padStart(7)} × ${(s.ms / Math.max(1, s.calls)).toFixed(2).padStart(6)} ms  ${text.length > width ? `${text.slice(0, width - 1)}…` : text}`;
}
