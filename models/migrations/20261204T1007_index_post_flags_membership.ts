import { sql, type Kysely } from 'kysely';

// An index for the foreign key post_flags(tenant_id, membership_id): a lookup or cascading delete by membership_id would scan all of post_flags.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX post_flags_membership_idx ON post_flags (tenant_id, membership_id)`.execute(db);
}
