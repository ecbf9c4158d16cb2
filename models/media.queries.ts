// Attachments and their bytes in the embedded store. Every statement is scoped by tenant.
import { sql } from 'kysely';
import { preparedQuery, type Executor, type Tx } from './db.ts';
import type { Attachment, AttachmentKind, PostStatus } from './schema.ts';

type ChunkKey = { tenantId: string; attachmentId: string; variant: 'full' | 'thumb' };

export async function insertMediaChunk(ex: Executor, c: ChunkKey & { seq: number; data: Buffer }): Promise<void> {
  await ex.insertInto('mediaChunks').values(c).execute();
}

export async function deleteMediaChunks(ex: Executor, k: ChunkKey): Promise<void> {
  await ex.deleteFrom('mediaChunks').where('tenantId', '=', k.tenantId).where('attachmentId', '=', k.attachmentId).where('variant', '=', k.variant).execute();
}

export function listMediaChunks(ex: Executor, k: ChunkKey, fromSeq: number, toSeq: number): Promise<Array<{ seq: number; data: Buffer }>> {
  return ex
    .selectFrom('mediaChunks')
    .select(['seq', 'data'])
    .where('tenantId', '=', k.tenantId)
    .where('attachmentId', '=', k.attachmentId)
    .where('variant', '=', k.variant)
    .where('seq', '>=', fromSeq)
    .where('seq', '<=', toSeq)
    .orderBy('seq')
    .execute();
}

/** A new pending attachment, its bytes still on their way. */
export function insertAttachment(
  ex: Executor,
  a: { tenantId: string; cohortId: string; membershipId: string; draftTarget: string; kind: AttachmentKind; contentType: string; fileName: string },
): Promise<Attachment> {
  return ex.insertInto('attachments').values(a).returningAll().executeTakeFirstOrThrow();
}

export async function updateAttachmentStored(
  ex: Executor,
  tenantId: string,
  id: string,
  s: { sizeBytes: number; thumbSizeBytes: number | null; width: number | null; height: number | null; contentHash: string; contentType: string },
): Promise<void> {
  await ex.updateTable('attachments').set({ ...s, state: 'ready' }).where('tenantId', '=', tenantId).where('id', '=', id).execute();
}

export async function deleteAttachment(ex: Executor, tenantId: string, id: string): Promise<void> {
  await ex.deleteFrom('attachments').where('tenantId', '=', tenantId).where('id', '=', id).execute();
}

/** An attachment as a post shows it (read with the post, see threadPosts' columns). */
export interface PostAttachmentRow {
  id: string;
  kind: AttachmentKind;
  fileName: string;
  contentType: string;
  sizeBytes: string | number;
  width: number | null;
  height: number | null;
  contentHash: string | null;
  hiddenAt: Date | string | null;
  membershipId: string;
}

export interface AttachmentAccessRow {
  id: string;
  cohortId: string;
  membershipId: string;
  postId: string | null;
  /** A profile photo: the person it shows. */
  photoOf: string | null;
  /** A file on a module activity's response, and what its access check needs of that response. */
  responseId: string | null;
  responseStatus: string | null;
  responseShared: boolean | null;
  responseKind: string | null;
  /** A file on a check-in, and the plan it is of. */
  checkInId: string | null;
  checkInPlanId: string | null;
  state: 'uploading' | 'ready';
  kind: AttachmentKind;
  contentType: string;
  fileName: string;
  sizeBytes: string;
  thumbSizeBytes: string | null;
  contentHash: string | null;
  hiddenAt: Date | null;
  /** Of its post, when it has one. */
  spaceId: string | null;
  postStatus: PostStatus | null;
  postAuthorMembershipId: string | null;
}

/** An attachment with what its access check needs of its post, in one round trip. */
export function findAttachmentForAccess(ex: Executor, tenantId: string, id: string): Promise<AttachmentAccessRow | undefined> {
  return ex
    .selectFrom('attachments as a')
    .leftJoin('posts as po', (j) => j.onRef('po.tenantId', '=', 'a.tenantId').onRef('po.id', '=', 'a.postId'))
    .leftJoin('activityResponses as ar', (j) => j.onRef('ar.tenantId', '=', 'a.tenantId').onRef('ar.id', '=', 'a.responseId'))
    .leftJoin('checkIns as ci', (j) => j.onRef('ci.tenantId', '=', 'a.tenantId').onRef('ci.id', '=', 'a.checkInId'))
    .select(['a.id', 'a.cohortId', 'a.membershipId', 'a.postId', 'a.photoOf', 'a.checkInId', 'ci.planId as checkInPlanId', 'a.responseId', 'ar.status as responseStatus', 'ar.shared as responseShared', 'ar.kind as responseKind', 'a.state', 'a.kind', 'a.contentType', 'a.fileName', 'a.sizeBytes', 'a.thumbSizeBytes', 'a.contentHash', 'a.hiddenAt', 'po.spaceId', 'po.status as postStatus', 'po.authorMembershipId as postAuthorMembershipId'])
    .where('a.tenantId', '=', tenantId)
    .where('a.id', '=', id)
    .executeTakeFirst();
}

