import { sql, type Kysely } from 'kysely';

// A facilitator pins a thread (listed first in its space) or locks it (no new replies).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE threads ADD COLUMN pinned_at timestamptz, ADD COLUMN locked_at timestamptz`.execute(db);
}
