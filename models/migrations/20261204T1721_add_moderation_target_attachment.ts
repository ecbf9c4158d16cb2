import { sql, type Kysely } from 'kysely';

// A facilitator can hide one attachment of a post (and show it again): the audit log names it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE moderation_actions DROP CONSTRAINT moderation_actions_target_kind_check`.execute(db);
  await sql`ALTER TABLE moderation_actions ADD CONSTRAINT moderation_actions_target_kind_check CHECK (target_kind IN ('post', 'thread', 'flag', 'membership', 'announcement', 'attachment'))`.execute(db);
}
