import { sql, type Kysely } from 'kysely';

// A learner's check-in on their plan: the n-th of the cohort's schedule, progress per action
// (done / in progress / blocked + note) and an optional journal entry. One per plan and number.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE check_ins (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      plan_id uuid NOT NULL,
      seq smallint NOT NULL CHECK (seq BETWEEN 1 AND 6),
      entries jsonb NOT NULL CHECK (jsonb_typeof(entries) = 'array'),
      journal text NOT NULL DEFAULT '' CHECK (length(journal) <= 4000),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT check_ins_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT check_ins_plan_seq_key UNIQUE (tenant_id, plan_id, seq),
      CONSTRAINT check_ins_plan_fkey FOREIGN KEY (tenant_id, plan_id) REFERENCES action_plans (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}
