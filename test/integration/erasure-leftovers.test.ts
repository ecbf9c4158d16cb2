// After erasing a busy person, nothing of them is left: every column of every table (listed from
// information_schema, so a table added later is searched too) is searched for their person id,
// membership ids, the ids of their private rows, their name, handle, email and LMS user id. Only the
// other tenant's person of the same LMS user keeps theirs, untouched. Kept posts carry none of it.
import crypto from 'node:crypto';
import { expect } from 'chai';
import { sql } from 'kysely';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { PERSON_DATA } from '../../models/export.queries.ts';
import { erasePerson } from '../../server/privacy/erasure.service.ts';
import type { Db } from '../../models/db.ts';
import { computeCohortFigures } from '../../server/analytics/cohort-figures.ts';

const COURSE_A = { id: 'course-leftovers-a', title: 'Leftovers A' };
const COURSE_B = { id: 'course-leftovers-b', title: 'Leftovers B' };
const ada = { sub: 'ada-7c1f0e', name: 'Ada Lovelace', email: 'ada.lovelace@example.org', roles: [ROLES.learner] };
const adaTeaching = { ...ada, roles: [ROLES.instructor] };
const bo = { sub: 'bo', name: 'Bo Brown', email: 'bo@example.org', roles: [ROLES.learner] };
const cy = { sub: 'cy', name: 'Cy Young', roles: [ROLES.learner] };
const fran = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

/** Tables in PERSON_DATA a seeded person never has a row in, with why. */
const NOT_SEEDED: Record<string, string> = {};

interface Column { schema: string; table: string; column: string; hasTenant: boolean }

/** Every column that can hold text or an id, in every schema of ours (information_schema, so new tables are included). */
async function searchableColumns(db: Db): Promise<Column[]> {
  const { rows } = await sql<Column>`
    SELECT c.table_schema AS schema, c.table_name AS "table", c.column_name AS column,
      EXISTS (SELECT 1 FROM information_schema.columns t WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.column_name = 'tenant_id') AS "hasTenant"
    FROM information_schema.columns c
    JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
    WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.table_schema NOT LIKE 'pg\\_%'
      AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'uuid', 'ARRAY', 'bytea')
    ORDER BY 1, 2, 3`.execute(db);
  return rows;
}

/**
 * Where any needle appears (case-insensitive), outside the other tenant's rows: a row of a table
 * with tenant_id is the other tenant's by that column; a row of a table without one (sessions,
 * hand-overs) when its text names the other tenant.
 */
