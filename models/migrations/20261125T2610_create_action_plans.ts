import { sql, type Kysely } from 'kysely';

// A learner's action plan, one per membership: 1-3 goals (each with actions, a due date, what success
// looks like and the support needed) kept as JSON because they are always read and written whole.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE action_plans (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      cohort_id uuid NOT NULL,
      membership_id uuid NOT NULL,
      goals jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(goals) = 'array' AND jsonb_array_length(goals) <= 3),
      visibility text NOT NULL DEFAULT 'private' CHECK (visibility IN ('cohort', 'group', 'private')),
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
      share_check_ins_with_manager boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      submitted_at timestamptz,
      CONSTRAINT action_plans_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT action_plans_membership_key UNIQUE (tenant_id, membership_id),
      CONSTRAINT action_plans_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT action_plans_membership_fkey FOREIGN KEY (tenant_id, membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}
