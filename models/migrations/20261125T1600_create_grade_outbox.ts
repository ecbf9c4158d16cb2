import { sql, type Kysely } from 'kysely';

// Scores to post to the LMS (AGS), written in the same transaction as the completion that earned
// them. The payload is fixed at write time, so a retry resends exactly the same score.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('grade_outbox')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('membership_id', 'uuid', (c) => c.notNull())
    .addColumn('resource_link_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('score_timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status IN ('pending', 'delivered', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    .addPrimaryKeyConstraint('grade_outbox_pkey', ['tenant_id', 'id'])
    .addForeignKeyConstraint('grade_outbox_membership_fkey', ['tenant_id', 'membership_id'], 'memberships', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('grade_outbox_link_fkey', ['tenant_id', 'resource_link_id'], 'resource_links', ['tenant_id', 'resource_link_id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`CREATE INDEX grade_outbox_pending_idx ON grade_outbox (created_at) WHERE status = 'pending'`.execute(db);
}
