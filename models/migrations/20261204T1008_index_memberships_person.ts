import { sql, type Kysely } from 'kysely';

// An index for the foreign key memberships(tenant_id, person_id): a lookup or cascading delete by person_id would scan all of memberships.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX memberships_person_idx ON memberships (tenant_id, person_id)`.execute(db);
}
