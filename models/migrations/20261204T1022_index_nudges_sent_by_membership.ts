import { sql, type Kysely } from 'kysely';

// An index for the foreign key nudges(tenant_id, sent_by_membership_id): a lookup or cascading delete by sent_by_membership_id would scan all of nudges.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX nudges_sent_by_membership_idx ON nudges (tenant_id, sent_by_membership_id)`.execute(db);
}
