import { sql, type Kysely } from 'kysely';

// An index for the foreign key kudos(tenant_id, to_membership_id): a lookup or cascading delete by to_membership_id would scan all of kudos.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX kudos_to_membership_idx ON kudos (tenant_id, to_membership_id)`.execute(db);
}
