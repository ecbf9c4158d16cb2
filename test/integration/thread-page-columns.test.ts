// The thread page's statement runs past the CamelCasePlugin (models/db.ts, executeAsNamed): each
// column is named in the SQL as the app reads it. A column left unnamed would arrive in snake_case
// and read as undefined — `editedAt !== null` then marks every post edited — so each post of a page
// is compared here, field by field, with the same post read through the plugin (listThreadPosts),
// with every optional field set on some post.
import { expect } from 'chai';
import { listThreadPage, listThreadPosts, type ThreadPageRow } from '../../models/thread-page.queries.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';

describe('the thread page’s statement: columns named as read', () => {
  const { env, launch, get, post, follow } = cohortSuite({ context: { id: 'course-tpc', title: 'Thread page columns' } });

  it('reads every field of every post as listThreadPosts does: edits, a facilitator’s edit, endorsement, moderation, kudos, revisions', async () => {
    const ann = await launch({ sub: 'ann', name: 'Ann', roles: [ROLES.learner] });
    const ben = await launch({ sub: 'ben', name: 'Ben', roles: [ROLES.learner] });
    const space = await follow(ann, `${ann.base}/commons`);
    const started = await post(ann, `${space}/threads`, { title: 'Columns', body: 'Opening' });
    const threadId = new URL(started.location!, env.app.url).pathname.split('/').pop()!;
    const db = env.app.db;
    const first = await db.selectFrom('posts').select('id').where('threadId', '=', threadId).executeTakeFirstOrThrow();
    // The last a reply under the first, so parentPostId is set on one.
    const replies: Record<string, string>[] = [{ body: 'First reply' }, { body: 'Second reply' }, { body: 'Third reply', parentPostId: first.id }];
    for (const reply of replies) {
      expect((await post(ben, `${ben.base}/threads/${threadId}/posts`, reply)).status).to.equal(303);
    }
    const posts = await db.selectFrom('posts').selectAll().where('threadId', '=', threadId).orderBy('createdAt').execute();
    expect(posts).to.have.length(4);
    expect(posts.filter((p) => p.parentPostId !== null)).to.have.length(1);
    const [opening, edited, endorsed, hidden] = posts as [(typeof posts)[0], (typeof posts)[0], (typeof posts)[0], (typeof posts)[0]];
    expect((await post(ben, `${ben.base}/posts/${edited.id}/edit`, { body: 'First reply, edited' })).status).to.equal(303);
    expect((await post(ann, `${ann.base}/posts/${edited.id}/kudos`, { reason: 'Useful' })).status).to.equal(303);
    await db.updateTable('posts').set({ facilitatorEditedAt: new Date(), endorsedAt: new Date() }).where('id', '=', endorsed.id).execute();
    await db.updateTable('posts').set({ status: 'hidden', moderationReason: 'Off topic' }).where('id', '=', hidden.id).execute();

    // With the kept form and the thread on the first row too, so their columns are checked as well.
    const keptFor = { membershipId: opening.authorMembershipId, target: `thread:${threadId}` as const };
    const page = await listThreadPage(db, opening.tenantId, threadId, { from: 'first' }, 20, { sourceOf: edited.id, keptFor, threadFor: opening.authorMembershipId });
    expect(page.thread?.thread.id, 'the thread, read with the page').to.equal(threadId);
    expect(page.keptForm, 'the kept form, read with the page').to.deep.equal({ draft: undefined, pending: [] });
    const plain = await listThreadPosts(db, opening.tenantId, threadId, { sourceOf: edited.id });
    expect(page.posts.map((p) => p.id)).to.deep.equal(plain.map((p) => p.id));
    const extra: (keyof ThreadPageRow)[] = ['authorPhotoId', 'authorPhotoHash', 'inPage'];
    for (const [i, row] of page.posts.entries()) {
      const read = plain[i]!;
      const fields = Object.keys(read) as (keyof typeof read)[];
      expect(Object.fromEntries(fields.map((k) => [k, row[k]])), `post ${i}: every field as the plugin reads it`).to.deep.equal(read);
      for (const k of extra) expect(row, `post ${i}: ${k}`).to.have.property(k);
      expect(Object.keys(row).filter((k) => k.includes('_')), `post ${i}: no column left in snake_case`).to.deep.equal([]);
    }
    // Each optional field is set on some post, so a column read as undefined cannot pass for null.
    const byId = new Map(page.posts.map((p) => [p.id, p]));
    expect(byId.get(edited.id)!.editedAt).to.be.instanceOf(Date);
    expect(byId.get(edited.id)!.revisionCount).to.equal(1);
    expect(byId.get(edited.id)!.bodySource, 'the quoted post’s source').to.equal('First reply, edited');
    expect(byId.get(edited.id)!.kudos.map((k) => k.reason)).to.deep.equal(['Useful']);
    expect(byId.get(endorsed.id)!.facilitatorEditedAt).to.be.instanceOf(Date);
    expect(byId.get(endorsed.id)!.endorsedAt).to.be.instanceOf(Date);
    expect([byId.get(hidden.id)!.status, byId.get(hidden.id)!.moderationReason]).to.deep.equal(['hidden', 'Off topic']);
    expect([byId.get(opening.id)!.editedAt, byId.get(opening.id)!.endorsedAt, byId.get(opening.id)!.authorName, byId.get(opening.id)!.authorRole]).to.deep.equal([null, null, 'Ann', 'learner']);
  });

  it('opens a thread whose address spells its id in capitals as that thread: live updates, the reply form and the kept draft name it as stored', async () => {
    const ann = await launch({ sub: 'ann', name: 'Ann', roles: [ROLES.learner] });
    const space = await follow(ann, `${ann.base}/commons`);
    const started = await post(ann, `${space}/threads`, { title: 'Capitals', body: 'Opening' });
    const threadId = new URL(started.location!, env.app.url).pathname.split('/').pop()!;
    const db = env.app.db;
    const author = await db.selectFrom('posts').select(['tenantId', 'authorMembershipId']).where('threadId', '=', threadId).executeTakeFirstOrThrow();
    await db.insertInto('postDrafts').values({ tenantId: author.tenantId, membershipId: author.authorMembershipId, target: `thread:${threadId}`, title: '', body: 'Kept in lowercase' }).execute();
    const page = await get(ann, `${ann.base}/threads/${threadId.toUpperCase()}`);
    expect(page.status).to.equal(200);
    expect(page.doc.querySelector('[data-test=thread-page]')!.getAttribute('data-thread-id'), 'what live updates match').to.equal(threadId);
    expect(page.doc.querySelector('form[data-upload-target]')!.getAttribute('data-upload-target'), 'where uploads wait').to.equal(`thread:${threadId}`);
    expect(page.doc.querySelector('form[data-upload-target] textarea')!.text, 'the kept draft').to.contain('Kept in lowercase');
  });
});
