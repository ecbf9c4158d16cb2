import { sql, type Kysely } from 'kysely';

// In-app notifications (a mention, for now): for one membership, read or not.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('membership_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('mention')`))
    .addColumn('actor_membership_id', 'uuid', (c) => c.notNull())
    .addColumn('thread_id', 'uuid', (c) => c.notNull())
    .addColumn('post_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    .addColumn('emailed_at', 'timestamptz')
    .addPrimaryKeyConstraint('notifications_pkey', ['tenant_id', 'id'])
    .addForeignKeyConstraint('notifications_membership_fkey', ['tenant_id', 'membership_id'], 'memberships', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('notifications_post_fkey', ['tenant_id', 'post_id'], 'posts', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`CREATE INDEX notifications_unread_idx ON notifications (tenant_id, membership_id) WHERE read_at IS NULL`.execute(db);
}
