import { sql, type Kysely } from 'kysely';

// An index for the foreign key grade_outbox(tenant_id, membership_id): a lookup or cascading delete by membership_id would scan all of grade_outbox.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX grade_outbox_membership_idx ON grade_outbox (tenant_id, membership_id)`.execute(db);
}
