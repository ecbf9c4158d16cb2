// Pages of threads kept in process memory (server/cache/app-caches.ts, threadPage), with two app
// instances on one database as two processes would run: a page kept on instance B shows, at its
// next request once the NOTIFY has arrived (waited for by polling, never a fixed sleep), every change
// to what it holds, made through instance A or by any writer straight in SQL (migration
// 20261206T0200): replies, edits, moderation, kudos, files, earlier versions, and the names, roles
// and photos of the people it shows. What each reader sees of one kept page is still theirs.
import { expect } from 'chai';
import { sql } from 'kysely';
import { parse } from 'node-html-parser';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { waitFor } from '../support/wait.ts';
import { requestStatements, statementsDuring } from '../support/statements-during.ts';

describe('thread pages kept across two app instances', () => {
  const { env, launch, follow, post } = cohortSuite({ context: { id: 'kept-thread-pages', title: 'Kept pages' } });
  let b: TestApp;
  before(async () => {
    b = await startTestApp();
    await b.caches.ready();
  });
  after(() => b?.close());

  /** Ari starts a commons thread; Bea reads it on B twice, so that B keeps its page. */
  async function keptThread() {
    const [ari, bea, fran] = [
      await launch({ sub: 'ari', name: 'Ari Author', roles: [ROLES.learner] }),
      await launch({ sub: 'bea', name: 'Bea Reader', roles: [ROLES.learner] }),
      await launch({ sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] }),
    ];
    const space = await follow(ari, `${ari.base}/commons`);
    const started = await post(ari, `${space}/threads`, { title: 'Kept', body: 'First words' });
    const url = new URL(started.location!, env.app.url);
    const threadId = url.pathname.split('/').pop()!;
    const row = await env.app.db.selectFrom('posts').select(['tenantId', 'id', 'spaceId', 'authorMembershipId']).where('threadId', '=', threadId).executeTakeFirstOrThrow();
    const beaId = (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', 'bea').executeTakeFirstOrThrow()).id;
    /** The thread page on instance B, as `m` reads it. */
    const onB = async (m: Member) => {
      const r = await m.browser.request(`${b.url}${url.pathname}`);
      expect(r.status, r.body.slice(0, 3000)).to.equal(200);
      return parse(r.body);
    };
    /**
     * Reads until B keeps the page (a read is not kept when a NOTIFY naming it arrived while it ran,
     * such as the previous change's): each change below is made to a page B holds, or the test would
     * prove nothing.
     */
    const keptOnB = () => waitFor('B to keep the page', async () => (await onB(bea), b.caches.threadPages.size === 1));
    await keptOnB();
    return { ari, bea, fran, url: url.href, threadId, postId: row.id, tenantId: row.tenantId, spaceId: row.spaceId, ariId: row.authorMembershipId, beaId, onB, keptOnB };
  }
  const texts = (doc: ReturnType<typeof parse>, selector: string) => doc.querySelectorAll(selector).map((e) => e.text.trim());

  it('shows on B a reply posted through A, and the edits, hides and restores of any writer', async () => {
    const t = await keptThread();
    const bodies = async () => texts(await t.onB(t.bea), '[data-test=post-body]');
    expect(await bodies()).to.deep.equal(['First words']);
    await t.keptOnB();
    expect((await post(t.ari, `${t.url}/posts`, { body: 'A reply through A' })).status).to.equal(303);
    await waitFor('B to show the reply', async () => (await bodies()).includes('A reply through A'));
    await t.keptOnB();
    await sql`UPDATE posts SET body_html = '<p>Words edited</p>', edited_at = now() WHERE id = ${t.postId}`.execute(env.app.db);
    await waitFor('B to show the edit', async () => (await bodies()).includes('Words edited'));
    await t.keptOnB();
    await sql`UPDATE posts SET status = 'hidden', moderation_reason = 'Off topic' WHERE id = ${t.postId}`.execute(env.app.db);
    await waitFor('B to hide the post from Bea', async () => !(await bodies()).includes('Words edited'));
    expect(texts(await t.onB(t.bea), '[data-test=post-placeholder]')).to.have.length(1);
    await t.keptOnB();
    await sql`UPDATE posts SET status = 'visible' WHERE id = ${t.postId}`.execute(env.app.db);
    await waitFor('B to show the post again', async () => (await bodies()).includes('Words edited'));
  });

  it('shows on B kudos given and taken back, and files added to a post and hidden', async () => {
    const t = await keptThread();
    const kudos = async () => texts(await t.onB(t.bea), '[data-test=post] [data-test=kudos]').join(' ');
    await t.keptOnB();
    await sql`INSERT INTO kudos (tenant_id, post_id, from_membership_id, to_membership_id, reason) VALUES (${t.tenantId}, ${t.postId}, ${t.beaId}, ${t.ariId}, 'Clear thinking')`.execute(env.app.db);
    await waitFor('B to show the kudos', async () => (await kudos()).includes('Bea Reader'));
    await t.keptOnB();
    await sql`DELETE FROM kudos WHERE post_id = ${t.postId}`.execute(env.app.db);
    await waitFor('B to drop the kudos', async () => !(await kudos()).includes('Bea Reader'));

    const files = async () => (await t.onB(t.bea)).querySelectorAll('[data-test=post] [data-test=attachment]').length;
    expect(await files()).to.equal(0);
    await t.keptOnB();
    await sql`INSERT INTO attachments (tenant_id, cohort_id, membership_id, post_id, state, kind, content_type, file_name, size_bytes)
      VALUES (${t.tenantId}, ${t.ari.cohortId}, ${t.ariId}, ${t.postId}, 'ready', 'document', 'application/pdf', 'notes.pdf', 100)`.execute(env.app.db);
    await waitFor('B to show the file', async () => (await files()) === 1);
    await t.keptOnB();
    await sql`UPDATE attachments SET hidden_at = now(), hidden_reason = 'Private' WHERE post_id = ${t.postId}`.execute(env.app.db);
    await waitFor('B to hide the file from Bea', async () => (await files()) === 0);
  });

  it('shows on B an earlier version recorded for a post (to the facilitator)', async () => {
    const t = await keptThread();
    await t.keptOnB();
    await sql`UPDATE posts SET edited_at = now() WHERE id = ${t.postId}`.execute(env.app.db);
    const versions = async () => (await t.onB(t.fran)).querySelector('[data-test=post] header')!.text;
    await waitFor('B to show the post edited', async () => (await versions()).includes('edited'));
    expect(await versions()).to.not.match(/1 earlier version/);
    // Only the version is written: its post's row does not change.
    await t.keptOnB();
    await sql`INSERT INTO post_revisions (tenant_id, post_id, body_source, body_html, replaced_by_membership_id) VALUES (${t.tenantId}, ${t.postId}, 'Old', '<p>Old</p>', ${t.ariId})`.execute(env.app.db);
    await waitFor('B to count the earlier version', async () => /1 earlier version/.test(await versions()));
  });

  it('shows on B an author renamed, made a facilitator, and given a profile photo', async () => {
    const t = await keptThread();
    const header = async () => (await t.onB(t.bea)).querySelector('[data-test=post] header')!;
    await t.keptOnB();
    await sql`UPDATE persons SET name = 'Ari Renamed' WHERE tenant_id = ${t.tenantId} AND sub = 'ari'`.execute(env.app.db);
    await waitFor('B to show the new name', async () => (await header()).text.includes('Ari Renamed'));
    await t.keptOnB();
    await sql`UPDATE memberships SET role = 'facilitator' WHERE tenant_id = ${t.tenantId} AND id = ${t.ariId}`.execute(env.app.db);
    await waitFor('B to show the facilitator badge', async () => (await header()).querySelector('.badge') !== null);
    expect((await header()).querySelector('img.avatar')).to.equal(null);
    await t.keptOnB();
    await sql`INSERT INTO attachments (tenant_id, cohort_id, membership_id, photo_of, state, kind, content_type, file_name, size_bytes, content_hash)
      SELECT ${t.tenantId}, ${t.ari.cohortId}, ${t.ariId}, person_id, 'ready', 'image', 'image/png', 'me.png', 100, 'abc123' FROM memberships WHERE id = ${t.ariId}`.execute(env.app.db);
    await waitFor('B to show the photo', async () => (await header()).querySelector('img.avatar') !== null);
  });

  it('gives each reader of one kept page their own view of it: the facilitator the hidden text, the author their menu, each their own draft', async () => {
    const t = await keptThread();
    await t.keptOnB();
    await sql`UPDATE posts SET status = 'hidden', moderation_reason = 'Off topic' WHERE id = ${t.postId}`.execute(env.app.db);
    await t.keptOnB();
    await sql`INSERT INTO post_drafts (tenant_id, membership_id, target, title, body) VALUES (${t.tenantId}, ${t.beaId}, ${'thread:' + t.threadId}, '', 'Bea kept this')`.execute(env.app.db);
    await waitFor('B to hide the post from Bea', async () => (await t.onB(t.bea)).querySelectorAll('[data-test=post-placeholder]').length === 1);
    const kept = b.caches.threadPages.size;
    const [bea, fran, ari] = [await t.onB(t.bea), await t.onB(t.fran), await t.onB(t.ari)];
    expect(b.caches.threadPages.size, 'one page for all three').to.equal(kept);
    expect(texts(bea, '[data-test=post-body]')).to.deep.equal([]);
    expect(bea.querySelector('textarea[name=body]')!.text).to.equal('Bea kept this');
    expect(texts(fran, '[data-test=post-body]')).to.deep.equal(['First words']);
    expect(fran.querySelector('textarea[name=body]')!.text).to.equal('');
    expect(ari.querySelector('[data-test=moderation-notice]')!.text).to.include('Off topic');
    expect(ari.querySelector('textarea[name=body]')!.text).to.equal('');
  });

  it('reads a kept page with one statement, which reads none of its posts', async () => {
    const t = await keptThread();
    const { statements } = await statementsDuring(() => t.onB(t.bea));
    const sent = requestStatements(statements);
    expect(sent, sent.join('\n')).to.have.length(1);
    expect(statements.join(' ')).to.not.match(/\bposts\b/);
  });
});
