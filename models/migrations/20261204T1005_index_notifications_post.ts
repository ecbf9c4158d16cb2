import { sql, type Kysely } from 'kysely';

// An index for the foreign key notifications(tenant_id, post_id): a lookup or cascading delete by post_id would scan all of notifications.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX notifications_post_idx ON notifications (tenant_id, post_id)`.execute(db);
}
