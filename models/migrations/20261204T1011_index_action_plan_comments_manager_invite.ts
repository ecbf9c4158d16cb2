import { sql, type Kysely } from 'kysely';

// An index for the foreign key action_plan_comments(tenant_id, manager_invite_id): a lookup or cascading delete by manager_invite_id would scan all of action_plan_comments.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX action_plan_comments_manager_invite_idx ON action_plan_comments (tenant_id, manager_invite_id)`.execute(db);
}
