// quietCandidates picks from the cohort's learners those who may have gone quiet: never launched,
// or not launched within the quiet days. The dashboard and the console decide from these by the one
// rule (quietFrom), so the set must never miss anyone that rule would list, down to the millisecond
// JavaScript keeps of PostgreSQL's microseconds. Each comes with whether it was nudged that day.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { quietCandidates } from '../../server/analytics/analytics.service.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';

const DAY = 86_400_000;

describe('the quiet candidates', () => {
  const { env, launch } = cohortSuite({ context: { id: 'course-qc', title: 'Quiet candidates' } });

  it('are the never launched and those not launched in the quiet days, to the microsecond, and nothing of another tenant', async () => {
    const subs = ['edge', 'late', 'recent', 'old', 'never'];
    for (const sub of subs) await launch({ sub, name: sub, roles: [ROLES.learner] });
    await launch({ sub: 'fran', name: 'Fran', roles: [ROLES.instructor] });
    // Another cohort of the same tenant, whose facilitators keep a month as quiet.
    await launch({ sub: 'elsewhere', name: 'Elsewhere', roles: [ROLES.learner] }, { id: 'course-qc-2', title: 'Another cohort' });
    const db = env.app.db;
    const rows = await db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select(['m.id', 'm.tenantId', 'm.cohortId', 'p.sub']).execute();
    const { tenantId, cohortId } = rows.find((r) => r.sub === 'edge')!;
    const other = rows.find((r) => r.sub === 'elsewhere')!;
    expect(other.cohortId).to.not.equal(cohortId);
    await db.insertInto('cohortAnalyticsSettings').values({ tenantId, cohortId: other.cohortId, quietDays: 30 }).execute();
    const idOf = new Map(rows.map((r) => [r.sub, r.id]));
    const now = new Date('2026-12-06T12:00:00.000Z');
    const cutoff = now.getTime() - 7 * DAY;
    // 'edge' launched half a millisecond after the cutoff: JavaScript reads it at the cutoff (quiet).
    const at = (sub: string, iso: string | null) => sql`UPDATE memberships SET last_launch_at = ${iso}::timestamptz WHERE id = ${idOf.get(sub)!}`.execute(db);
    await at('edge', `${new Date(cutoff).toISOString().slice(0, 23)}500+00`);
    await at('late', new Date(cutoff + 2).toISOString());
    await at('recent', new Date(now.getTime() - DAY).toISOString());
    await at('old', new Date(cutoff - 5 * DAY).toISOString());
    await at('never', null);
    await at('fran', null);
    const deps = { db };
    const candidates = (tenant: string, quietDays: number, day = now) => quietCandidates(deps, { tenantId: tenant, cohortId }, quietDays, day);
    const read = async (tenant: string, quietDays = 7) => (await candidates(tenant, quietDays)).map((r) => rows.find((x) => x.id === r.membershipId)!.sub).sort();
    expect(await read(tenantId), 'learners only, of this cohort; the edge case in, two milliseconds past the cutoff out').to.deep.equal(['edge', 'never', 'old']);
    expect(await read(tenantId, 1), 'a day ago to the millisecond is a day').to.deep.equal(['edge', 'late', 'never', 'old', 'recent']);
    expect(await read(tenantId, 30), 'a month').to.deep.equal(['never']);
    expect(await read(randomUUID()), 'another tenant’s id').to.deep.equal([]);
    // Each candidate says whether a facilitator nudged them on the day asked about, not on another day.
    const fran = idOf.get('fran')!;
    const nudge = (sub: string, day: string) => db.insertInto('nudges').values({ tenantId, cohortId, membershipId: idOf.get(sub)!, sentByMembershipId: fran, message: 'Hello', nudgedOn: day }).execute();
    await nudge('old', '2026-12-06');
    await nudge('never', '2026-12-05');
    // Asked on the 6th, then on the 5th (quiet days shortened by one, so the same learners are candidates).
    const nudged = async (day: Date, quietDays: number) => (await candidates(tenantId, quietDays, day)).filter((r) => r.nudgedToday).map((r) => rows.find((x) => x.id === r.membershipId)!.sub);
    expect(await nudged(now, 7), 'nudged on the day').to.deep.equal(['old']);
    expect(await nudged(new Date(now.getTime() - DAY), 6), 'nudged the day before').to.deep.equal(['never']);
  });
});
