import { sql, type Kysely } from 'kysely';

// An index for the foreign key kudos(tenant_id, from_membership_id): a lookup or cascading delete by from_membership_id would scan all of kudos.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX kudos_from_membership_idx ON kudos (tenant_id, from_membership_id)`.execute(db);
}
