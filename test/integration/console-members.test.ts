// The console's member table comes in pages (keyset, after a member): a 600-learner cohort's console
// is a page of rows, not 600. Walking the pages shows every member once, in the order of the whole
// list; the counts are the cohort's; an anchor that is not a member of this cohort opens the first page.
import { expect } from 'chai';
import { cohortSuite } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortWithRoster } from '../support/roster-learners.ts';
import { MEMBER_PAGE_SIZE } from '../../server/cohorts/cohorts.routes.ts';
import { listCohortMembers } from '../../models/cohorts.queries.ts';

describe('console member table pages', () => {
  const { env, launch, get } = cohortSuite({ context: { id: 'console-members', title: 'Members' } });

  it('pages the members after one another, each once, in the whole list’s order, with the cohort’s counts', async () => {
    // Fran, Zed, and 120 learners from the roster (some never shared their name, two share one).
    const { f, tenantId } = await cohortWithRoster(env.app.db, (u) => launch(u), 120);
    const whole = (await listCohortMembers(env.app.db, tenantId, f.cohortId)).map((m) => m.name ?? 'Name not shared by the LMS');
    expect(whole).to.have.length(122);

    const seen: string[] = [];
    let url: string | undefined = `${f.base}/console`;
    let pages = 0;
    while (url) {
      const page = await get(f, url);
      expect(page.status).to.equal(200);
      const rows = page.doc.querySelectorAll('[data-test=member]');
      expect(rows.length).to.be.at.most(MEMBER_PAGE_SIZE);
      seen.push(...rows.map((r) => r.querySelector('td')!.text.trim()));
      expect(page.doc.querySelector('[data-test=roster-counts]')!.text).to.contain('121 learners and 1 facilitator');
      if (pages > 0) expect(page.doc.querySelector('[data-test=members-first]')!.getAttribute('href')).to.equal(`/cohorts/${f.cohortId}/console#members`);
      const next = page.doc.querySelector('[data-test=members-next]')?.getAttribute('href');
      url = next ? new URL(next, env.app.url).href : undefined;
      pages++;
    }
    expect(pages).to.equal(Math.ceil(122 / MEMBER_PAGE_SIZE));
    expect(seen, 'every member once, in the order of the whole list').to.deep.equal(whole);
    expect(seen.slice(-2), 'learners first, names not shared last among them; then the facilitator').to.deep.equal(['Name not shared by the LMS', 'Fran Facilitator']);

    // An anchor from another cohort (or no member at all) opens the first page.
    const other = await launch({ sub: 'otto', name: 'Otto Other', roles: [ROLES.instructor] }, { id: 'console-members-other', title: 'Other' });
    const otherMember = (await env.app.db.selectFrom('memberships').select('id').where('cohortId', '=', other.cohortId).executeTakeFirstOrThrow()).id;
    for (const after of [otherMember, 'not-an-id']) {
      const page = await get(f, `${f.base}/console?members_after=${after}`);
      expect(page.status).to.equal(200);
      expect(page.doc.querySelectorAll('[data-test=member]').map((r) => r.querySelector('td')!.text.trim())).to.deep.equal(whole.slice(0, MEMBER_PAGE_SIZE));
    }
  });
});
