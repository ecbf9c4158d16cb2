import { sql, type Kysely } from 'kysely';

// An index for the foreign key posts(tenant_id, parent_post_id): a lookup or cascading delete by parent_post_id would scan all of posts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX posts_parent_post_idx ON posts (tenant_id, parent_post_id)`.execute(db);
}
