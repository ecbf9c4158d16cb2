import { sql, type Kysely } from 'kysely';

// A learner's latest post is one index probe (the console's "needs attention" and the kept figures'
// last activity ask it for every learner of a cohort): the author index gains created_at, so
// max(created_at) reads the index's last entry instead of every post of the author from the table.
// It replaces the (tenant_id, author_membership_id) index, which it also serves: no extra index to
// keep up on every post.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX posts_author_membership_created_idx ON posts (tenant_id, author_membership_id, created_at)`.execute(db);
  await sql`DROP INDEX posts_author_membership_idx`.execute(db);
}
