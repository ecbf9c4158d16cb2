// The thread page's weight: one form for the actions of all its posts (each control joins it and
// each button names its URL), whatever the number of posts, for a learner, an author and a
// facilitator; an action sent through it acts on the post its button names, with that post's
// fields, and only with the page's CSRF token.
import { expect } from 'chai';
import { sql } from 'kysely';
import { type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';

const ari: SimUser = { sub: 'ari', name: 'Ari Author', roles: [ROLES.learner] };
const bea: SimUser = { sub: 'bea', name: 'Bea Reader', roles: [ROLES.learner] };
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('the thread page (one form for its posts’ actions)', () => {
  const { env, launch, get, post, follow, csrfOf } = cohortSuite({ context: { id: 'course-t', title: 'Threads' } });

  /** A commons thread of 50 posts: every other one Ari's, a reply under each of Bea's top posts. */
  async function fiftyPostThread() {
    const [a, b, f] = [await launch(ari), await launch(bea), await launch(fran)];
    const space = await follow(a, `${a.base}/commons`);
    const started = await post(a, `${space}/threads`, { title: 'Fifty posts', body: 'The first post.' });
    const thread = new URL(started.location!, env.app.url).href;
    const threadId = thread.split('/').pop()!;
    const { tenantId, spaceId } = await env.app.db.selectFrom('threads').select(['tenantId', 'spaceId']).where('id', '=', threadId).executeTakeFirstOrThrow();
    const beaId = (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', 'bea').executeTakeFirstOrThrow()).id;
    const ariId = (await env.app.db.selectFrom('posts').select('authorMembershipId').where('threadId', '=', threadId).executeTakeFirstOrThrow()).authorMembershipId;
    // Inserted directly: 49 replies over HTTP would meet the posting rate limits.
    await sql`insert into posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html)
      select ${tenantId}, ${threadId}, ${spaceId}, case when i % 2 = 0 then ${ariId}::uuid else ${beaId}::uuid end, 'Post ' || i, '<p>Post ' || i || '</p>'
      from generate_series(1, 39) i`.execute(env.app.db);
    const parents = await env.app.db.selectFrom('posts').select('id').where('threadId', '=', threadId).where('authorMembershipId', '=', beaId).limit(10).execute();
    for (const p of parents) {
      await sql`insert into posts (tenant_id, thread_id, space_id, parent_post_id, author_membership_id, body_source, body_html) values (${tenantId}, ${threadId}, ${spaceId}, ${p.id}, ${ariId}, 'A reply', '<p>A reply</p>')`.execute(env.app.db);
    }
    return { a, b, f, thread };
  }

  it('has at most two forms on a 50-post thread (the actions and the reply) for a reader, an author and a facilitator', async () => {
    const { a, b, f, thread } = await fiftyPostThread();
    for (const m of [a, b, f]) {
      const page = await get(m, thread);
      expect(page.status).to.equal(200);
      expect(page.doc.querySelectorAll('[data-test=post]').length).to.equal(50);
      expect(page.doc.querySelectorAll('form').length, 'forms on the page').to.be.at.most(2);
      expect(page.doc.querySelectorAll('form#post-actions input[name=_csrf]').length).to.equal(1);
      // Every per-post control belongs to that one form; every field there is named after its post.
      for (const control of page.doc.querySelectorAll('[data-test=post] button, [data-test=post] input, [data-test=post] textarea')) {
        expect(control.getAttribute('form'), control.toString()).to.equal('post-actions');
        const postId = control.closest('[data-test=post]')!.getAttribute('data-post-id')!;
        if (control.tagName === 'BUTTON') expect(control.getAttribute('formaction'), control.toString()).to.contain(postId);
        else expect(control.getAttribute('name'), control.toString()).to.match(new RegExp(`-${postId}$`));
      }
    }
  });

  it('gives kudos to the post its button names, with that post’s reason; refuses it without the page’s CSRF token', async () => {
    const { b, thread } = await fiftyPostThread();
    const page = await get(b, thread);
    const [first, second] = page.doc.querySelectorAll('[data-test=post] [data-test=give-kudos]').map((btn) => btn.closest('[data-test=post]')!.getAttribute('data-post-id')!);
    // The whole form is sent: every post's reason field, only the named one filled.
    const everyReason = Object.fromEntries(page.doc.querySelectorAll('input[name^=reason-]').map((i) => [i.getAttribute('name')!, '']));
    const form = { ...everyReason, [`reason-${second}`]: 'This one helped', [`reason-${first}`]: 'Typed here, but not sent for this post' };

    const refused = await b.browser.request(`${b.base}/posts/${second}/kudos`, { method: 'POST', form });
    expect(refused.status, 'no CSRF token').to.equal(403);
    expect(await env.app.db.selectFrom('kudos').select('id').execute()).to.have.length(0);

    const given = await post(b, `${b.base}/posts/${second}/kudos`, form);
    expect(given.status).to.equal(303);
    const after = await get(b, thread);
    expect(after.doc.querySelector(`#post-${second} [data-test=kudos]`)!.text).to.contain('Bea Reader: This one helped');
    expect(after.doc.querySelector(`#post-${first} [data-test=kudos]`)).to.equal(null);
    expect(await csrfOf(b)).to.be.a('string');
  });

  it('shows each post its own kudos, in the order given, a reply under another post included', async () => {
    const { thread } = await fiftyPostThread();
    const threadId = thread.split('/').pop()!;
    const reply = await env.app.db.selectFrom('posts').select(['id', 'parentPostId', 'tenantId', 'authorMembershipId']).where('threadId', '=', threadId).where('parentPostId', 'is not', null).executeTakeFirstOrThrow();
    const parent = await env.app.db.selectFrom('posts').select(['id', 'authorMembershipId']).where('id', '=', reply.parentPostId!).executeTakeFirstOrThrow();
    const giver = async (sub: string) => (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', sub).executeTakeFirstOrThrow()).id;
    const kudos = (postId: string, to: string, from: string, reason: string, at: string) =>
      env.app.db.insertInto('kudos').values({ tenantId: reply.tenantId, postId, toMembershipId: to, fromMembershipId: from, reason, createdAt: new Date(at) }).execute();
    await kudos(reply.id, reply.authorMembershipId, await giver('fran'), 'Second on the reply', '2026-11-02T10:00:00Z');
    await kudos(reply.id, reply.authorMembershipId, await giver('bea'), 'First on the reply', '2026-11-01T10:00:00Z');
    await kudos(parent.id, parent.authorMembershipId, await giver('ari'), 'On the post above', '2026-11-01T10:00:00Z');
    const page = await get(await launch(bea), thread);
    const shown = (id: string) => page.doc.querySelectorAll(`#post-${id} [data-test=kudos] li`).map((li) => li.text.trim());
    expect(shown(reply.id)).to.deep.equal(['Bea Reader: First on the reply', 'Fran Facilitator: Second on the reply']);
    expect(shown(parent.id)).to.deep.equal(['Ari Author: On the post above']);
    expect(page.doc.querySelectorAll('[data-test=kudos] li')).to.have.length(3);
  });

  it('gives a facilitator one link per post to the post’s moderation page, which hides it with a reason; refuses that page to learners and to another cohort’s facilitator', async () => {
    const { b, f, thread } = await fiftyPostThread();
    const page = await get(f, thread);
    const posts = page.doc.querySelectorAll('[data-test=post]');
    for (const p of posts) {
      const id = p.getAttribute('data-post-id')!;
      const block = p.querySelector('[data-test=moderate]')!;
      // Endorse (one click) stays on the thread; hide, delete and edit are one link to the post's page.
      expect(block.querySelectorAll('a').map((a) => a.getAttribute('href')), 'moderation links').to.deep.equal([`${f.base.replace(/^https?:\/\/[^/]+/, '')}/console/moderation/posts/${id}`]);
      expect(block.querySelectorAll('button').map((x) => x.getAttribute('data-test')), 'moderation buttons').to.deep.equal(['endorse']);
    }
    const target = posts[3]!.getAttribute('data-post-id')!;
    const modPage = await get(f, `${f.base}/console/moderation/posts/${target}`);
    expect(modPage.status).to.equal(200);
    expect(modPage.doc.querySelector('[data-test=post-excerpt]')!.text).to.equal(posts[3]!.querySelector('[data-test=post-body]')!.text.trim());
    expect(modPage.doc.querySelector('#hide-form')!.getAttribute('action')).to.match(new RegExp(`/posts/${target}/hide$`));
    expect(modPage.doc.querySelector('[data-test=facilitator-edit]')).to.not.equal(null);
    const hidden = await post(f, `${f.base}/console/moderation/posts/${target}/hide`, { confirmed: 'yes', reason: 'Off topic' });
    expect(hidden.status).to.equal(303);
    expect((await env.app.db.selectFrom('posts').select('status').where('id', '=', target).executeTakeFirstOrThrow()).status).to.equal('hidden');
    const after = await get(f, `${f.base}/console/moderation/posts/${target}`);
    expect(after.doc.querySelector('#hide-form'), 'a hidden post is not hidden again').to.equal(null);
    expect(after.doc.querySelector('#delete-form')).to.not.equal(null);

    expect([403, 404], 'a learner').to.include((await get(b, `${b.base}/console/moderation/posts/${target}`)).status);
    const other = await launch({ sub: 'otto', name: 'Otto Other', roles: [ROLES.instructor] }, { id: 'course-other', title: 'Other' });
    expect((await get(other, `${other.base}/console/moderation/posts/${target}`)).status, 'another cohort’s facilitator').to.equal(404);
  });
});
