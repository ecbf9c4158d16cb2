import { sql, type Kysely } from 'kysely';

// An index for the foreign key announcements(tenant_id, group_id): a lookup or cascading delete by group_id would scan all of announcements.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX announcements_group_idx ON announcements (tenant_id, group_id)`.execute(db);
}
