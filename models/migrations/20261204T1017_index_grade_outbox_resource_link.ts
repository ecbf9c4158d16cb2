import { sql, type Kysely } from 'kysely';

// An index for the foreign key grade_outbox(tenant_id, resource_link_id): a lookup or cascading delete by resource_link_id would scan all of grade_outbox.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX grade_outbox_resource_link_idx ON grade_outbox (tenant_id, resource_link_id)`.execute(db);
}
