// The progress heatmap on a screen comes in pages (keyset, after a learner), on the console and on
// the dashboard: a 600-learner cohort's page is 50 rows, not 600. Walking the pages shows every
// learner once, in the order of the printable report, which shows them all on one page.
import { expect } from 'chai';
import { cohortSuite } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortWithRoster } from '../support/roster-learners.ts';
import { HEATMAP_PAGE_SIZE } from '../../server/cohorts/cohorts.views.ts';

describe('progress heatmap pages', () => {
  const { env, launch, get } = cohortSuite({ context: { id: 'heatmap-pages', title: 'Heatmap' } });

  it('pages the console’s and the dashboard’s heatmap, each learner once in the report’s order; the report shows every row', async () => {
    // Fran, Zed, and 120 learners from the roster (some never shared their name, two share one).
    const { f } = await cohortWithRoster(env.app.db, (u) => launch(u), 120);
    const rowsOf = (doc: Awaited<ReturnType<typeof get>>['doc']) => doc.querySelectorAll('[data-test=heatmap-row] th').map((th) => th.text.trim());

    const report = await get(f, `${f.base}/console/report`);
    expect(report.status).to.equal(200);
    const whole = rowsOf(report.doc);
    expect(whole, 'the printable report: every learner').to.have.length(121);
    expect(report.doc.querySelector('[data-test=heatmap-pages]')).to.equal(null);

    for (const here of [`/cohorts/${f.cohortId}/console`, `/cohorts/${f.cohortId}/console/dashboard`]) {
      const seen: string[] = [];
      let url: string | undefined = new URL(here, env.app.url).href;
      let pages = 0;
      while (url) {
        const page = await get(f, url);
        expect(page.status).to.equal(200);
        const rows = rowsOf(page.doc);
        expect(rows.length).to.be.at.most(HEATMAP_PAGE_SIZE);
        expect(page.doc.querySelector('[data-test=heatmap-shown]')!.text).to.equal(`Learners ${seen.length + 1}–${seen.length + rows.length} of 121`);
        seen.push(...rows);
        const first = page.doc.querySelector('[data-test=heatmap-first]')?.getAttribute('href');
        expect(first).to.equal(pages > 0 ? `${here}#progress` : undefined);
        const next = page.doc.querySelector('[data-test=heatmap-next]')?.getAttribute('href');
        url = next ? new URL(next, env.app.url).href : undefined;
        pages++;
      }
      expect(pages, here).to.equal(Math.ceil(121 / HEATMAP_PAGE_SIZE));
      expect(seen, `${here}: every learner once, in the report’s order`).to.deep.equal(whole);
    }

    // An anchor from another cohort (or no learner at all) opens the first page.
    const other = await launch({ sub: 'otto', name: 'Otto Other', roles: [ROLES.learner] }, { id: 'heatmap-pages-other', title: 'Other' });
    const otherMember = (await env.app.db.selectFrom('memberships').select('id').where('cohortId', '=', other.cohortId).executeTakeFirstOrThrow()).id;
    for (const after of [otherMember, 'not-an-id']) {
      const page = await get(f, `${f.base}/console/dashboard?progress_after=${after}`);
      expect(page.status).to.equal(200);
      expect(rowsOf(page.doc)).to.deep.equal(whole.slice(0, HEATMAP_PAGE_SIZE));
    }
  });
});
