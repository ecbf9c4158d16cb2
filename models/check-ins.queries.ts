// The cohort's check-in schedule, check-ins and their reminders. Every statement is scoped by tenant.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { CheckInEntry } from './schema.ts';

export async function findSchedule(ex: Executor, tenantId: string, cohortId: string): Promise<{ endsOn: string; checkInWeeks: number[] } | undefined> {
  const row = await ex
    .selectFrom('actionPlanSchedules')
    .select([sql<string>`to_char(ends_on, 'YYYY-MM-DD')`.as('endsOn'), 'checkInWeeks'])
    .where('tenantId', '=', tenantId)
    .where('cohortId', '=', cohortId)
    .executeTakeFirst();
  return row && { endsOn: row.endsOn, checkInWeeks: row.checkInWeeks.map(Number) };
}

export async function upsertSchedule(ex: Executor, s: { tenantId: string; cohortId: string; endsOn: string; checkInWeeks: number[] }): Promise<void> {
  await ex
    .insertInto('actionPlanSchedules')
    .values(s)
    .onConflict((oc) => oc.columns(['tenantId', 'cohortId']).doUpdateSet({ endsOn: s.endsOn, checkInWeeks: s.checkInWeeks, updatedAt: sql`now()` }))
    .execute();
}

export interface CheckInRow {
  id: string;
  planId: string;
  seq: number;
  entries: CheckInEntry[];
  journal: string;
  journalShared: boolean;
  createdAt: Date;
}

export function listCheckIns(ex: Executor, tenantId: string, planId: string): Promise<CheckInRow[]> {
  return ex.selectFrom('checkIns').select(['id', 'planId', 'seq', 'entries', 'journal', 'journalShared', 'createdAt']).where('tenantId', '=', tenantId).where('planId', '=', planId).orderBy('seq').execute();
}

/** Inserts the check-in; undefined when that number was already recorded. */
export async function insertCheckIn(ex: Executor, c: { tenantId: string; planId: string; seq: number; entries: CheckInEntry[]; journal: string; journalShared: boolean }): Promise<string | undefined> {
  const row = await ex
    .insertInto('checkIns')
    .values({ ...c, entries: JSON.stringify(c.entries) })
    .onConflict((oc) => oc.columns(['tenantId', 'planId', 'seq']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Counts per check-in number of a cohort's submitted plans that recorded it. */
export async function countCheckInsBySeq(ex: Executor, tenantId: string, cohortId: string): Promise<Map<number, number>> {
  const rows = await ex
    .selectFrom('checkIns as c')
    .innerJoin('actionPlans as ap', (j) => j.onRef('ap.tenantId', '=', 'c.tenantId').onRef('ap.id', '=', 'c.planId'))
    .select(['c.seq', sql<number>`count(*)::int`.as('n')])
    .where('c.tenantId', '=', tenantId)
    .where('ap.cohortId', '=', cohortId)
    .where('ap.status', '=', 'submitted')
    .groupBy('c.seq')
    .execute();
  return new Map(rows.map((r) => [Number(r.seq), Number(r.n)]));
}

/**
 * Submitted plans of every cohort whose check-in `seq` is due by `now` and that have neither that
 * check-in nor a reminder of `kind` for it: what the reminder job works through.
 */
export async function listDueReminders(
  ex: Executor,
  now: Date,
  kind: 'scheduled' | 'missed',
  scope?: { tenantId: string; cohortId: string },
): Promise<Array<{ tenantId: string; planId: string; cohortId: string; membershipId: string; seq: number }>> {
  const scoped = scope ? sql`AND ap.tenant_id = ${scope.tenantId} AND ap.cohort_id = ${scope.cohortId}` : sql``;
  // A check-in is due on the end date plus its weeks (dates compared in UTC).
  const { rows } = await sql<{ tenantId: string; planId: string; cohortId: string; membershipId: string; seq: number }>`
    SELECT ap.tenant_id, ap.id AS plan_id, ap.cohort_id, ap.membership_id, w.seq::int AS seq
    FROM action_plans ap
    JOIN action_plan_schedules s ON s.tenant_id = ap.tenant_id AND s.cohort_id = ap.cohort_id
    JOIN memberships m ON m.tenant_id = ap.tenant_id AND m.id = ap.membership_id
    CROSS JOIN LATERAL unnest(s.check_in_weeks) WITH ORDINALITY AS w(weeks, seq)
    WHERE ap.status = 'submitted' AND m.status = 'active'
      AND s.ends_on + (w.weeks * 7) <= (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')::date
      AND NOT EXISTS (SELECT 1 FROM check_ins c WHERE c.tenant_id = ap.tenant_id AND c.plan_id = ap.id AND c.seq = w.seq)
      AND NOT EXISTS (SELECT 1 FROM check_in_reminders r WHERE r.tenant_id = ap.tenant_id AND r.plan_id = ap.id AND r.seq = w.seq AND r.kind = ${kind})
      ${scoped}
    ORDER BY ap.tenant_id, ap.id, w.seq`.execute(ex);
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** Claims a reminder; false when another worker (or an earlier run) already has. Blocks on a concurrent claim until it commits or rolls back. */
export async function claimReminder(ex: Executor, r: { tenantId: string; planId: string; seq: number; kind: 'scheduled' | 'missed' }): Promise<boolean> {
  const res = await ex.insertInto('checkInReminders').values(r).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}
