import { sql, type Kysely } from 'kysely';

// An index for the foreign key announcements(tenant_id, author_membership_id): a lookup or cascading delete by author_membership_id would scan all of announcements.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX announcements_author_membership_idx ON announcements (tenant_id, author_membership_id)`.execute(db);
}
