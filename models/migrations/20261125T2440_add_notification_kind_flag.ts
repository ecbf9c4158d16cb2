import { sql, type Kysely } from 'kysely';

// Facilitators are notified of each flag on a post of their cohort.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check, ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('mention', 'flag'))`.execute(db);
}
