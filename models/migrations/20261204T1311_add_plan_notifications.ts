import { sql, type Kysely } from 'kysely';

// A partner request and a partner's comment on a plan are notified too: those name a plan, not a
// thread and post. Each row names exactly one of the two.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE notifications
      ALTER COLUMN thread_id DROP NOT NULL,
      ALTER COLUMN post_id DROP NOT NULL,
      ADD COLUMN plan_id uuid,
      ADD CONSTRAINT notifications_plan_fkey FOREIGN KEY (tenant_id, plan_id) REFERENCES action_plans (tenant_id, id) ON DELETE CASCADE,
      DROP CONSTRAINT notifications_kind_check,
      ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('mention', 'flag', 'reply', 'kudos', 'partner-request', 'plan-comment')),
      ADD CONSTRAINT notifications_subject_check CHECK (
        CASE WHEN kind IN ('partner-request', 'plan-comment') THEN plan_id IS NOT NULL AND thread_id IS NULL AND post_id IS NULL
             ELSE plan_id IS NULL AND thread_id IS NOT NULL AND post_id IS NOT NULL END)`.execute(db);
  await sql`CREATE INDEX notifications_plan_idx ON notifications (tenant_id, plan_id)`.execute(db);
}
