import { sql, type Kysely } from 'kysely';

// Thanks with a reason, on a post, once per giver and post.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('kudos')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('post_id', 'uuid', (c) => c.notNull())
    .addColumn('from_membership_id', 'uuid', (c) => c.notNull())
    .addColumn('to_membership_id', 'uuid', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`length(reason) BETWEEN 1 AND 280`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('kudos_pkey', ['tenant_id', 'id'])
    .addUniqueConstraint('kudos_once_per_post', ['tenant_id', 'post_id', 'from_membership_id'])
    .addForeignKeyConstraint('kudos_post_fkey', ['tenant_id', 'post_id'], 'posts', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('kudos_from_fkey', ['tenant_id', 'from_membership_id'], 'memberships', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('kudos_to_fkey', ['tenant_id', 'to_membership_id'], 'memberships', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}
