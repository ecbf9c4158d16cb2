import { sql, type Kysely } from 'kysely';

// One row per reminder sent: claimed (inserted) in the sending transaction before the email goes,
// so however many workers run, a plan's check-in gets at most one reminder of each kind.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE check_in_reminders (
      tenant_id uuid NOT NULL,
      plan_id uuid NOT NULL,
      seq smallint NOT NULL,
      kind text NOT NULL CHECK (kind IN ('scheduled', 'missed')),
      sent_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT check_in_reminders_pkey PRIMARY KEY (tenant_id, plan_id, seq, kind),
      CONSTRAINT check_in_reminders_plan_fkey FOREIGN KEY (tenant_id, plan_id) REFERENCES action_plans (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}
