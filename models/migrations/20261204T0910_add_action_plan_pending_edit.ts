import { sql, type Kysely } from 'kysely';

// A submitted plan's edit that failed its checks is kept here, the owner's only: what partners, the
// board and the manager see stays the submitted plan.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE action_plans ADD COLUMN pending_edit jsonb`.execute(db);
}