export interface PendingAttachment {
  id: string;
  kind: AttachmentKind;
  fileName: string;
  sizeBytes: string;
  contentType: string;
}

// Read by every page with a post form: built once (preparedQuery).
const listPendingAttachmentsQuery = preparedQuery((ex, p: { tenantId: string; membershipId: string; draftTarget: string }) =>
  ex
    .selectFrom('attachments')
    .select(['id', 'kind', 'fileName', 'sizeBytes', 'contentType'])
    .where('tenantId', '=', p.tenantId)
    .where('membershipId', '=', p.membershipId)
    .where('draftTarget', '=', p.draftTarget)
    .where('state', '=', 'ready')
    .orderBy('createdAt'),
);

/** A person's pending attachments for one form (the files of their draft there), oldest first. */
export function listPendingAttachments(ex: Executor, tenantId: string, membershipId: string, draftTarget: string): Promise<PendingAttachment[]> {
  return listPendingAttachmentsQuery(ex, { tenantId, membershipId, draftTarget });
}

/**
 * The post's claim on the author's pending attachments of its form, as CTEs for the post's own
 * statement (`p` is the inserted post): those kept (`keep`) move onto the post, the others the
 * author took off the form are deleted. A reply stays one statement.
 */
export function claimAttachmentsCte(c: { tenantId: string; membershipId: string; draftTarget: string; keep: string[] }) {
  return sql`
    ac AS (UPDATE attachments a SET post_id = p.id, draft_target = NULL FROM p
           WHERE a.tenant_id = ${c.tenantId} AND a.membership_id = ${c.membershipId} AND a.draft_target = ${c.draftTarget}
             AND a.state = 'ready' AND a.id = ANY (${c.keep}::uuid[])),
    ad AS (DELETE FROM attachments a
           WHERE a.tenant_id = ${c.tenantId} AND a.membership_id = ${c.membershipId} AND a.draft_target = ${c.draftTarget}
             AND NOT (a.id = ANY (${c.keep}::uuid[])) AND EXISTS (SELECT 1 FROM p))`;
}

/** The same claim, alone (a new thread writes its post in a transaction). */
export async function claimAttachments(ex: Executor, postId: string, c: { tenantId: string; membershipId: string; draftTarget: string; keep: string[] }): Promise<void> {
  await sql`WITH p AS (SELECT ${postId}::uuid AS id), ${claimAttachmentsCte(c)} SELECT 1`.execute(ex);
}

/** Bytes a membership's attachments hold, and those of the whole cohort: for the quotas. */
export async function sumAttachmentBytes(ex: Executor, tenantId: string, cohortId: string, membershipId: string): Promise<{ mine: number; cohort: number }> {
  const { rows } = await sql<{ mine: string; cohort: string }>`
    SELECT coalesce(sum(size_bytes + coalesce(thumb_size_bytes, 0)) FILTER (WHERE membership_id = ${membershipId}), 0) AS mine,
           coalesce(sum(size_bytes + coalesce(thumb_size_bytes, 0)), 0) AS cohort
    FROM attachments WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId}`.execute(ex);
  return { mine: Number(rows[0]!.mine), cohort: Number(rows[0]!.cohort) };
}

/** Attachments deleted since the store last swept (for a store that no cascade reaches). */
export function listMediaDeletions(ex: Executor, limit: number) {
  return ex.selectFrom('mediaDeletions').select(['tenantId', 'attachmentId']).orderBy('deletedAt').limit(limit).execute();
}

export async function deleteMediaDeletions(ex: Executor, keys: Array<{ tenantId: string; attachmentId: string }>): Promise<void> {
  if (keys.length === 0) return;
  await sql`DELETE FROM media_deletions d USING unnest(${keys.map((k) => k.tenantId)}::uuid[], ${keys.map((k) => k.attachmentId)}::uuid[]) AS k(t, a)
            WHERE d.tenant_id = k.t AND d.attachment_id = k.a`.execute(ex);
}

