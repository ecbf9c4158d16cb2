// A group's space as its members see it (issue 16 item 4): the member strip (this group only, with
// who has been here lately), the module's discussion prompt, and the thread list with its starter,
// replies, last reply and the faces of who took part; every time relative, the exact time in its title.
import { expect } from 'chai';
import type { HTMLElement } from 'node-html-parser';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';

const learner = (i: number): SimUser => ({ sub: `l${i}`, name: `Learner ${i} Person`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('the group space: member strip, prompt and thread list', () => {
  const s = cohortSuite({ context: { id: 'course-social', title: 'Social course' } });

  /** Eight learners in two groups of four, and their facilitator. */
  async function twoGroups() {
    const people: Member[] = [];
    for (let i = 1; i <= 8; i++) people.push(await s.launch(learner(i)));
    const facilitator = await s.launch(fran);
    const groupOf = await s.formGroups(facilitator);
    const names = (groupId: string) => [...groupOf].filter(([, g]) => g === groupId).map(([sub]) => learner(Number(sub.slice(1))).name!).sort();
    const first = people[0]!;
    const mine = groupOf.get('l1')!;
    const otherGroup = [...new Set(groupOf.values())].find((g) => g !== mine)!;
    const otherSub = [...groupOf].find(([, g]) => g === otherGroup)![0];
    const other = people[Number(otherSub.slice(1)) - 1]!;
    const mateSubs = [...groupOf].filter(([sub, g]) => g === mine && sub !== 'l1').map(([sub]) => sub);
    return { people, facilitator, first, other, mateSubs, mine: names(mine), theirs: names(otherGroup) };
  }
  const stripNames = (doc: HTMLElement) => doc.querySelectorAll('[data-test=strip-member] .member-name').map((n) => n.text.replace(' (you)', '').trim()).sort();

  it('lists exactly the members of the space’s group in its strip, for a learner and for a facilitator', async () => {
    const { facilitator, first, other, mine, theirs } = await twoGroups();
    expect(mine).to.have.length(4);
    expect(theirs).to.have.length(4);

    const myPage = (await s.get(first, await s.follow(first, `${first.base}/modules/1/space`))).doc;
    expect(stripNames(myPage)).to.deep.equal(mine);
    expect(myPage.querySelector('[data-test=member-strip]')!.text).to.contain('(you)');
    for (const name of theirs) expect(myPage.text, 'another group’s member named nowhere on the page').to.not.contain(name);

    // The facilitator sees each group's own members in that group's space.
    const otherSpace = await s.follow(other, `${other.base}/modules/1/space`);
    expect(stripNames((await s.get(facilitator, otherSpace)).doc)).to.deep.equal(theirs);
    // And the learner still cannot open the other group's space at all.
    expect((await s.get(first, otherSpace)).status).to.equal(404);

    // The commons has no strip (the whole cohort reads it) and no module prompt.
    const commons = (await s.get(first, await s.follow(first, `${first.base}/commons`))).doc;
    expect(commons.querySelector('[data-test=member-strip]')).to.equal(null);
    expect(commons.querySelector('[data-test=space-prompt]')).to.equal(null);
  });

  it('says who has been here lately: today, this week, earlier, or not yet', async () => {
    const { first, mateSubs } = await twoGroups();
    const space = await s.follow(first, `${first.base}/modules/1/space`);
    const mates = await s.env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select(['m.id', 'p.name']).where('p.sub', 'in', mateSubs).orderBy('p.name').execute();
    const [week, earlier, never] = mates as [{ id: string; name: string }, { id: string; name: string }, { id: string; name: string }];
    const daysAgo = (n: number) => new Date(Date.now() - n * 24 * 3600 * 1000);
    await s.env.app.db.updateTable('memberships').set({ lastLaunchAt: daysAgo(3) }).where('id', '=', week.id).execute();
    await s.env.app.db.updateTable('memberships').set({ lastLaunchAt: daysAgo(20) }).where('id', '=', earlier.id).execute();
    await s.env.app.db.updateTable('memberships').set({ lastLaunchAt: null }).where('id', '=', never.id).execute();

    const doc = (await s.get(first, space)).doc;
    const presence = Object.fromEntries(doc.querySelectorAll('[data-test=strip-member]').map((li) => [li.querySelector('.member-name')!.text.replace(' (you)', '').trim(), li.querySelector('.presence')!.text]));
    expect(presence).to.deep.equal({ [learner(1).name!]: 'Active today', [week.name]: 'Active this week', [earlier.name]: 'Last here 2 weeks ago', [never.name]: 'Not here yet' });
    // Every face is decorative: the name is written beside it.
    for (const a of doc.querySelectorAll('[data-test=member-strip] .avatar')) expect(a.getAttribute('aria-hidden')).to.equal('true');
  });

  it('heads a module space with the module’s discussion prompt', async () => {
    const { first } = await twoGroups();
    const doc = (await s.get(first, await s.follow(first, `${first.base}/modules/1/space`))).doc;
    const modulePage = (await s.get(first, `${first.base}/modules/1`)).doc;
    const prompt = doc.querySelector('[data-test=space-prompt]')!;
    const activity = modulePage.querySelector('[data-activity][data-kind=discussion]')!;
    expect(prompt.querySelector('h2')!.text).to.equal(activity.querySelector('h3')!.childNodes[0]!.text.trim());
    expect(prompt.querySelector('.prompt')!.innerHTML.trim()).to.equal(activity.querySelector('.prompt')!.innerHTML.trim());
  });

  it('lists threads with starter, replies, last reply and up to three faces of who took part', async () => {
    const { people, first } = await twoGroups();
    const space = await s.follow(first, `${first.base}/modules/1/space`);
    const mates = [];
    for (const p of people) if ((await s.get(p, space)).status === 200) mates.push(p);
    expect(mates).to.have.length(4);
    const [a, b, c, d] = mates as [Member, Member, Member, Member];
    const started = await s.post(a, `${space}/threads`, { title: 'What I tried', body: 'A daily note.' });
    const thread = new URL(started.location!, s.env.app.url).href;
    await s.post(a, `${space}/threads`, { title: 'Nobody answered yet', body: 'Quiet one.' });
    for (const who of [b, c, b, d]) expect((await s.post(who, `${thread}/posts`, { body: 'A reply.' })).status).to.equal(303);

    const doc = (await s.get(a, space)).doc;
    const items = doc.querySelectorAll('[data-test=thread]');
    const busy = items.find((li) => li.text.includes('What I tried'))!;
    const quiet = items.find((li) => li.text.includes('Nobody answered yet'))!;
    const nameOf = async (m: Member) => (await s.get(m, m.base)).doc.querySelector('[data-test=learner-name]')!.text;
    expect(busy.querySelector('[data-test=thread-starter]')!.text).to.equal(await nameOf(a));
    expect(busy.querySelector('[data-test=reply-count]')!.text).to.equal('4 replies');
    expect(busy.querySelector('[data-test=last-reply]')!.text).to.equal(`last by ${await nameOf(d)}, just now`);
    // Four took part; three faces (the latest first) and "+1".
    const faces = busy.querySelectorAll('[data-test=participants] .avatar');
    expect(faces).to.have.length(3);
    expect(busy.querySelector('.participants-more')!.text).to.equal('+1');
    expect(busy.querySelector('[data-test=participants] .visually-hidden')!.text).to.equal(`4 people in this thread: ${await nameOf(d)}, ${await nameOf(b)}, ${await nameOf(c)} and 1 more`);
    expect(quiet.querySelector('[data-test=reply-count]')!.text).to.equal('0 replies');
    expect(quiet.querySelector('[data-test=last-reply]')).to.equal(null);

    // Relative times, each with its exact UTC time in the title and the instant in datetime.
    for (const t of doc.querySelectorAll('[data-test=threads] time')) {
      expect(t.text).to.equal('just now');
      expect(new Date(t.getAttribute('datetime')!).toString()).to.not.equal('Invalid Date');
      expect(t.getAttribute('title')).to.match(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/);
    }
    // Posts on the thread page carry their author's face and a relative time too.
    const threadPage = (await s.get(b, thread)).doc;
    const post = threadPage.querySelector('[data-test=post]')!;
    expect(post.querySelector('header .avatar')!.text).to.equal((await nameOf(a)).split(' ').map((w, i, all) => (i === 0 || i === all.length - 1 ? w[0] : '')).join(''));
    expect(post.querySelector('header time')!.getAttribute('title')).to.match(/UTC$/);
  });

  it('counts only visible replies, and the faces of those with a visible post: a hidden reply drops out', async () => {
    const { people, facilitator, first } = await twoGroups();
    const space = await s.follow(first, `${first.base}/modules/1/space`);
    const mates = [];
    for (const p of people) if (p !== first && (await s.get(p, space)).status === 200) mates.push(p);
    const [b, c] = mates as [Member, Member];
    const thread = new URL((await s.post(first, `${space}/threads`, { title: 'Hide one', body: 'Opening.' })).location!, s.env.app.url).href;
    await s.post(b, `${thread}/posts`, { body: 'Kept.' });
    await s.post(c, `${thread}/posts`, { body: 'To be hidden.' });
    const hidden = (await s.env.app.db.selectFrom('posts').select('id').where('bodySource', '=', 'To be hidden.').executeTakeFirstOrThrow()).id;
    expect((await s.post(facilitator, `${facilitator.base}/console/moderation/posts/${hidden}/hide`, { reason: 'Off topic', confirmed: 'yes' })).status).to.equal(303);

    const item = (await s.get(first, space)).doc.querySelector('[data-test=thread]')!;
    const nameOf = async (m: Member) => (await s.get(m, m.base)).doc.querySelector('[data-test=learner-name]')!.text;
    expect(item.querySelector('[data-test=reply-count]')!.text).to.equal('1 reply');
    expect(item.querySelector('[data-test=last-reply]')!.text).to.equal(`last by ${await nameOf(b)}, just now`);
    expect(item.querySelector('[data-test=participants] .visually-hidden')!.text).to.equal(`2 people in this thread: ${await nameOf(b)} and ${await nameOf(first)}`);
  });

  it('gives the facilitator a card per group space of a module: its members’ faces, its threads and its last post', async () => {
    const { facilitator, first, mine, theirs } = await twoGroups();
    const mySpace = await s.follow(first, `${first.base}/modules/1/space`);
    expect((await s.post(first, `${mySpace}/threads`, { title: 'Our first thread', body: 'Hello group' })).status).to.equal(303);
    const page = await s.get(facilitator, `${facilitator.base}/modules/1/space`);
    expect(page.status).to.equal(200);
    const cards = page.doc.querySelectorAll('[data-test=group-space]');
    expect(cards).to.have.length(2);
    const byMembers = new Map(cards.map((c) => [c.querySelector('[data-test=space-members] .visually-hidden')!.text.replace('Members: ', ''), c]));
    // Names as a list in the reader's language (en-GB: “A, B and C”).
    const list = (names: string[]) => new Intl.ListFormat('en-GB').format(names);
    const ours = byMembers.get(list(mine))!;
    const other = byMembers.get(list(theirs))!;
    expect(ours.querySelectorAll('.avatar')).to.have.length(4);
    expect(ours.querySelector('[data-test=space-thread-count]')!.text).to.equal('1 thread');
    expect(ours.querySelector('[data-test=space-last-post]')).to.not.equal(null);
    expect(new URL(ours.querySelector('h2 a')!.getAttribute('href')!, mySpace).href).to.equal(mySpace);
    expect(other.querySelector('[data-test=space-thread-count]')!.text).to.equal('0 threads');
    expect(other.querySelector('[data-test=space-quiet]')).to.not.equal(null);
    // A learner is sent to their own group's space instead.
    expect(await s.follow(first, `${first.base}/modules/1/space`)).to.equal(mySpace);
  });
});
