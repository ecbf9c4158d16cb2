import { sql, type Kysely } from 'kysely';

// An index for the foreign key moderation_actions(tenant_id, actor_membership_id): a lookup or cascading delete by actor_membership_id would scan all of moderation_actions.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX moderation_actions_actor_membership_idx ON moderation_actions (tenant_id, actor_membership_id)`.execute(db);
}