/** A facilitator hides or shows one attachment of a post. */
export async function updateAttachmentHidden(ex: Executor, tenantId: string, id: string, hidden: { at: Date; reason: string } | null): Promise<void> {
  await ex.updateTable('attachments').set({ hiddenAt: hidden?.at ?? null, hiddenReason: hidden?.reason ?? null }).where('tenantId', '=', tenantId).where('id', '=', id).execute();
}

/** A person's own files (posted or pending) in these memberships, and their profile photo, for their export. */
export function listOwnAttachments(ex: Executor, tenantId: string, membershipIds: string[], personId: string) {
  return ex
    .selectFrom('attachments')
    .select(['id', 'postId', 'photoOf', 'responseId', 'checkInId', 'kind', 'fileName', 'contentType', 'sizeBytes', 'createdAt'])
    .where('tenantId', '=', tenantId)
    .where((eb) => eb.or([...(membershipIds.length ? [eb('membershipId', 'in', membershipIds)] : []), eb('photoOf', '=', personId)]))
    .where('state', '=', 'ready')
    .orderBy('createdAt')
    .execute();
}

/**
 * Pending files nobody posted (a draft abandoned before `before`) and uploads that never finished
 * (a process that stopped mid-upload): deleted by housekeeping.
 */
export async function deleteAbandonedAttachments(ex: Executor, before: Date, unfinishedBefore: Date): Promise<number> {
  const r = await ex
    .deleteFrom('attachments')
    .where((eb) => eb.or([eb.and([eb('draftTarget', 'is not', null), eb('createdAt', '<', before)]), eb.and([eb('state', '=', 'uploading'), eb('createdAt', '<', unfinishedBefore)])]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * The person's new profile photo (a pending upload of theirs) takes the place of the old one, whose
 * row is deleted (its bytes with it: the chunks by cascade, an object store's by the sweep).
 */
export async function makeProfilePhoto(tx: Tx, tenantId: string, personId: string, attachmentId: string): Promise<void> {
  // Two statements (one would meet the unique index with the old row still in its snapshot); the
  // person's row is locked first, so two uploads at once take their turns.
  await sql`SELECT 1 FROM persons WHERE tenant_id = ${tenantId} AND id = ${personId} FOR UPDATE`.execute(tx);
  await tx.deleteFrom('attachments').where('tenantId', '=', tenantId).where('photoOf', '=', personId).execute();
  await tx.updateTable('attachments').set({ photoOf: personId, draftTarget: null }).where('tenantId', '=', tenantId).where('id', '=', attachmentId).where('state', '=', 'ready').execute();
}

/** Deletes the person's profile photo (and so its bytes); whether there was one. */
export async function deleteProfilePhoto(ex: Executor, tenantId: string, personId: string): Promise<boolean> {
  const r = await ex.deleteFrom('attachments').where('tenantId', '=', tenantId).where('photoOf', '=', personId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export interface PhotoRef {
  id: string;
  contentHash: string | null;
}

export function findProfilePhoto(ex: Executor, tenantId: string, personId: string): Promise<PhotoRef | undefined> {
  return ex.selectFrom('attachments').select(['id', 'contentHash']).where('tenantId', '=', tenantId).where('photoOf', '=', personId).where('state', '=', 'ready').executeTakeFirst();
}

/**
 * The profile photo (`ph`, none when there is none) of the membership `m` of a page's own query, as
 * a join for that query: a page reads its people's photos with its rows instead of in a second
 * round trip (listMemberPhotos).
 */
export const MEMBER_PHOTO_JOIN = sql`LEFT JOIN attachments ph ON ph.tenant_id = m.tenant_id AND ph.photo_of = m.person_id AND ph.state = 'ready'`;

// Read by every page that shows people: built once (preparedQuery), the ids as one array value.
const listMemberPhotosQuery = preparedQuery((ex, p: { tenantId: string; membershipIds: string[] }) =>
  ex
    .selectFrom('memberships as m')
    .innerJoin('attachments as a', (j) => j.onRef('a.tenantId', '=', 'm.tenantId').onRef('a.photoOf', '=', 'm.personId'))
    .select(['m.id as membershipId', 'a.id', 'a.contentHash'])
    .where('m.tenantId', '=', p.tenantId)
    .where('m.id', '=', sql<string>`any(${p.membershipIds}::uuid[])`)
    .where('a.state', '=', 'ready'),
);

/** The profile photos of the people behind these memberships (those who have one), by membership id. */
export function listMemberPhotos(ex: Executor, tenantId: string, membershipIds: string[]): Promise<Array<PhotoRef & { membershipId: string }>> {
  if (membershipIds.length === 0) return Promise.resolve([]);
  return listMemberPhotosQuery(ex, { tenantId, membershipIds });
}

const listPersonPhotosQuery = preparedQuery((ex, p: { tenantId: string; personIds: string[] }) =>
  ex
    .selectFrom('attachments')
    .select(['photoOf as personId', 'id', 'contentHash'])
    .where('tenantId', '=', p.tenantId)
    .where('photoOf', '=', sql<string>`any(${p.personIds}::uuid[])`)
    .where('state', '=', 'ready')
    .$narrowType<{ personId: string }>(),
);

/** The profile photos of these people (those who have one), by person id. */
export function listPersonPhotos(ex: Executor, tenantId: string, personIds: string[]): Promise<Array<PhotoRef & { personId: string }>> {
  if (personIds.length === 0) return Promise.resolve([]);
  return listPersonPhotosQuery(ex, { tenantId, personIds });
}

/** Whether the person has a membership (of any status: their posts still show there) in this cohort. */
export async function isPersonInCohort(ex: Executor, tenantId: string, cohortId: string, personId: string): Promise<boolean> {
  const row = await ex.selectFrom('memberships').select('id').where('tenantId', '=', tenantId).where('cohortId', '=', cohortId).where('personId', '=', personId).executeTakeFirst();
  return row !== undefined;
}

/**
 * A response's claim, in its saving transaction: the person's pending files of its form move onto
 * it, and those they ticked to remove (of the response's own files) are deleted.
 */
export async function claimResponseAttachments(tx: Tx, c: { tenantId: string; membershipId: string; responseId: string; draftTarget: string; remove: string[] }): Promise<void> {
  await tx
    .updateTable('attachments')
    .set({ responseId: c.responseId, draftTarget: null })
    .where('tenantId', '=', c.tenantId)
    .where('membershipId', '=', c.membershipId)
    .where('draftTarget', '=', c.draftTarget)
    .where('state', '=', 'ready')
    .execute();
  if (c.remove.length === 0) return;
  await tx.deleteFrom('attachments').where('tenantId', '=', c.tenantId).where('membershipId', '=', c.membershipId).where('responseId', '=', c.responseId).where('id', 'in', c.remove).execute();
}

/** An attachment's columns as a page shows it (PostAttachmentRow), whatever it is attached to. */
const SHOWN_COLUMNS = ['id', 'kind', 'fileName', 'contentType', 'sizeBytes', 'width', 'height', 'contentHash', 'hiddenAt', 'membershipId'] as const;

/** The files of these responses, oldest first. */
export function listResponseAttachments(ex: Executor, tenantId: string, responseIds: string[]) {
  if (responseIds.length === 0) return Promise.resolve([]);
  return ex
    .selectFrom('attachments')
    .select([...SHOWN_COLUMNS, 'responseId'])
    .where('tenantId', '=', tenantId)
    .where('responseId', 'in', responseIds)
    .where('state', '=', 'ready')
    .orderBy('createdAt')
    .$narrowType<{ responseId: string }>()
    .execute();
}

/** A check-in's claim, in its recording transaction: the person's pending files of its form move onto it. */
export async function claimCheckInAttachments(tx: Tx, c: { tenantId: string; membershipId: string; checkInId: string; draftTarget: string }): Promise<void> {
  await tx
    .updateTable('attachments')
    .set({ checkInId: c.checkInId, draftTarget: null })
    .where('tenantId', '=', c.tenantId)
    .where('membershipId', '=', c.membershipId)
    .where('draftTarget', '=', c.draftTarget)
    .where('state', '=', 'ready')
    .execute();
}

/** The files of these check-ins, oldest first. */
export function listCheckInAttachments(ex: Executor, tenantId: string, checkInIds: string[]) {
  if (checkInIds.length === 0) return Promise.resolve([]);
  return ex
    .selectFrom('attachments')
    .select([...SHOWN_COLUMNS, 'checkInId'])
    .where('tenantId', '=', tenantId)
    .where('checkInId', 'in', checkInIds)
    .where('state', '=', 'ready')
    .orderBy('createdAt')
    .$narrowType<{ checkInId: string }>()
    .execute();
}
