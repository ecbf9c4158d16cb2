import { sql, type Kysely } from 'kysely';

// A thread page is a keyset window over the thread's top-level posts (replies come with their
// parent): this partial index walks them in order from any post, so a page costs the same at
// post 20 and post 20,000.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX posts_thread_top_level_idx ON posts (tenant_id, thread_id, created_at, id) WHERE parent_post_id IS NULL`.execute(db);
}
