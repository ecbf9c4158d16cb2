// The authorisation matrix over file routes: a file is readable by exactly those who can read its
// post. People outside group A (a learner of group B, a learner and a facilitator of another
// cohort, a learner of another tenant, a visitor without a session) get 404/401 on group A's file;
// a hidden post's files reach only its author and the facilitators; a deleted post's reach nobody;
// a pending file (uploaded, not yet posted) only its uploader. The composer's upload into group A's
// thread is refused to outsiders too, before any byte is stored.
import { expect } from 'chai';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { download, postMultipart } from '../support/media-requests.ts';
import { pdfOf } from '../support/media-fixtures.ts';

const learner = (i: number): SimUser => ({ sub: `m${i}`, name: `Mo ${i}`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const COURSE = { id: 'course-media-matrix', title: 'Media matrix' };

describe('authorisation matrix: file routes', () => {
  const suite = cohortSuite({ context: COURSE });
  const { env } = suite;
  let sim2: LtiPlatformSimulator;
  before(async () => {
    sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
  });
  after(() => sim2.close());

  const status = async (m: Member | undefined, url: string) => (await download(m, url)).status;

  it('serves group A’s file only to those who read its post, and follows the post when it is hidden or deleted', async () => {
    const learners: Member[] = [];
    for (let i = 1; i <= 6; i++) learners.push(await suite.launch(learner(i)));
    const f = await suite.launch(fran);
    const groupOfSub = await suite.formGroups(f);
    const a = learners[0]!;
    const mateIndex = [2, 3, 4, 5, 6].find((i) => groupOfSub.get(`m${i}`) === groupOfSub.get('m1'))!;
    const mate = learners[mateIndex - 1]!;
    const groupB = learners[[2, 3, 4, 5, 6].find((i) => groupOfSub.get(`m${i}`) !== groupOfSub.get('m1'))! - 1]!;

    const space = await suite.follow(a, `${a.base}/modules/1/space`);
    const posted = await postMultipart(a, `${space}/threads`, { title: 'Group A thread', body: 'Our plan' }, [{ name: 'group-a-plan.pdf', data: pdfOf(2000) }], await suite.csrfOf(a));
    expect(posted.status, posted.body.slice(0, 300)).to.equal(303);
    const threadUrl = new URL(posted.location!, env.app.url).href;
    const threadId = threadUrl.split('/').pop()!;
    const file = await env.app.db.selectFrom('attachments').select(['id', 'postId']).executeTakeFirstOrThrow();
    const path = (m: Member) => `${m.base}/media/${file.id}/full`;

    const lms2 = await connectPlatform(env.app, sim2);
    const outsiders: Array<[string, Member]> = [
      ['a learner of group B', groupB],
      ['a learner of another cohort', await suite.launch(learner(1), { id: 'course-media-other', title: 'Other' })],
      ['a facilitator of another cohort', await suite.launch(fran, { id: 'course-media-other', title: 'Other' })],
      ['a learner of another tenant with the same context id', await suite.launch(learner(1), COURSE, lms2)],
    ];
    expect(await status(a, path(a)), 'the author').to.equal(200);
    expect(await status(mate, path(mate)), 'a member of group A').to.equal(200);
    expect(await status(f, path(f)), 'the facilitator').to.equal(200);
    for (const [who, m] of outsiders) {
      // Through their own cohort's address, and through group A's cohort's (where they have no launch).
      expect(await status(m, path(m)), `${who}, own cohort`).to.equal(404);
      expect(await status(m, path(a)), `${who}, group A's cohort`).to.be.oneOf([401, 404]);
      const page = await suite.get(m, `${m.base}/threads/${threadId}`);
      expect(page.body, who).to.not.contain('group-a-plan.pdf');
      // The composer's upload into group A's thread: refused, nothing stored.
      const up = await postMultipart(m, `${m.base}/media?target=thread:${threadId}`, {}, [{ name: 'x.pdf', data: pdfOf(500) }], await suite.csrfOf(m));
      expect(up.status, `${who} uploads into group A's thread`).to.equal(404);
    }
    expect(await status(undefined, path(a)), 'no session').to.equal(401);
    expect(await env.app.db.selectFrom('attachments').select('id').execute()).to.have.length(1);

    // Hidden by a facilitator: its author and the facilitators only.
    const hid = await suite.post(f, `${f.base}/console/moderation/posts/${file.postId}/hide`, { reason: 'Off topic', confirmed: 'yes' });
    expect(hid.status).to.equal(303);
    expect(await status(mate, path(mate)), 'a member, post hidden').to.equal(404);
    expect(await status(a, path(a)), 'the author, post hidden').to.equal(200);
    expect(await status(f, path(f)), 'the facilitator, post hidden').to.equal(200);
    expect((await suite.get(mate, threadUrl)).body).to.not.contain('group-a-plan.pdf');
    expect(await suite.post(f, `${f.base}/console/moderation/posts/${file.postId}/restore`, {})).to.have.property('status', 303);
    expect(await status(mate, path(mate)), 'a member, post restored').to.equal(200);

    // Deleted by its author: nobody.
    expect((await suite.post(a, `${a.base}/posts/${file.postId}/delete`, { confirmed: 'yes' })).status).to.equal(303);
    for (const m of [a, mate, f]) expect(await status(m, path(m)), 'post deleted').to.equal(404);
  });

  it('serves a pending file (not yet posted) to its uploader only', async () => {
    const a = await suite.launch(learner(1));
    const b = await suite.launch(learner(2));
    const f = await suite.launch(fran);
    const space = await suite.follow(a, `${a.base}/commons`);
    const spaceId = space.split('/').pop()!;
    const up = await postMultipart(a, `${a.base}/media?target=space:${spaceId}`, {}, [{ name: 'draft.pdf', data: pdfOf(800) }], await suite.csrfOf(a));
    expect(up.status, up.body).to.equal(201);
    const { id } = JSON.parse(up.body) as { id: string };
    expect(await status(a, `${a.base}/media/${id}/full`)).to.equal(200);
    expect(await status(b, `${b.base}/media/${id}/full`)).to.equal(404);
    expect(await status(f, `${f.base}/media/${id}/full`)).to.equal(404);
    // Another member cannot post it as theirs either: the claim is the uploader's own.
    const posted = await suite.post(b, `${space}/threads`, { title: 'Mine now', body: 'b', attachmentIds: id });
    expect(posted.status).to.equal(303);
    const row = await env.app.db.selectFrom('attachments').select(['postId', 'draftTarget']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).to.deep.equal({ postId: null, draftTarget: `space:${spaceId}` });
  });

  it('lets a facilitator hide one file of a post (its author and the facilitators still see it) and shows flagged posts’ files in the queue', async () => {
    const a = await suite.launch(learner(1));
    const b = await suite.launch(learner(2));
    const f = await suite.launch(fran);
    const space = await suite.follow(a, `${a.base}/commons`);
    const posted = await postMultipart(a, `${space}/threads`, { title: 'Two files', body: 'Both' }, [{ name: 'keep.pdf', data: pdfOf(600) }, { name: 'hide-me.pdf', data: pdfOf(700) }], await suite.csrfOf(a));
    expect(posted.status).to.equal(303);
    const threadUrl = new URL(posted.location!, env.app.url).href;
    const files = await env.app.db.selectFrom('attachments').select(['id', 'fileName', 'postId']).execute();
    const hideMe = files.find((x) => x.fileName === 'hide-me.pdf')!;
    const keep = files.find((x) => x.fileName === 'keep.pdf')!;

    // A learner cannot hide it.
    expect((await suite.post(b, `${b.base}/console/moderation/attachments/${hideMe.id}/hide`, {})).status).to.equal(403);
    const hid = await suite.post(f, `${f.base}/console/moderation/attachments/${hideMe.id}/hide`, {});
    expect(hid.status).to.equal(303);
    expect(await status(b, `${b.base}/media/${hideMe.id}/full`), 'a member, file hidden').to.equal(404);
    expect(await status(b, `${b.base}/media/${keep.id}/full`), 'a member, the other file').to.equal(200);
    expect(await status(a, `${a.base}/media/${hideMe.id}/full`), 'its author').to.equal(200);
    expect(await status(f, `${f.base}/media/${hideMe.id}/full`), 'the facilitator').to.equal(200);
    const seenByB = (await suite.get(b, threadUrl)).body;
    expect(seenByB).to.contain('keep.pdf');
    expect(seenByB).to.not.contain('hide-me.pdf');
    expect((await suite.get(a, threadUrl)).doc.querySelector('[data-test=attachment-hidden]'), 'the author is told').to.not.equal(null);
    const logged = await env.app.db.selectFrom('moderationActions').select(['action', 'targetKind', 'targetId']).execute();
    expect(logged).to.deep.equal([{ action: 'hide', targetKind: 'attachment', targetId: hideMe.id }]);

    // Flagged, the post comes to the queue with its files.
    expect((await suite.post(b, `${b.base}/posts/${keep.postId}/flag`, { flagReason: 'Look at this' })).status).to.equal(303);
    const queue = await suite.get(f, `${f.base}/console/moderation`);
    const names = queue.doc.querySelectorAll('[data-test=queue-attachments] [data-test=attachment]').map((li) => li.text);
    expect(names.join(' ')).to.contain('keep.pdf').and.to.contain('hide-me.pdf');

    expect((await suite.post(f, `${f.base}/console/moderation/attachments/${hideMe.id}/show`, {})).status).to.equal(303);
    expect(await status(b, `${b.base}/media/${hideMe.id}/full`), 'a member, shown again').to.equal(200);
  });
});
