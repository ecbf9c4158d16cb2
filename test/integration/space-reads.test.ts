// Opening a space writes nothing once it exists: the module's group spaces (facilitator), a
// learner's group space and the commons are made on the first visit only, not upserted on every GET.
import { expect } from 'chai';
import { requestStatements, statementsDuring } from '../support/statements-during.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';

/** The statements that write anything while `work` runs. */
async function writesDuring(work: () => Promise<void>): Promise<string[]> {
  const { statements: all } = await statementsDuring(work);
  return all.filter((text) => /^\s*(WITH\b[\s\S]*\b(INSERT|UPDATE|DELETE)\b|INSERT|UPDATE|DELETE)\b/i.test(text)).map((text) => text.replace(/\s+/g, ' ').slice(0, 120));
}

describe('space reads (no write on a GET once a space exists)', () => {
  const { env, launch, get, follow, formGroups } = cohortSuite({ context: { id: 'space-reads', title: 'Space reads' } });

  it('makes the module’s group spaces on the first visit, and writes nothing on the next visits', async () => {
    const learners = [];
    for (let i = 1; i <= 6; i++) learners.push(await launch({ sub: `l${i}`, name: `Learner ${i}`, roles: [ROLES.learner] }));
    const f = await launch({ sub: 'f', name: 'Fran', roles: [ROLES.instructor] });
    await formGroups(f);
    const groups = await env.app.db.selectFrom('groups').select('id').where('cohortId', '=', f.cohortId).execute();
    expect(groups.length).to.be.greaterThan(1);

    const first = await get(f, `${f.base}/modules/1/space`);
    expect(first.status).to.equal(200);
    const spaces = await env.app.db.selectFrom('spaces').select(['groupId', 'moduleId']).where('cohortId', '=', f.cohortId).where('groupId', 'is not', null).execute();
    expect(spaces.map((s) => s.groupId).sort(), 'one space per group').to.deep.equal(groups.map((g) => g.id).sort());
    expect(first.doc.querySelectorAll('[data-test=group-space]').length || first.doc.querySelectorAll('a[href*="/spaces/"]').length).to.equal(groups.length);

    const l = learners[0]!;
    const commons = await get(l, `${l.base}/commons`);
    expect(commons.status).to.equal(303);
    expect((await get(l, `${l.base}/modules/1/space`)).status).to.equal(303);

    const writes = await writesDuring(async () => {
      expect((await get(f, `${f.base}/modules/1/space`)).status).to.equal(200);
      expect((await get(l, `${l.base}/modules/1/space`)).status).to.equal(303);
      expect((await get(l, `${l.base}/commons`)).status).to.equal(303);
    });
    expect(writes, 'statements writing during GETs of spaces that exist').to.deep.equal([]);

    // Read warm (the session and the launch are kept in memory), a group space's page is one
    // statement: the space and whether the reader is in its group come with the page.
    const spaceUrl = await follow(l, `${l.base}/modules/1/space`);
    const { statements, result: page } = await statementsDuring(() => get(l, spaceUrl));
    expect(page.status).to.equal(200);
    expect(requestStatements(statements), 'the group space’s statements').to.have.length(1);
  });
});
