import { sql, type Kysely } from 'kysely';

// Threads in a space; posts in a thread (a reply may answer one post: one level of nesting).
// Posts keep their Markdown source and the sanitised HTML made from it at write time.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('threads')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('space_id', 'uuid', (c) => c.notNull())
    .addColumn('author_membership_id', 'uuid', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(title) BETWEEN 1 AND 200`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_post_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('threads_pkey', ['tenant_id', 'id'])
    .addForeignKeyConstraint('threads_space_fkey', ['tenant_id', 'space_id'], 'spaces', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('threads_author_fkey', ['tenant_id', 'author_membership_id'], 'memberships', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`CREATE INDEX threads_space_idx ON threads (tenant_id, space_id, last_post_at DESC)`.execute(db);
  await db.schema
    .createTable('posts')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('thread_id', 'uuid', (c) => c.notNull())
    .addColumn('space_id', 'uuid', (c) => c.notNull())
    .addColumn('parent_post_id', 'uuid')
    .addColumn('author_membership_id', 'uuid', (c) => c.notNull())
    .addColumn('body_source', 'text', (c) => c.notNull().check(sql`length(body_source) BETWEEN 1 AND 20000`))
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('visible').check(sql`status IN ('visible', 'hidden', 'deleted')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addColumn('edited_at', 'timestamptz')
    .addPrimaryKeyConstraint('posts_pkey', ['tenant_id', 'id'])
    .addForeignKeyConstraint('posts_thread_fkey', ['tenant_id', 'thread_id'], 'threads', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('posts_parent_fkey', ['tenant_id', 'parent_post_id'], 'posts', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('posts_author_fkey', ['tenant_id', 'author_membership_id'], 'memberships', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`CREATE INDEX posts_thread_idx ON posts (tenant_id, thread_id, created_at)`.execute(db);
}
