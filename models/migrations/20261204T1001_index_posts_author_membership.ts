import { sql, type Kysely } from 'kysely';

// An index for the foreign key posts(tenant_id, author_membership_id): a lookup or cascading delete by author_membership_id would scan all of posts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX posts_author_membership_idx ON posts (tenant_id, author_membership_id)`.execute(db);
}
