import { sql, type Kysely } from 'kysely';

// What a facilitator did to a post: why it was hidden or removed (shown to its author), the
// facilitator's own edit (a visible mark), and an endorsement (a visible mark).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE posts
      ADD COLUMN moderation_reason text CHECK (length(moderation_reason) BETWEEN 1 AND 500),
      ADD COLUMN facilitator_edited_at timestamptz,
      ADD COLUMN endorsed_at timestamptz`.execute(db);
}
