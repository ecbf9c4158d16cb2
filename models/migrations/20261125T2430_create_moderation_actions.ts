import { sql, type Kysely } from 'kysely';

// The audit log: one row per facilitator action (who, what, on what, about whom, when, why),
// written in the action's transaction. No foreign key to the target, so the log outlives it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE moderation_actions (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      cohort_id uuid NOT NULL,
      actor_membership_id uuid NOT NULL,
      action text NOT NULL CHECK (action IN ('hide', 'restore', 'delete', 'edit', 'pin', 'unpin', 'lock', 'unlock', 'endorse', 'unendorse', 'dismiss-flag', 'mute', 'unmute', 'announce')),
      target_kind text NOT NULL CHECK (target_kind IN ('post', 'thread', 'flag', 'membership', 'announcement')),
      target_id uuid NOT NULL,
      subject_membership_id uuid,
      reason text CHECK (length(reason) <= 1000),
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      CONSTRAINT moderation_actions_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT moderation_actions_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT moderation_actions_actor_fkey FOREIGN KEY (tenant_id, actor_membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX moderation_actions_cohort_idx ON moderation_actions (tenant_id, cohort_id, created_at DESC)`.execute(db);
}
