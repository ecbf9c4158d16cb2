import { sql, type Kysely } from 'kysely';

// An index for the foreign key post_flags(tenant_id, post_id): a post's flags (open or dealt with) are found by post, and deleting a post cascades to them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX post_flags_post_idx ON post_flags (tenant_id, post_id)`.execute(db);
}
