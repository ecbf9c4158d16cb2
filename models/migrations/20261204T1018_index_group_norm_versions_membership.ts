import { sql, type Kysely } from 'kysely';

// An index for the foreign key group_norm_versions(tenant_id, membership_id): a lookup or cascading delete by membership_id would scan all of group_norm_versions.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX group_norm_versions_membership_idx ON group_norm_versions (tenant_id, membership_id)`.execute(db);
}
