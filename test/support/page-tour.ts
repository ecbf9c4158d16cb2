// A tour of every page kind reachable by links: one page per kind of address (ids and numbers
// folded), breadth first. The CSP and language tests walk the product this way.
import type { Frame, Page } from 'playwright-core';
import type { SimUser } from './lti-platform-simulator.ts';
import type { CohortMembers, Member } from './cohort-members.ts';

/** The address with ids and numbers folded, so one page of each kind is visited. */
export const kindOf = (url: string) => new URL(url).pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/\/\d+(?=\/|$)/g, '/:n');
// Downloads, files and event streams are not pages; signing out would end the tour.
const NOT_A_PAGE = /\/(export|events|logout|sign-out|files|photo|media)\b|\.(csv|svg|zip|png|jpg)$/;

export interface PageVisit {
  kind: string;
  status: number;
}

/** Visits `start` and every link under `scope`, calling `visit` on each page once it has loaded. */
export async function tour(target: Frame | Page, start: string, scope: string, visit: (kind: string) => Promise<void> = async () => {}, limit = 60): Promise<PageVisit[]> {
  const seen = new Set<string>();
  const queue = [start];
  const visited: PageVisit[] = [];
  while (queue.length && visited.length < limit) {
    const url = queue.shift()!;
    if (seen.has(kindOf(url))) continue;
    seen.add(kindOf(url));
    const res = await target.goto(url);
    visited.push({ kind: kindOf(url), status: res?.status() ?? 0 });
    await visit(kindOf(url));
    const links = await target.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const href of links.map((h) => h.split('#')[0]!)) {
      if (href.startsWith(scope) && !NOT_A_PAGE.test(href) && !seen.has(kindOf(href))) queue.push(href);
    }
  }
  return visited;
}

/**
 * A cohort with groups, a thread that mentions the first learner and a shared answer, so the pages
 * a tour visits have something to show.
 */
export async function seedTourCohort(m: CohortMembers, facilitator: SimUser, learners: [SimUser, SimUser, SimUser]): Promise<{ facilitator: Member; learners: Member[] }> {
  const f = await m.launch(facilitator);
  const ls = [await m.launch(learners[0]), await m.launch(learners[1]), await m.launch(learners[2])];
  await m.formGroups(f);
  const space = await m.follow(ls[1]!, `${ls[1]!.base}/modules/1/space`);
  const handle = learners[0].name!.toLowerCase().replace(/\s+/g, '');
  await m.post(ls[1]!, `${space}/threads`, { title: 'Hello group', body: `Hello @${handle}, what are you working on?` });
  await m.post(ls[0]!, `${ls[0]!.base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: 'Ask for help early.', shared: 'on' });
  return { facilitator: f, learners: ls };
}
