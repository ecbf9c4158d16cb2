import { sql, type Kysely } from 'kysely';
import { countingBody } from './20261204T1301_count_cohort_figure_changes.ts';

// The programme view's snapshot of a cohort also shows its action-plan follow-through, its schedule
// and whether its relationship analytics are on, so the writes that move those are logged in
// cohort_figure_changes too (as 20261204T1510 does for discussions): a plan submitted or withdrawn,
// a check-in recorded, a manager's conversation logged, the check-in schedule, the module schedule,
// the cohort's analytics settings. Each joins its cohort, so a cascade from a vanishing cohort logs
// nothing. No `update` condition where a table has no id column: any update there is a change.
const cohortRow = (t: string) => `SELECT c.tenant_id, c.id FROM ${t} x JOIN cohorts c ON c.tenant_id = x.tenant_id AND c.id = x.cohort_id`;
const viaPlan = (t: string, where = '') =>
  `SELECT c.tenant_id, c.id FROM ${t} x JOIN action_plans ap ON ap.tenant_id = x.tenant_id AND ap.id = x.plan_id JOIN cohorts c ON c.tenant_id = ap.tenant_id AND c.id = ap.cohort_id ${where}`;

type Event = 'INSERT' | 'UPDATE' | 'DELETE';
const logged: Record<string, { rows: (t: string) => string; update?: string; events: Event[] }> = {
  action_plans: { rows: cohortRow, update: 'n.status IS DISTINCT FROM o.status', events: ['INSERT', 'UPDATE', 'DELETE'] },
  check_ins: { rows: (t) => viaPlan(t), events: ['INSERT', 'DELETE'] },
  action_plan_comments: { rows: (t) => viaPlan(t, `WHERE x.kind = 'conversation'`), events: ['INSERT', 'DELETE'] },
  action_plan_schedules: { rows: cohortRow, events: ['INSERT', 'UPDATE', 'DELETE'] },
  module_schedules: { rows: cohortRow, events: ['INSERT', 'UPDATE', 'DELETE'] },
  cohort_analytics_settings: { rows: cohortRow, events: ['INSERT', 'UPDATE', 'DELETE'] },
};

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [table, c] of Object.entries(logged)) {
    const log = (rows: string) => `
      INSERT INTO cohort_figure_changes (tenant_id, cohort_id, xid)
      SELECT DISTINCT changed.*, pg_current_xact_id() FROM (${rows}) changed
      ON CONFLICT DO NOTHING;`;
    await sql.raw(`
      CREATE FUNCTION ${table}_count_cohort_figure_changes() RETURNS trigger LANGUAGE plpgsql AS $$${countingBody(table, c, log)} $$`).execute(db);
    for (const event of c.events) {
      const transition = event === 'INSERT' ? 'NEW TABLE AS n' : event === 'DELETE' ? 'OLD TABLE AS o' : 'OLD TABLE AS o NEW TABLE AS n';
      await sql.raw(`
        CREATE TRIGGER ${table}_count_cohort_figure_changes_${event.toLowerCase()} AFTER ${event} ON ${table}
        REFERENCING ${transition} FOR EACH STATEMENT EXECUTE FUNCTION ${table}_count_cohort_figure_changes()`).execute(db);
    }
  }
}
