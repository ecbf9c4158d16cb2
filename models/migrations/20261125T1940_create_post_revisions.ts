import { sql, type Kysely } from 'kysely';

// Every earlier version of an edited post (visible to facilitators).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('post_revisions')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('post_id', 'uuid', (c) => c.notNull())
    .addColumn('body_source', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('replaced_by_membership_id', 'uuid', (c) => c.notNull())
    .addColumn('replaced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('post_revisions_pkey', ['tenant_id', 'id'])
    .addForeignKeyConstraint('post_revisions_post_fkey', ['tenant_id', 'post_id'], 'posts', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}
