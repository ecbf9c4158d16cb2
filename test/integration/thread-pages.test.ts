// A long thread comes in pages of top-level posts (each with its replies), keyset-paged: the first
// page by default, neighbours by links, and a link to any post (a reply's redirect, a notification,
// a quote) opens the page that holds it. The thread's first post heads every later page.
import { expect } from 'chai';
import { sql } from 'kysely';
import { type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { THREAD_PAGE_SIZE } from '../../server/discussions/discussions.routes.ts';

const ari: SimUser = { sub: 'ari', name: 'Ari Author', roles: [ROLES.learner] };
const bea: SimUser = { sub: 'bea', name: 'Bea Reader', roles: [ROLES.learner] };

describe('thread pages (a long thread in pages of top-level posts)', () => {
  const { env, launch, get, post, follow } = cohortSuite({ context: { id: 'course-pages', title: 'Pages' } });

  /** A commons thread: the opening post, then `more` top-level posts "Post 1…", one second apart; a reply under every tenth. */
  async function longThread(more: number) {
    const [a, b] = [await launch(ari), await launch(bea)];
    const space = await follow(a, `${a.base}/commons`);
    const started = await post(a, `${space}/threads`, { title: 'A long one', body: 'The opening post.' });
    const thread = new URL(started.location!, env.app.url).href;
    const threadId = thread.split('/').pop()!;
    const { tenantId, spaceId, authorMembershipId } = await env.app.db.selectFrom('posts').select(['tenantId', 'spaceId', 'authorMembershipId']).where('threadId', '=', threadId).executeTakeFirstOrThrow();
    // Inserted directly (this many posts over HTTP would meet the posting rate limits), in the past,
    // so that a reply sent now comes last.
    await sql`update posts set created_at = now() - interval '2 days' where thread_id = ${threadId}`.execute(env.app.db);
    await sql`insert into posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html, created_at)
      select ${tenantId}, ${threadId}, ${spaceId}, ${authorMembershipId}, 'Post ' || i, '<p>Post ' || i || '</p>', now() - interval '1 day' + i * interval '1 second'
      from generate_series(1, ${more}::int) i`.execute(env.app.db);
    await sql`insert into posts (tenant_id, thread_id, space_id, parent_post_id, author_membership_id, body_source, body_html, created_at)
      select tenant_id, thread_id, space_id, id, author_membership_id, 'Reply to ' || body_source, '<p>Reply to ' || body_source || '</p>', created_at + interval '1 hour'
      from posts where thread_id = ${threadId} and body_source ~ '^Post [0-9]*0$'`.execute(env.app.db);
    const idOf = async (body: string) => (await env.app.db.selectFrom('posts').select('id').where('threadId', '=', threadId).where('bodySource', '=', body).executeTakeFirstOrThrow()).id;
    return { a, b, thread, threadId, idOf };
  }

  const texts = (page: Awaited<ReturnType<typeof get>>, scope = '') => page.doc.querySelectorAll(`${scope} [data-test=post-body]`).map((p) => p.text.trim());
  const link = (page: Awaited<ReturnType<typeof get>>, name: string) => page.doc.querySelector(`[data-test=${name}]`)?.getAttribute('href');

  it('shows the first page by default, walks newer and older pages without overlap, and heads later pages with the opening post', async () => {
    const { b, thread } = await longThread(120);
    const first = await get(b, thread);
    const top = (page: typeof first) => page.doc.querySelectorAll('[data-test=thread-page] > [data-test=post] [data-test=post-body]').map((p) => p.text.trim());
    expect(top(first)).to.have.length(THREAD_PAGE_SIZE);
    expect(top(first)[0]).to.equal('The opening post.');
    expect(top(first).at(-1)).to.equal(`Post ${THREAD_PAGE_SIZE - 1}`);
    expect(texts(first), 'replies come with their parent').to.include('Reply to Post 10');
    expect(link(first, 'older-page')).to.equal(undefined);
    expect(first.doc.querySelector('[data-test=thread-opening]')).to.equal(null);
    expect(first.doc.querySelector('[data-test=live-posts]'), 'new replies are not appended to the first page').to.equal(null);
    expect(first.doc.querySelector('[data-test=live-notice]')).to.not.equal(null);
    expect(first.doc.querySelector('[data-test=jump-to-reply]'), 'the reply box is reachable at once').to.not.equal(null);
    expect(first.doc.querySelector('a[rel=next]')).to.not.equal(null);

    const second = await get(b, new URL(link(first, 'newer-page')!, thread).href);
    expect(top(second)[0]).to.equal(`Post ${THREAD_PAGE_SIZE}`);
    expect(top(second)).to.have.length(THREAD_PAGE_SIZE);
    expect(second.doc.querySelector('[data-test=thread-opening] [data-test=post-body]')!.text.trim(), 'the opening post heads the page').to.equal('The opening post.');
    expect(link(second, 'older-page')).to.be.a('string');

    const third = await get(b, new URL(link(second, 'newer-page')!, thread).href);
    expect(top(third), 'the last page holds what is left, no overlap').to.deep.equal(Array.from({ length: 120 - 2 * THREAD_PAGE_SIZE + 1 }, (_, i) => `Post ${2 * THREAD_PAGE_SIZE + i}`));
    expect(link(third, 'newer-page')).to.equal(undefined);
    expect(third.doc.querySelector('[data-test=live-posts]'), 'the latest page takes live replies').to.not.equal(null);

    const back = await get(b, new URL(link(third, 'older-page')!, thread).href);
    expect(top(back)).to.deep.equal(top(second));
    const latest = await get(b, new URL(link(first, 'latest-page')!, thread).href);
    expect(top(latest), 'the latest page is a whole page').to.have.length(THREAD_PAGE_SIZE);
    expect(top(latest).at(-1)).to.equal('Post 120');
  });

  it('opens the page that holds a post: a reply deep in the thread, a top-level post, and a new reply after posting', async () => {
    const { b, thread, idOf } = await longThread(120);
    const reply = await idOf('Reply to Post 110');
    const atReply = await get(b, `${thread}?post=${reply}`);
    expect(atReply.doc.querySelector(`#post-${reply}`), 'the reply is on the page').to.not.equal(null);
    expect(texts(atReply)).to.include('Post 110');
    const p60 = await idOf('Post 60');
    const at60 = await get(b, `${thread}?post=${p60}`);
    expect(at60.doc.querySelectorAll('[data-test=thread-page] > [data-test=post] [data-test=post-body]')[0]!.text.trim(), 'the page starts at the post').to.equal('Post 60');
    expect(link(at60, 'older-page')).to.be.a('string');

    const sent = await post(b, `${thread}/posts`, { body: 'A new reply at the end.' });
    expect(sent.location).to.match(/\?post=[0-9a-f-]{36}#post-[0-9a-f-]{36}$/);
    const landed = await get(b, new URL(sent.location!, thread).href);
    expect(texts(landed)).to.include('A new reply at the end.');
    expect(landed.doc.querySelector('[data-test=live-posts]')).to.not.equal(null);
  });

  it('opens a quote of a post on a later page with the form filled', async () => {
    const { b, thread, idOf } = await longThread(120);
    const p115 = await idOf('Post 115');
    const page = await get(b, `${thread}?quote=${p115}`);
    expect(page.doc.querySelector('#reply-body')!.text).to.contain('Post 115');
    expect(page.doc.querySelector('input[name=parentPostId]')!.getAttribute('value')).to.equal(p115);
  });

  it('opens the first page for an anchor that is not a post of this thread (another thread’s, or nothing)', async () => {
    const { a, b, thread } = await longThread(60);
    const space = await follow(a, `${a.base}/commons`);
    await post(a, `${space}/threads`, { title: 'Another', body: 'Elsewhere.' });
    const elsewhere = (await env.app.db.selectFrom('posts').select('id').where('bodySource', '=', 'Elsewhere.').executeTakeFirstOrThrow()).id;
    for (const q of [`post=${elsewhere}`, `after=${elsewhere}`, `before=${elsewhere}`, 'post=not-a-post', `post=00000000-0000-4000-8000-000000000000`]) {
      const page = await get(b, `${thread}?${q}`);
      expect(page.status, q).to.equal(200);
      expect(texts(page)[0], q).to.equal('The opening post.');
      expect(texts(page), q).to.not.include('Elsewhere.');
    }
  });

  it('pages only past a whole page of top-level posts: none at exactly a page, links at one more', async () => {
    const exact = await longThread(THREAD_PAGE_SIZE - 1);
    const page = await get(exact.b, exact.thread);
    expect(page.doc.querySelector('[data-test=thread-pages]')).to.equal(null);
    expect(page.doc.querySelector('[data-test=live-posts]')).to.not.equal(null);
    await sql`insert into posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html, created_at)
      select tenant_id, thread_id, space_id, author_membership_id, 'One more', '<p>One more</p>', now() - interval '1 hour' from posts where thread_id = ${exact.threadId} limit 1`.execute(env.app.db);
    const more = await get(exact.b, exact.thread);
    expect(more.doc.querySelector('[data-test=thread-pages]')).to.not.equal(null);
    expect(texts(more)).to.not.include('One more');
    const next = await get(exact.b, new URL(link(more, 'newer-page')!, exact.thread).href);
    expect(texts(next)).to.include('One more');
  });
});
