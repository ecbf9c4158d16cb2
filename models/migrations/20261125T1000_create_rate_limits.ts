import { sql, type Kysely } from 'kysely';

// Fixed-window counters for rate limits, shared by every app process. Keys name what is limited:
// an IP for anonymous routes, (tenant, person) for people.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('reset_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`CREATE INDEX rate_limits_reset_at_idx ON rate_limits (reset_at)`.execute(db);
}
