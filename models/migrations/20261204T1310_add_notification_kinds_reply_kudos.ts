import { sql, type Kysely } from 'kysely';

// People are notified of replies to their posts and threads, and of kudos for their posts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check, ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('mention', 'flag', 'reply', 'kudos'))`.execute(db);
}
