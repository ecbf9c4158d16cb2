import { sql, type Kysely } from 'kysely';

// An index for the foreign key action_plan_comments(tenant_id, check_in_id): a lookup or cascading delete by check_in_id would scan all of action_plan_comments.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX action_plan_comments_check_in_idx ON action_plan_comments (tenant_id, check_in_id)`.execute(db);
}
