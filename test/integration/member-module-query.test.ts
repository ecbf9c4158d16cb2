// A learner's module in one statement (findMemberModule): responses, completed modules, group and a
// post in the module's group space. Each part is scoped by tenant on its own; the services' checks
// would hide a missing predicate, so the statement is called here with the right and a wrong tenant.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { findMemberModule, insertModuleCompletion } from '../../models/modules.queries.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';

describe('a learner’s module, in one statement', () => {
  const { env, launch, post, follow, formGroups } = cohortSuite({ context: { id: 'course-mm', title: 'Member module' } });

  it('reads responses, completions, group and group-space post, and nothing with another tenant’s id', async () => {
    const learners = [];
    for (let i = 1; i <= 6; i++) learners.push(await launch({ sub: `l${i}`, name: `Learner ${i}`, roles: [ROLES.learner] }));
    await formGroups(await launch({ sub: 'f', name: 'Fran', roles: [ROLES.instructor] }));
    const ann = learners[0]!;
    const db = env.app.db;
    const me = await db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select(['m.id', 'm.tenantId', 'm.cohortId']).where('p.sub', '=', 'l1').executeTakeFirstOrThrow();
    const read = (tenantId: string, moduleId = 1) => findMemberModule(db, { tenantId, cohortId: me.cohortId, membershipId: me.id, moduleId });
    expect(await read(me.tenantId), 'nothing yet but the group').to.deep.equal({ responses: [], completed: [], hasGroup: true, postedInGroupSpace: false });

    const space = await follow(ann, `${ann.base}/modules/1/space`);
    expect((await post(ann, `${space}/threads`, { title: 'Hello group', body: 'First words' })).status).to.equal(303);
    for (const [activityId, at] of [['b', '2026-01-02'], ['a', '2026-01-01']] as const) {
      await db.insertInto('activityResponses').values({ tenantId: me.tenantId, cohortId: me.cohortId, membershipId: me.id, moduleId: 1, activityId, kind: 'reflection', status: 'draft', content: '{}', createdAt: new Date(at) } as never).execute();
    }
    await insertModuleCompletion(db, { tenantId: me.tenantId, cohortId: me.cohortId, membershipId: me.id, moduleId: 3 });
    await insertModuleCompletion(db, { tenantId: me.tenantId, cohortId: me.cohortId, membershipId: me.id, moduleId: 2 });

    const ours = await read(me.tenantId);
    expect(ours.responses.map((r) => [r.activityId, r.moduleId, r.createdAt instanceof Date]), 'oldest first, as rows').to.deep.equal([['a', 1, true], ['b', 1, true]]);
    expect(ours.responses[0], 'a response row has only its own columns').to.not.have.any.keys('figCompleted', 'figHasGroup', 'figPosted');
    expect([ours.completed, ours.hasGroup, ours.postedInGroupSpace]).to.deep.equal([[2, 3], true, true]);
    expect((await read(me.tenantId, 2)).postedInGroupSpace, 'the post is in module 1’s space').to.equal(false);
    expect(await read(randomUUID()), 'another tenant’s id').to.deep.equal({ responses: [], completed: [], hasGroup: false, postedInGroupSpace: false });
  });
});