async function findNeedles(db: Db, needles: string[], otherTenantId: string): Promise<Array<{ where: string; rows: number }>> {
  const patterns = needles.map((n) => `%${n.replace(/[\\%_]/g, '\\$&')}%`);
  const found: Array<{ where: string; rows: number }> = [];
  for (const c of await searchableColumns(db)) {
    const table = sql.table(`${c.schema}.${c.table}`);
    const value = c.column === 'data' && (c.table === 'personal_export_chunks' || c.table === 'media_chunks') ? sql`convert_from(${sql.ref(c.column)}, 'UTF8')` : sql`${sql.ref(c.column)}::text`;
    const notOther = c.hasTenant ? sql`tenant_id IS DISTINCT FROM ${otherTenantId}::uuid` : sql`NOT (t::text LIKE ${`%${otherTenantId}%`})`;
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${table} t WHERE ${value} ILIKE ANY (${patterns}::text[]) AND ${notOther}`.execute(db);
    if (rows[0]!.n > 0) found.push({ where: `${c.schema}.${c.table}.${c.column}`, rows: rows[0]!.n });
  }
  return found;
}

describe('erasure leaves nothing of the person', () => {
  const suite = cohortSuite({ context: COURSE_A });
  const { env } = suite;
  const db = () => env.app.db;
  let otherSim: LtiPlatformSimulator;
  before(async () => {
    otherSim = await LtiPlatformSimulator.start({ kind: 'canvas', name: 'Another organisation' });
  });
  after(() => otherSim.close());

  const membershipOf = async (m: Member, sub: string) =>
    db().selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select(['m.id', 'm.tenantId', 'm.personId']).where('m.cohortId', '=', m.cohortId).where('p.sub', '=', sub).executeTakeFirstOrThrow();

  /** Every kind of item for Ada: a learner in cohort A, a facilitator in cohort B of the same tenant. */
  async function seedBusyPerson() {
    const f = await suite.launch(fran);
    const a = await suite.launch(ada);
    const b = await suite.launch(bo);
    const aB = await suite.launch(adaTeaching, COURSE_B, undefined, a.browser);
    const cB = await suite.launch(cy, COURSE_B);
    const [A, Bo, F, AB, CB] = [await membershipOf(a, ada.sub), await membershipOf(b, bo.sub), await membershipOf(f, fran.sub), await membershipOf(aB, ada.sub), await membershipOf(cB, cy.sub)];
    const t = A.tenantId;
    const cA = a.cohortId;
    const cBid = aB.cohortId;
    const x = db();
    const ins = <T extends Parameters<typeof x.insertInto>[0]>(table: T, values: Record<string, unknown>) =>
      x.insertInto(table).values(values as never).returningAll().executeTakeFirstOrThrow() as Promise<Record<string, string>>;

    const private_: string[] = [];
    private_.push((await ins('activityResponses', { tenantId: t, cohortId: cA, membershipId: A.id, moduleId: 1, activityId: 'r1', kind: 'reflection', status: 'submitted', content: JSON.stringify({ text: 'ADA-REFLECTION' }), submittedAt: new Date() }))['id']!);
    private_.push((await ins('activityResponses', { tenantId: t, cohortId: cA, membershipId: A.id, moduleId: 1, activityId: 'f1', kind: 'five-factor-check', status: 'draft', content: JSON.stringify({ comment: 'ADA-FIVE' }) }))['id']!);
    await ins('moduleCompletions', { tenantId: t, membershipId: A.id, moduleId: 1, cohortId: cA });
    await ins('resourceLinks', { tenantId: t, resourceLinkId: 'rl-leftovers', cohortId: cA, title: 'Hub', moduleId: null, lineitemUrl: 'https://lms.example/li/1', lineitemsUrl: null });
    await ins('gradeOutbox', { tenantId: t, membershipId: A.id, resourceLinkId: 'rl-leftovers', payload: JSON.stringify({ userId: ada.sub, scoreGiven: 1 }), scoreTimestamp: new Date() });
    const group = await ins('groups', { tenantId: t, cohortId: cA, name: 'Group 1' });
    await ins('groupMembers', { tenantId: t, membershipId: A.id, groupId: group['id'] });
    await ins('groupMembers', { tenantId: t, membershipId: Bo.id, groupId: group['id'] });
    const space = await ins('spaces', { tenantId: t, cohortId: cA, groupId: group['id'], moduleId: 1 });
    const thread = await ins('threads', { tenantId: t, spaceId: space['id'], authorMembershipId: A.id, title: 'ADA-THREAD' });
    const post = (author: string, body: string, extra: Record<string, unknown> = {}) => ins('posts', { tenantId: t, threadId: thread['id'], spaceId: space['id'], authorMembershipId: author, bodySource: body, bodyHtml: `<p>${body}</p>`, ...extra });
    const adaPost = await post(A.id, 'ADA-POST first', { editedAt: new Date() });
    await ins('postRevisions', { tenantId: t, postId: adaPost['id'], bodySource: 'ADA-POST draft', bodyHtml: '<p>ADA-POST draft</p>', replacedByMembershipId: A.id });
    const boPost = await post(Bo.id, 'Thanks @adalovelace for this', {
      parentPostId: adaPost['id'],
      bodyHtml: `<p>Thanks <span class="mention" data-person-id="${A.personId}">@Ada Lovelace</span> for this</p>`,
    });
    await post(A.id, 'ADA-REPLY to Bo', { parentPostId: boPost['id'] });
    // A photo on her post, its bytes in the embedded store.
    const photo = await ins('attachments', { tenantId: t, cohortId: cA, membershipId: A.id, postId: adaPost['id'], state: 'ready', kind: 'image', contentType: 'image/webp', fileName: 'Ada Lovelace at work.jpg', sizeBytes: 21 });
    await ins('mediaChunks', { tenantId: t, attachmentId: photo['id'], variant: 'full', seq: 0, data: Buffer.from('photo of Ada Lovelace') });
    // Her profile photo, uploaded in cohort B: it shows her wherever she is.
    const face = await ins('attachments', { tenantId: t, cohortId: cBid, membershipId: AB.id, photoOf: A.personId, state: 'ready', kind: 'image', contentType: 'image/webp', fileName: 'Ada Lovelace face.jpg', sizeBytes: 26 });
    await ins('mediaChunks', { tenantId: t, attachmentId: face['id'], variant: 'thumb', seq: 0, data: Buffer.from('profile photo of Ada Lovelace') });
    await ins('kudos', { tenantId: t, postId: boPost['id'], fromMembershipId: A.id, toMembershipId: Bo.id, reason: 'ADA-KUDOS-GIVEN' });
    await ins('kudos', { tenantId: t, postId: adaPost['id'], fromMembershipId: Bo.id, toMembershipId: A.id, reason: 'BO-KUDOS-TO-ADA' });
    await ins('notifications', { tenantId: t, membershipId: A.id, kind: 'mention', actorMembershipId: Bo.id, threadId: thread['id'], postId: boPost['id'] });
    await ins('notifications', { tenantId: t, membershipId: Bo.id, kind: 'reply', actorMembershipId: A.id, threadId: thread['id'], postId: adaPost['id'] });
    await ins('groupNormVersions', { tenantId: t, groupId: group['id'], version: 1, norms: ['ADA-NORM listen first'], membershipId: A.id });
    await ins('postDrafts', { tenantId: t, membershipId: A.id, target: `thread:${thread['id']}`, body: 'ADA-DRAFT' });
    const plan = await ins('actionPlans', { tenantId: t, cohortId: cA, membershipId: A.id, visibility: 'private', status: 'submitted', submittedAt: new Date(), goals: JSON.stringify([{ title: 'ADA-GOAL', actions: ['a'], dueOn: '2027-01-31', success: 's', support: 's' }]) });
    private_.push(plan['id']!);
    await ins('actionPlanPartners', { tenantId: t, planId: plan['id'], partnerMembershipId: Bo.id });
    const checkIn = await ins('checkIns', { tenantId: t, planId: plan['id'], seq: 1, entries: JSON.stringify([]), journal: 'ADA-JOURNAL' });
    // Files on her check-in and on her reflection (a module activity's response).
    const file = (owner: Record<string, string>, name: string) => ins('attachments', { tenantId: t, cohortId: cA, membershipId: A.id, ...owner, state: 'ready', kind: 'document', contentType: 'application/pdf', fileName: name, sizeBytes: 10 });
    const checkInFile = await file({ checkInId: checkIn['id']! }, 'ADA-CHECK-IN-FILE.pdf');
    await ins('mediaChunks', { tenantId: t, attachmentId: checkInFile['id'], variant: 'full', seq: 0, data: Buffer.from('ADA-CHECK-IN-BYTES') });
    await file({ responseId: private_[0]! }, 'ADA-RESPONSE-FILE.pdf');
    private_.push(checkIn['id']!);
    await ins('checkInReminders', { tenantId: t, planId: plan['id'], seq: 1, kind: 'scheduled' });
    const invite = await ins('managerInvites', { tenantId: t, planId: plan['id'], email: 'ada-boss@example.org' });
    private_.push(invite['id']!, 'ada-boss@example.org');
    await ins('actionPlanComments', { tenantId: t, planId: plan['id'], checkInId: checkIn['id'], authorMembershipId: Bo.id, body: 'BO-ON-ADA-PLAN' });
    await ins('actionPlanComments', { tenantId: t, planId: plan['id'], managerInviteId: invite['id'], body: 'MANAGER-ON-ADA-PLAN' });
    const boPlan = await ins('actionPlans', { tenantId: t, cohortId: cA, membershipId: Bo.id, visibility: 'cohort', status: 'submitted', submittedAt: new Date(), goals: JSON.stringify([]) });
    await ins('actionPlanPartners', { tenantId: t, planId: boPlan['id'], partnerMembershipId: A.id });
    await ins('actionPlanComments', { tenantId: t, planId: boPlan['id'], authorMembershipId: A.id, body: 'ADA-ON-BO-PLAN' });
    const link = (purpose: string, subjectId: string) => ins('signedLinks', { tenantId: t, purpose, subjectId, cohortId: cA, tokenHash: crypto.createHash('sha256').update(subjectId).digest(), singleUse: false, expiresAt: new Date(Date.now() + 3600_000) });
    await link('sign-in', A.id);
    await link('manager-view', invite['id']!);
    await ins('postFlags', { tenantId: t, cohortId: cA, postId: boPost['id'], membershipId: A.id, reason: 'ADA-FLAG' });
    await ins('moderationActions', { tenantId: t, cohortId: cA, actorMembershipId: F.id, action: 'hide', targetKind: 'post', targetId: adaPost['id'], subjectMembershipId: A.id, reason: 'FRAN-HID-ADA' });
    await ins('moderationActions', { tenantId: t, cohortId: cA, actorMembershipId: F.id, action: 'mute', targetKind: 'membership', targetId: A.id, subjectMembershipId: A.id, reason: 'FRAN-MUTED-ADA' });
    await ins('memberMutes', { tenantId: t, cohortId: cA, membershipId: A.id, until: null, reason: 'ADA-MUTED', mutedByMembershipId: F.id });
    await ins('nudges', { tenantId: t, cohortId: cA, membershipId: A.id, sentByMembershipId: F.id, message: 'NUDGE-TO-ADA', nudgedOn: '2026-12-01' });
    await ins('profiles', { tenantId: t, personId: A.personId, skills: 'ADA-SKILLS', interests: '', canHelpWith: '' });
    await ins('emailOptOuts', { tenantId: t, personId: A.personId, topic: 'digest' });
    const announcement = await ins('announcements', { tenantId: t, cohortId: cA, groupId: null, authorMembershipId: F.id, title: 'Welcome', body: 'Hello all' });
    await ins('announcementEmails', { tenantId: t, announcementId: announcement['id'], personId: A.personId });
    const exp = await ins('personalExports', { tenantId: t, personId: A.personId, cohortId: cA, scope: 'all', expiresAt: new Date(Date.now() + 3600_000) });
    private_.push(exp['id']!);
    await ins('personalExportChunks', { tenantId: t, exportId: exp['id'], seq: 0, data: Buffer.from('zip of Ada Lovelace') });
    await link('export-download', exp['id']!);
    await ins('rateLimits', { key: `manager-invite:${t}:${A.personId}`, hits: 1, resetAt: new Date(Date.now() + 3600_000) });
    await ins('rateLimits', { key: `sign-in-request-address:${ada.email}`, hits: 1, resetAt: new Date(Date.now() + 3600_000) });
    // The tool admin named her a programme lead, by LMS user id and by address.
    await ins('namedRoles', { tenantId: t, role: 'programme-lead', lmsUserId: ada.sub, email: null });
    await ins('namedRoles', { tenantId: t, role: 'programme-lead', lmsUserId: null, email: ada.email.toLowerCase() });

    // Cohort B, where Ada facilitates: what she did to others there.
    const commonsB = await ins('spaces', { tenantId: t, cohortId: cBid, groupId: null, moduleId: null });
    const threadB = await ins('threads', { tenantId: t, spaceId: commonsB['id'], authorMembershipId: CB.id, title: 'Cy asks' });
    const cyPost = await ins('posts', { tenantId: t, threadId: threadB['id'], spaceId: commonsB['id'], authorMembershipId: CB.id, bodySource: 'CY-POST', bodyHtml: '<p>CY-POST</p>' });
    await ins('posts', { tenantId: t, threadId: threadB['id'], spaceId: commonsB['id'], authorMembershipId: AB.id, parentPostId: cyPost['id'], bodySource: 'ADA-FACILITATOR-REPLY', bodyHtml: '<p>ADA-FACILITATOR-REPLY</p>' });
    await ins('postRevisions', { tenantId: t, postId: cyPost['id'], bodySource: 'CY-POST before edit', bodyHtml: '<p>CY-POST before edit</p>', replacedByMembershipId: AB.id });
    await ins('announcements', { tenantId: t, cohortId: cBid, groupId: null, authorMembershipId: AB.id, title: 'ADA-ANNOUNCES', body: 'Welcome to B' });
    await ins('nudges', { tenantId: t, cohortId: cBid, membershipId: CB.id, sentByMembershipId: AB.id, message: 'ADA-NUDGES-CY', nudgedOn: '2026-12-01' });
    await ins('moderationActions', { tenantId: t, cohortId: cBid, actorMembershipId: AB.id, action: 'endorse', targetKind: 'post', targetId: cyPost['id'], subjectMembershipId: CB.id, reason: null });
    await ins('memberMutes', { tenantId: t, cohortId: cBid, membershipId: CB.id, until: null, reason: 'ADA-MUTED-CY', mutedByMembershipId: AB.id });
    await ins('groupNormVersions', { tenantId: t, groupId: (await ins('groups', { tenantId: t, cohortId: cBid, name: 'B1' }))['id'], version: 1, norms: ['ADA-B-NORM'], membershipId: AB.id });

    return { A, AB, Bo, private_, cohorts: [cA, cBid], boPostId: boPost['id']!, adaPostId: adaPost['id']! };
  }

  it('erases a busy person in two cohorts: no id, name, email or LMS user id of theirs anywhere; the other tenant’s person of the same LMS user untouched', async () => {
    const seeded = await seedBusyPerson();
    const { A, AB } = seeded;
    const tenantId = A.tenantId;
    // The same LMS user in another organisation's deployment, with data of their own.
    const other = await connectPlatform(env.app, otherSim);
    const a2 = await suite.launch(ada, { id: 'other-org-course' }, other);
    const A2 = await membershipOf(a2, ada.sub);
    await db().insertInto('profiles').values({ tenantId: A2.tenantId, personId: A2.personId, skills: 'ADA2-SKILLS', interests: '', canHelpWith: '' }).execute();
    const otherBefore = await db().selectFrom('persons').selectAll().where('id', '=', A2.personId).executeTakeFirstOrThrow();

    const needles = [A.personId, A.id, AB.id, ...seeded.private_, ada.name, 'adalovelace', ada.email, ada.sub];
    // The seed reaches every table that holds something of a person (so the search below means something).
    const before = new Set((await findNeedles(db(), needles, A2.tenantId)).map((f) => f.where.split('.')[1]));
    const unseeded = Object.keys(PERSON_DATA).filter((table) => !before.has(table) && !(table in NOT_SEEDED));
    expect(unseeded, 'PERSON_DATA tables the seed put nothing of Ada in').to.deep.equal([]);

    const now = new Date();
    const figuresBefore = await computeCohortFigures(db(), tenantId, seeded.cohorts[0]!, now);
    const result = await erasePerson({ db: db(), erasureKey: 'test-key' }, { by: 'tool-admin', adminUserId: '00000000-0000-4000-8000-000000000001', tenantId }, A.personId);
    expect(result).to.deep.include({ memberships: 2, policy: 'keep', postsKept: 3 });

    expect(await findNeedles(db(), needles, A2.tenantId), 'what is left of the erased person').to.deep.equal([]);

    // What the policy keeps, as anonymous: her posts and others' material about her, under the former participant.
    const kept = await db()
      .selectFrom('posts as p')
      .innerJoin('memberships as m', 'm.id', 'p.authorMembershipId')
      .innerJoin('persons as pe', 'pe.id', 'm.personId')
      .select(['p.bodySource', 'p.bodyHtml', 'pe.name', 'pe.formerParticipant', 'm.status'])
      .where('p.tenantId', '=', tenantId)
      .orderBy('p.createdAt')
      .execute();
    expect(kept.filter((p) => p.formerParticipant).map((p) => p.bodySource)).to.have.members(['ADA-POST first', 'ADA-REPLY to Bo', 'ADA-FACILITATOR-REPLY']);
    expect(kept.filter((p) => p.formerParticipant).every((p) => p.name === 'A former participant' && p.status === 'inactive')).to.equal(true);
    const boPost = await db().selectFrom('posts').select(['bodySource', 'bodyHtml']).where('id', '=', seeded.boPostId).executeTakeFirstOrThrow();
    expect(boPost.bodySource).to.equal('Thanks @former-participant for this');
    expect(boPost.bodyHtml).to.match(/<span class="mention" data-person-id="[0-9a-f-]{36}">@A former participant<\/span>/);
    const formerIds = await db().selectFrom('persons').select('id').where('formerParticipant', '=', true).execute();
    expect(formerIds, 'one former participant for the erased person').to.have.length(1);
    // Others' material about her stays, now about the former participant.
    for (const [table, text] of [['kudos', 'BO-KUDOS-TO-ADA'], ['announcements', 'ADA-ANNOUNCES'], ['nudges', 'ADA-NUDGES-CY'], ['groupNormVersions', undefined]] as const) {
      expect(await db().selectFrom(table).selectAll().where('tenantId', '=', tenantId).execute(), `${table}${text ? ` (${text})` : ''} kept`).to.not.deep.equal([]);
    }
    // Her private material is gone whoever's table it was in.
    for (const table of ['activityResponses', 'actionPlanPartners', 'checkIns', 'managerInvites', 'profiles', 'emailOptOuts', 'personalExports', 'postDrafts', 'moduleCompletions', 'gradeOutbox'] as const) {
      const rows = await db().selectFrom(table).selectAll().where('tenantId', '=', tenantId).execute();
      if (table === 'actionPlanPartners') expect(rows, table).to.deep.equal([]); // Bo partnered her plan (gone); she partnered his (gone with her)
      else expect(rows, table).to.deep.equal([]);
    }

    // The cohort's counts stay: group health and Community of Inquiry still count what she wrote; the
    // facilitators' network (active learners) drops her, as it drops anyone who left the cohort.
    const figuresAfter = await computeCohortFigures(db(), tenantId, seeded.cohorts[0]!, now);
    expect(figuresAfter.health).to.deep.equal(figuresBefore.health);
    expect(figuresAfter.inquiry).to.deep.equal(figuresBefore.inquiry);
    expect(figuresAfter.social.cohort.members).to.equal(figuresBefore.social.cohort.members - 1);
    expect(figuresAfter.ties.length, 'others’ own networks keep an anonymous contact').to.equal(figuresBefore.ties.length);

    // The other deployment's Ada: same LMS user, untouched.
    expect(await db().selectFrom('persons').selectAll().where('id', '=', A2.personId).executeTakeFirstOrThrow()).to.deep.equal(otherBefore);
    expect(await db().selectFrom('profiles').select('skills').where('personId', '=', A2.personId).executeTakeFirstOrThrow()).to.deep.equal({ skills: 'ADA2-SKILLS' });
    expect((await suite.get(a2, a2.base)).status, 'her session there still works').to.equal(200);
  });
});
