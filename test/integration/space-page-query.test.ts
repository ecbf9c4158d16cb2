// The space page's one statement (models/space-page.queries.ts) reads five things: the space with
// whether the reader is in its group, the threads, the group's norms, its member strip and the
// reader's kept draft. Each part must be scoped by tenant on its own and the group's parts by the
// space's own group: the service's visibility check would hide a missing predicate, so the statement
// is called here directly, with the right ids and with wrong ones.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { listSpacePage } from '../../models/space-page.queries.ts';
import { insertNormsVersion } from '../../models/group-norms.queries.ts';
import { upsertPostDraft } from '../../models/post-drafts.queries.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';

describe('the space page’s statement', () => {
  const { env, launch, post, follow, formGroups } = cohortSuite({ context: { id: 'course-sp', title: 'Space page' } });

  it('reads a group space’s threads, norms, members and kept draft, and nothing with another tenant’s or group’s id', async () => {
    const learners = [];
    for (let i = 1; i <= 6; i++) learners.push(await launch({ sub: `l${i}`, name: `Learner ${i}`, roles: [ROLES.learner] }));
    const f = await launch({ sub: 'f', name: 'Fran', roles: [ROLES.instructor] });
    const groupOfSub = await formGroups(f);
    const ann = learners[0]!;
    const spaceUrl = await follow(ann, `${ann.base}/modules/1/space`);
    expect((await post(ann, `${spaceUrl}/threads`, { title: 'Ours', body: 'First words' })).status).to.equal(303);
    const db = env.app.db;
    const space = await db.selectFrom('spaces').selectAll().where('id', '=', spaceUrl.split('/').at(-1)!).executeTakeFirstOrThrow();
    const groupId = groupOfSub.get('l1')!;
    expect(space.groupId).to.equal(groupId);
    const me = await db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', 'l1').executeTakeFirstOrThrow();
    expect(await insertNormsVersion(db, { tenantId: space.tenantId, groupId, version: 1, norms: ['We reply within two days'], membershipId: me.id })).to.equal(true);
    expect(await upsertPostDraft(db, { tenantId: space.tenantId, membershipId: me.id, target: `space:${space.id}`, title: 'Kept', body: 'Half a thought' }, undefined)).to.equal(true);
    const mates = [...groupOfSub].filter(([, g]) => g === groupId).map(([sub]) => `Learner ${sub.slice(1)}`).sort();

    const read = (tenantId: string, spaceId: string, membershipId = me.id) => listSpacePage(db, { tenantId, spaceId, membershipId, target: `space:${spaceId}` });
    const ours = await read(space.tenantId, space.id);
    expect(ours.space, 'the space, and that the reader is in its group').to.deep.equal({ space, inGroup: true });
    expect(ours.threads.map((t) => [t.title, t.authorName, t.replies, t.createdAt instanceof Date]), 'the thread, its starter, dates as dates').to.deep.equal([['Ours', 'Learner 1', 0, true]]);
    expect(ours.norms).to.deep.equal(['We reply within two days']);
    expect(ours.members.map((m) => m.name), 'the group’s members, by name').to.deep.equal(mates);
    expect(ours.members.find((m) => m.membershipId === me.id)?.lastPostAt, 'when each last posted').to.be.instanceOf(Date);
    expect(ours.keptForm.draft && [ours.keptForm.draft.title, ours.keptForm.draft.body]).to.deep.equal(['Kept', 'Half a thought']);

    const nothing = { space: undefined, threads: [], norms: [], members: [], keptForm: { draft: undefined, pending: [] } };
    expect(await read(randomUUID(), space.id), 'another tenant’s id: nothing of this tenant').to.deep.equal(nothing);
    // A learner of another group (subs are l1…l6, launched in that order).
    const outsiderSub = [...groupOfSub].find(([, g]) => g !== groupId)![0];
    const outsider = await db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', outsiderSub).executeTakeFirstOrThrow();
    const readByOutsider = await read(space.tenantId, space.id, outsider.id);
    expect(readByOutsider.space?.inGroup, 'a member of another group is not in this space’s group').to.equal(false);
    expect(readByOutsider.keptForm.draft, 'nor do they get the reader’s draft').to.equal(undefined);
    // The commons and the other group's module space, made by their first visits.
    const commonsId = (await follow(ann, `${ann.base}/commons`)).split('/').at(-1)!;
    const outsiderMember = learners[Number(outsiderSub.slice(1)) - 1]!;
    const otherSpaceId = (await follow(outsiderMember, `${outsiderMember.base}/modules/1/space`)).split('/').at(-1)!;
    const commonsPage = await read(space.tenantId, commonsId);
    expect([commonsPage.space?.space.groupId, commonsPage.space?.inGroup, commonsPage.norms, commonsPage.members], 'the commons: everyone is in it, no norms and no strip').to.deep.equal([null, true, [], []]);
    const others = await read(space.tenantId, otherSpaceId);
    expect([others.space?.space.groupId !== groupId, others.space?.inGroup], 'another group’s space: the reader is not in its group').to.deep.equal([true, false]);
    expect(others.members.map((m) => m.name), 'its own group’s members').to.have.length.greaterThan(0);
    expect(others.members.map((m) => m.name), 'not this one’s').to.not.include('Learner 1');
    expect(others.norms).to.deep.equal([]);
  });
});
