// The SQL the app sends while some work runs: the app under test runs in the test's process, so
// every statement passes through pg.Client's query (pooled clients, the session store, the cache).
import pg from 'pg';

/** The text of every statement sent while `work` runs, in order, and what the work returned. */
export async function statementsDuring<T>(work: () => Promise<T>): Promise<{ statements: string[]; result: T }> {
  const statements: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0];
    statements.push(typeof q === 'string' ? q : ((q as { text?: string } | undefined)?.text ?? ''));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  try {
    return { statements, result: await work() };
  } finally {
    pg.Client.prototype.query = original;
  }
}

/** The statements of a request, without the app's background work (pg-boss's polling, the cache's LISTEN), shortened to read in a failure. */
export function requestStatements(statements: string[]): string[] {
  return statements.filter((q) => !/pgboss|^\s*(LISTEN|UNLISTEN)\b/i.test(q)).map((q) => q.replace(/\s+/g, ' ').slice(0, 90));
}
