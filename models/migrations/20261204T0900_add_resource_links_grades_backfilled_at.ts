import { sql, type Kysely } from 'kysely';

// A link that can take scores gets, once, the scores learners earned before it was first launched.
// Existing links start unmarked: their next launch queues what they missed (unchanged scores are not re-sent).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE resource_links ADD COLUMN grades_backfilled_at timestamptz`.execute(db);
}
