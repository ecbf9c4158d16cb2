import { sql, type Kysely } from 'kysely';

// An index for the foreign key threads(tenant_id, author_membership_id): a lookup or cascading delete by author_membership_id would scan all of threads.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX threads_author_membership_idx ON threads (tenant_id, author_membership_id)`.execute(db);
}
