import { sql, type Kysely } from 'kysely';

// Every write that can move a facilitator's figure bumps its cohort's cohort_figures.changes in the
// same transaction (statement triggers over the transition tables: one upsert per statement, however
// many rows it touched). Reaching the cohort from a row: through its space (posts, threads), its post
// (kudos, mentions), its group (group members), or its own cohort_id. The joins also drop rows whose
// cohort is being deleted (a cascade), so no figures row is made for a vanishing cohort.
// Not counted: a launch (last_launch_at is read live), a notification read.
export const cohortOf: Record<string, { rows: (t: string) => string; update?: string; events: Array<'INSERT' | 'UPDATE' | 'DELETE'> }> = {
  posts: { rows: (t) => `SELECT s.tenant_id, s.cohort_id FROM ${t} x JOIN spaces s ON s.tenant_id = x.tenant_id AND s.id = x.space_id`, events: ['INSERT', 'UPDATE', 'DELETE'] },
  threads: {
    rows: (t) => `SELECT s.tenant_id, s.cohort_id FROM ${t} x JOIN spaces s ON s.tenant_id = x.tenant_id AND s.id = x.space_id`,
    // a reply's last_post_at, a pin or a lock moves no figure
    update: '(n.author_membership_id, n.space_id) IS DISTINCT FROM (o.author_membership_id, o.space_id)',
    events: ['INSERT', 'UPDATE', 'DELETE'],
  },
  kudos: { rows: (t) => `SELECT s.tenant_id, s.cohort_id FROM ${t} x JOIN posts p ON p.tenant_id = x.tenant_id AND p.id = x.post_id JOIN spaces s ON s.tenant_id = p.tenant_id AND s.id = p.space_id`, events: ['INSERT', 'UPDATE', 'DELETE'] },
  notifications: {
    rows: (t) => `SELECT s.tenant_id, s.cohort_id FROM ${t} x JOIN posts p ON p.tenant_id = x.tenant_id AND p.id = x.post_id JOIN spaces s ON s.tenant_id = p.tenant_id AND s.id = p.space_id WHERE x.kind = 'mention'`,
    events: ['INSERT', 'DELETE'],
  },
  // a name shows in the progress table (and orders it)
  persons: {
    rows: (t) => `SELECT c.tenant_id, c.id FROM ${t} x JOIN memberships m ON m.tenant_id = x.tenant_id AND m.person_id = x.id JOIN cohorts c ON c.tenant_id = m.tenant_id AND c.id = m.cohort_id`,
    update: 'n.name IS DISTINCT FROM o.name',
    events: ['UPDATE'],
  },
  group_members: { rows: (t) => `SELECT g.tenant_id, g.cohort_id FROM ${t} x JOIN groups g ON g.tenant_id = x.tenant_id AND g.id = x.group_id`, events: ['INSERT', 'UPDATE', 'DELETE'] },
  memberships: {
    rows: (t) => `SELECT c.tenant_id, c.id FROM ${t} x JOIN cohorts c ON c.tenant_id = x.tenant_id AND c.id = x.cohort_id`,
    update: '(n.role, n.status) IS DISTINCT FROM (o.role, o.status)',
    events: ['INSERT', 'UPDATE', 'DELETE'],
  },
  ...Object.fromEntries(['groups', 'announcements', 'activity_responses', 'module_completions'].map((table) => [table, {
    rows: (t: string) => `SELECT c.tenant_id, c.id FROM ${t} x JOIN cohorts c ON c.tenant_id = x.tenant_id AND c.id = x.cohort_id`,
    events: ['INSERT', 'UPDATE', 'DELETE'] as Array<'INSERT' | 'UPDATE' | 'DELETE'>,
  }])),
};

/** The trigger function's body: `count` with the (tenant_id, cohort_id) of the statement's changed rows. */
export function countingBody(table: string, c: (typeof cohortOf)[string], count: (rows: string) => string): string {
  const changedRows = c.update
    ? `SELECT n.* FROM n JOIN o ON o.tenant_id = n.tenant_id AND o.${table === 'group_members' ? 'membership_id' : 'id'} = n.${table === 'group_members' ? 'membership_id' : 'id'} WHERE ${c.update}`
    : 'SELECT * FROM n UNION ALL SELECT * FROM o';
  return `
      BEGIN
        IF TG_OP = 'INSERT' THEN ${count(c.rows('n'))}
        ELSIF TG_OP = 'DELETE' THEN ${count(c.rows('o'))}
        ELSE ${count(c.rows(`(${changedRows})`))}
        END IF;
        RETURN NULL;
      END`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [table, c] of Object.entries(cohortOf)) {
    const bump = (rows: string) => `
      INSERT INTO cohort_figures AS f (tenant_id, cohort_id)
      SELECT DISTINCT * FROM (${rows}) changed
      ON CONFLICT (tenant_id, cohort_id) DO UPDATE SET changes = f.changes + 1;`;
    await sql.raw(`
      CREATE FUNCTION ${table}_count_cohort_figure_changes() RETURNS trigger LANGUAGE plpgsql AS $$${countingBody(table, c, bump)} $$`).execute(db);
    for (const event of c.events) {
      const transition = event === 'INSERT' ? 'NEW TABLE AS n' : event === 'DELETE' ? 'OLD TABLE AS o' : 'OLD TABLE AS o NEW TABLE AS n';
      await sql.raw(`
        CREATE TRIGGER ${table}_count_cohort_figure_changes_${event.toLowerCase()} AFTER ${event} ON ${table}
        REFERENCING ${transition} FOR EACH STATEMENT EXECUTE FUNCTION ${table}_count_cohort_figure_changes()`).execute(db);
    }
  }
}
