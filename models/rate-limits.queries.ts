import { sql } from 'kysely';
import type { Executor } from './db.ts';

/** Counts one hit in the key's current window (a new window starts when the last one ended). */
export async function incrementRateLimit(ex: Executor, key: string, windowMs: number): Promise<{ hits: number; resetAt: Date }> {
  // CamelCasePlugin renames the raw query's columns too: reset_at arrives as resetAt.
  const row = await sql<{ hits: number; resetAt: Date }>`
    INSERT INTO rate_limits (key, hits, reset_at) VALUES (${key}, 1, now() + make_interval(secs => ${windowMs / 1000}))
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN rate_limits.reset_at <= now() THEN 1 ELSE rate_limits.hits + 1 END,
      reset_at = CASE WHEN rate_limits.reset_at <= now() THEN excluded.reset_at ELSE rate_limits.reset_at END
    RETURNING hits, reset_at`.execute(ex);
  const r = row.rows[0]!;
  return { hits: r.hits, resetAt: r.resetAt };
}

export async function decrementRateLimit(ex: Executor, key: string): Promise<void> {
  await ex.updateTable('rateLimits').set({ hits: sql`greatest(hits - 1, 0)` }).where('key', '=', key).execute();
}

export async function deleteRateLimit(ex: Executor, key: string): Promise<void> {
  await ex.deleteFrom('rateLimits').where('key', '=', key).execute();
}

export async function deleteExpiredRateLimits(ex: Executor): Promise<number> {
  const res = await ex.deleteFrom('rateLimits').where('resetAt', '<', sql<Date>`now()`).executeTakeFirst();
  return Number(res.numDeletedRows);
}
