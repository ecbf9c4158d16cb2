import { sql, type Kysely } from 'kysely';

// What a person was posting when the form was refused before reaching the discussion (a failed CSRF
// check: an old page, a new session): kept server-side per person and target (a space's new thread,
// a thread's reply) and put back into that form when they next open it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('post_drafts')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('membership_id', 'uuid', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull().check(sql`target ~ '^(space|thread):[0-9a-f-]{36}$'`))
    .addColumn('title', 'text', (c) => c.notNull().defaultTo('').check(sql`length(title) <= 1000`))
    .addColumn('body', 'text', (c) => c.notNull().check(sql`length(body) <= 40000`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('post_drafts_pkey', ['tenant_id', 'membership_id', 'target'])
    .addForeignKeyConstraint('post_drafts_membership_fkey', ['tenant_id', 'membership_id'], 'memberships', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}
