// Many learners at once, as a roster sync from the LMS adds them (never launched): for pages that
// come in pages. Written in SQL: launching 120 people through LTI would take the test a minute.
import { sql } from 'kysely';
import type { Db } from '../../models/db.ts';
import { ROLES } from './lti-fixtures.ts';
import type { Member } from './cohort-members.ts';
import type { SimUser } from './lti-platform-simulator.ts';

/** `count` learners "Learner 001"…; every 17th shared no name with us, and learners 3 and 4 share one ("Same Name"). */
export async function addRosterLearners(db: Db, tenantId: string, cohortId: string, count: number): Promise<void> {
  await sql`
    with p as (
      insert into persons (tenant_id, sub, name)
      select ${tenantId}, 'roster-' || i, case when i % 17 = 0 then null when i in (3, 4) then 'Same Name' else 'Learner ' || lpad(i::text, 3, '0') end
      from generate_series(1, ${count}::int) i returning id)
    insert into memberships (tenant_id, cohort_id, person_id, role) select ${tenantId}, ${cohortId}, id, 'learner' from p`.execute(db);
}

/**
 * A cohort of a facilitator (Fran), one learner who launched (Zed) and `count` learners from the
 * roster (addRosterLearners): what the pages that come in pages are tested with.
 */
export async function cohortWithRoster(db: Db, launch: (user: SimUser) => Promise<Member>, count: number): Promise<{ f: Member; tenantId: string }> {
  const f = await launch({ sub: 'f', name: 'Fran Facilitator', roles: [ROLES.instructor] });
  await launch({ sub: 'zed', name: 'Zed Learner', roles: [ROLES.learner] });
  const { tenantId } = await db.selectFrom('cohorts').select('tenantId').where('id', '=', f.cohortId).executeTakeFirstOrThrow();
  await addRosterLearners(db, tenantId, f.cohortId, count);
  return { f, tenantId };
}
