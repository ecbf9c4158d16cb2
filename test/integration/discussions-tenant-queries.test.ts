// Every discussion query scoped by tenant on its own: the services' cohort checks would hide a
// missing tenant predicate, so each query is called here with another tenant's id and must find or
// change nothing of this tenant's.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as q from '../../models/discussions.queries.ts';
import { listThreadPage, listThreadPosts } from '../../models/thread-page.queries.ts';
import { upsertPostDraft } from '../../models/post-drafts.queries.ts';
import { listSpacePage } from '../../models/space-page.queries.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';

describe('discussion queries: the tenant predicate on its own', () => {
  const { env, launch, post, follow } = cohortSuite({ context: { id: 'course-tq', title: 'Tenant queries' } });

  it('finds, lists and changes nothing when called with another tenant’s id', async () => {
    const ann = await launch({ sub: 'ann', name: 'Ann', roles: [ROLES.learner] });
    const ben = await launch({ sub: 'ben', name: 'Ben', roles: [ROLES.learner] });
    const space = await follow(ann, `${ann.base}/commons`);
    expect((await post(ann, `${space}/threads`, { title: 'Ours', body: 'First words' })).status).to.equal(303);
    const p = await env.app.db.selectFrom('posts').selectAll().executeTakeFirstOrThrow();
    expect((await post(ann, `${ann.base}/posts/${p.id}/edit`, { body: 'Second words' })).status).to.equal(303);
    expect((await post(ben, `${ben.base}/posts/${p.id}/kudos`, { reason: 'Clear' })).status).to.equal(303);
    const db = env.app.db;
    const s = await q.findSpace(db, p.tenantId, p.spaceId);
    expect(s, 'the same calls with the right tenant find it').to.not.equal(undefined);
    expect(await q.findPost(db, p.tenantId, p.id)).to.not.equal(undefined);
    expect((await q.findThreadFor(db, p.tenantId, p.threadId, p.authorMembershipId))?.space, 'the thread comes with its space').to.deep.equal(s);
    expect((await listThreadPosts(db, p.tenantId, p.threadId)).map((r) => r.bodySource), 'no source unless quoted').to.deep.equal([null]);
    expect((await listThreadPosts(db, p.tenantId, p.threadId, { sourceOf: p.id })).map((r) => r.bodySource), 'the quoted post’s source').to.deep.equal(['Second words']);
    expect((await listThreadPosts(db, p.tenantId, p.threadId)).find((r) => r.id === p.id)?.kudos.map((k) => k.reason), 'a post comes with its kudos').to.deep.equal(['Clear']);
    expect((await listSpacePage(db, { tenantId: p.tenantId, spaceId: p.spaceId, membershipId: p.authorMembershipId, target: `space:${p.spaceId}` })).threads.map((t) => t.title), 'the space lists its thread').to.deep.equal(['Ours']);

    const keptFor = { membershipId: p.authorMembershipId, target: `thread:${p.threadId}` as const };
    expect(await upsertPostDraft(db, { tenantId: p.tenantId, membershipId: p.authorMembershipId, target: keptFor.target, title: '', body: 'A reply half written' }, undefined)).to.equal(true);
    const page = await listThreadPage(db, p.tenantId, p.threadId, { from: 'first' }, 20, { keptFor });
    expect([page.posts.length, page.keptForm?.draft?.body], 'the page’s post, and the reader’s kept reply with its first row').to.deep.equal([1, 'A reply half written']);
    const withThread = await listThreadPage(db, p.tenantId, p.threadId, { from: 'first' }, 20, { keptFor, threadFor: p.authorMembershipId });
    expect(withThread.thread, 'the thread, its space and the group check with the first row, as findThreadFor reads them').to.deep.equal(await q.findThreadFor(db, p.tenantId, p.threadId, p.authorMembershipId));
    const other = randomUUID();
    expect(await q.findSpace(db, other, p.spaceId)).to.equal(undefined);
    expect(await listSpacePage(db, { tenantId: other, spaceId: p.spaceId, membershipId: p.authorMembershipId, target: `space:${p.spaceId}` })).to.deep.equal({ space: undefined, threads: [], norms: [], members: [], keptForm: { draft: undefined, pending: [] } });
    expect(await q.findThread(db, other, p.threadId)).to.equal(undefined);
    expect(await q.findSpaceFor(db, other, p.spaceId, p.authorMembershipId)).to.equal(undefined);
    expect(await q.findThreadFor(db, other, p.threadId, p.authorMembershipId)).to.equal(undefined);
    expect(await q.findPost(db, other, p.id)).to.equal(undefined);
    expect(await q.findPostForUpdate(db, other, p.id)).to.equal(undefined);
    expect(await listThreadPosts(db, other, p.threadId)).to.deep.equal([]);
    expect(await listThreadPage(db, other, p.threadId, { from: 'first' }, 20, { keptFor, threadFor: p.authorMembershipId }), 'no row, so no kept form and no thread').to.deep.equal({ posts: [], hasOlder: false, hasNewer: false, empty: true, keptForm: undefined, thread: undefined });
    expect(await q.listPostRevisions(db, other, p.id)).to.deep.equal([]);
    expect(await q.listSpaceAudience(db, other, { ...s!, tenantId: other })).to.deep.equal([]);

    const before = await db.selectFrom('posts').select(['bodySource', 'status']).where('id', '=', p.id).executeTakeFirstOrThrow();
    await q.updatePostBody(db, other, p.id, { bodySource: 'Overwritten', bodyHtml: '<p>Overwritten</p>' });
    await q.updatePostStatus(db, other, p.id, 'deleted');
    expect(await db.selectFrom('posts').select(['bodySource', 'status']).where('id', '=', p.id).executeTakeFirstOrThrow()).to.deep.equal(before);
  });
});
