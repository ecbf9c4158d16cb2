import { sql, type Kysely } from 'kysely';

// What partners and the manager say about a plan or a check-in: a comment, the manager's
// acknowledgement, or the manager's note that the conversation happened. Written by a member
// (partner or owner) or by a manager invite, never both.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE action_plan_comments (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      plan_id uuid NOT NULL,
      check_in_id uuid,
      author_membership_id uuid,
      manager_invite_id uuid,
      kind text NOT NULL DEFAULT 'comment' CHECK (kind IN ('comment', 'acknowledged', 'conversation')),
      body text NOT NULL DEFAULT '' CHECK (length(body) <= 2000),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT action_plan_comments_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT action_plan_comments_one_author CHECK ((author_membership_id IS NULL) <> (manager_invite_id IS NULL)),
      CONSTRAINT action_plan_comments_plan_fkey FOREIGN KEY (tenant_id, plan_id) REFERENCES action_plans (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT action_plan_comments_check_in_fkey FOREIGN KEY (tenant_id, check_in_id) REFERENCES check_ins (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT action_plan_comments_author_fkey FOREIGN KEY (tenant_id, author_membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT action_plan_comments_invite_fkey FOREIGN KEY (tenant_id, manager_invite_id) REFERENCES manager_invites (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX action_plan_comments_plan_idx ON action_plan_comments (tenant_id, plan_id, created_at)`.execute(db);
}
