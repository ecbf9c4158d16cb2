// Attachments: taking a file (type from its bytes, size caps, images re-encoded), who may read one
// (exactly who may read its post), and the quotas. Services never see req/res: a file arrives as a
// stream and leaves as one.
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { OutputInfo } from 'sharp';
import type { Db } from '../../models/db.ts';
import * as media from '../../models/media.queries.ts';
import type { AttachmentKind } from '../../models/schema.ts';
import { AppError, ForbiddenError, NotFoundError, type UserText } from '../errors.ts';
import { withTransaction } from '../../models/db.ts';
import { insertModerationAction } from '../../models/moderation.queries.ts';
import { findPost } from '../../models/discussions.queries.ts';
import type { LaunchContext } from '../launch-context.ts';
import { findVisibleSpace } from '../discussions/discussions.service.ts';
import { findReadablePlan } from '../action-plans/action-plans.service.ts';
import { SNIFF_BYTES, cleanFileName, detectMediaType } from './media-types.ts';
import { msg } from '../i18n/i18n.ts';
import type { ByteRange, MediaStorage } from './storage.ts';

export interface MediaLimits {
  /** Largest file per kind, in bytes. */
  maxBytes: Record<AttachmentKind, number>;
  /** Stored bytes a person may hold in one cohort, and the whole cohort. */
  quotaPerPerson: number;
  quotaPerCohort: number;
}

export interface MediaDeps {
  db: Db;
  storage: MediaStorage;
  limits: MediaLimits;
}

const MB = 1024 * 1024;
const megabytes = (bytes: number) => Number((bytes / MB).toFixed(1));

export class FileTooLargeError extends AppError {
  constructor(message: UserText) {
    super(413, 'file-too-large', message);
  }
}

export class FileTypeRefusedError extends AppError {
  constructor(message: UserText) {
    super(415, 'file-type', message);
  }
}

/** Display sizes of a picture (longest side, pixels): the full view and the thumbnail; `square` crops it so. */
export interface ImageSizes {
  full: number;
  thumb: number;
  square: boolean;
}
const POST_IMAGE: ImageSizes = { full: 1600, thumb: 480, square: false };
/** A profile photo: a square face, 256 px on its page, 96 px beside posts and in lists (2× their size). */
export const PROFILE_PHOTO: ImageSizes = { full: 256, thumb: 96, square: true };

/**
 * Stores one uploaded file as a pending attachment of this person's form (`draftTarget`), once the
 * caller has checked they may post there. Throws 415 for a type we do not take (whatever its name
 * says), 413 past its kind's cap or a quota; nothing of a refused file is kept.
 */
export async function storeUpload(deps: MediaDeps, who: LaunchContext, draftTarget: string, file: Readable, givenName: string, sizes: ImageSizes = POST_IMAGE): Promise<media.PendingAttachment> {
  const fileName = cleanFileName(givenName);
  const { head, rest, complete } = await readHead(file, SNIFF_BYTES);
  const type = await detectMediaType(head, fileName, complete);
  if (!type || (sizes.square && type.kind !== 'image')) {
    rest.destroy();
    throw new FileTypeRefusedError(
      sizes.square ? msg('media.errors.notAPhoto', { file: fileName }) : msg('media.errors.typeRefused', { file: fileName }),
    );
  }
  const cap = deps.limits.maxBytes[type.kind];
  const tooLarge = () => new FileTooLargeError(msg('media.errors.tooLarge', { kind: type.kind, megabytes: megabytes(cap), file: fileName }));
  const row = await media.insertAttachment(deps.db, { tenantId: who.tenantId, cohortId: who.cohortId, membershipId: who.membershipId, draftTarget, kind: type.kind, contentType: type.contentType, fileName });
  const key = { tenantId: who.tenantId, attachmentId: row.id };
  try {
    const stored = type.kind === 'image' ? await storeImage(deps, key, rest, cap, tooLarge, fileName, sizes) : await storeAsSent(deps, key, rest, cap, tooLarge, type.contentType);
    await media.updateAttachmentStored(deps.db, who.tenantId, row.id, stored);
    const used = await media.sumAttachmentBytes(deps.db, who.tenantId, who.cohortId, who.membershipId);
    if (used.mine > deps.limits.quotaPerPerson) throw new FileTooLargeError(msg('media.errors.personQuota', { megabytes: megabytes(deps.limits.quotaPerPerson), file: fileName }));
    if (used.cohort > deps.limits.quotaPerCohort) throw new FileTooLargeError(msg('media.errors.cohortQuota', { file: fileName }));
    return { id: row.id, kind: type.kind, fileName, sizeBytes: String(stored.sizeBytes), contentType: stored.contentType };
  } catch (err) {
    rest.destroy();
    // The row's deletion queues the store's objects for the sweep (media_deletions); the embedded
    // store's chunks go with it.
    await media.deleteAttachment(deps.db, who.tenantId, row.id);
    await deps.storage.deleteAttachments([key]).catch(() => undefined);
    throw err;
  }
}

type Stored = Parameters<typeof media.updateAttachmentStored>[3];

let sharpLoaded: Promise<typeof import('sharp')> | undefined;
/**
 * sharp (libvips, ~10 MB resident) is loaded at the first picture, not at every start. Its operation
 * cache (50 MB by default) is off: each picture is decoded once, so it would only hold memory.
 */
function loadSharp(): Promise<typeof import('sharp')> {
  return (sharpLoaded ??= import('sharp').then((m) => {
    m.default.cache(false);
    return m;
  }));
}

/** A picture, re-encoded (which drops EXIF, GPS included, and anything hidden in the file) at two display sizes. */
async function storeImage(deps: MediaDeps, key: { tenantId: string; attachmentId: string }, body: Readable, cap: number, tooLarge: () => Error, fileName: string, sizes: ImageSizes): Promise<Stored> {
  const original = await readAll(body, cap, tooLarge);
  const { default: sharp } = await loadSharp();
  let full: { data: Buffer; info: OutputInfo };
  let thumb: { data: Buffer; info: OutputInfo };
  try {
    // Animated GIFs stay animated in posts (a photo keeps its first frame); the others are turned
    // upright by their EXIF orientation first.
    const animated = !sizes.square && ((await sharp(original).metadata()).pages ?? 1) > 1;
    // One decode, two sizes (clone shares the input). A square photo is cut around what draws the eye.
    const decoded = animated ? sharp(original, { animated: true }) : sharp(original).rotate();
    const fit = sizes.square ? ({ fit: 'cover', position: sharp.strategy.attention } as const) : ({ fit: 'inside', withoutEnlargement: true } as const);
    const encode = (px: number) => decoded.clone().resize({ width: px, height: px, ...fit }).webp({ quality: 82 }).toBuffer({ resolveWithObject: true });
    [full, thumb] = await Promise.all([encode(sizes.full), encode(sizes.thumb)]);
  } catch {
    throw new FileTypeRefusedError(msg('media.errors.unreadablePicture', { file: fileName }));
  }
  await deps.storage.put({ ...key, variant: 'full' }, Readable.from([full.data]), 'image/webp');
  await deps.storage.put({ ...key, variant: 'thumb' }, Readable.from([thumb.data]), 'image/webp');
  return {
    sizeBytes: full.data.length,
    thumbSizeBytes: thumb.data.length,
    width: full.info.width,
    height: full.info.pageHeight ?? full.info.height,
    contentHash: createHash('sha256').update(full.data).digest('hex'),
    contentType: 'image/webp',
  };
}

/** A document or video, streamed to the store as sent, counted and hashed on the way. */
async function storeAsSent(deps: MediaDeps, key: { tenantId: string; attachmentId: string }, body: Readable, cap: number, tooLarge: () => Error, contentType: string): Promise<Stored> {
  const hash = createHash('sha256');
  let size = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > cap) return done(tooLarge());
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await Promise.all([pipeline(body, counted), deps.storage.put({ ...key, variant: 'full' }, counted, contentType)]);
  return { sizeBytes: size, thumbSizeBytes: null, width: null, height: null, contentHash: hash.digest('hex'), contentType };
}

/** The first `n` bytes (fewer if the file is shorter), and the whole file again as a stream. */
async function readHead(file: Readable, n: number): Promise<{ head: Buffer; rest: Readable; complete: boolean }> {
  const it = file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const parts: Buffer[] = [];
  let held = 0;
  let complete = false;
  while (held < n) {
    const r = await it.next();
    if (r.done) {
      complete = true;
      break;
    }
    parts.push(r.value);
    held += r.value.length;
  }
  const head = Buffer.concat(parts);
  async function* again(): AsyncGenerator<Buffer> {
    yield head;
    if (complete) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { head: head.subarray(0, n), rest: Readable.from(again(), { objectMode: false }), complete };
}

async function readAll(body: Readable, cap: number, tooLarge: () => Error): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > cap) throw tooLarge();
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/**
 * The attachment if this person may read it: exactly who may read its post (its space, and a
 * hidden post only for its author and the facilitators; a deleted post's files for nobody); one
 * hidden by a facilitator only for its uploader and the facilitators; a pending one only for its
 * uploader. A profile photo: members of a cohort its person is in; a check-in's file: who reads the
 * plan's check-ins; an activity answer's: who reads that answer. Anything else is "not found", so
 * nothing leaks, not even that it exists.
 */
export async function findVisibleAttachment(deps: { db: Db }, who: LaunchContext, attachmentId: string, opts: { checkInsOnly?: boolean } = {}): Promise<media.AttachmentAccessRow> {
  const a = await media.findAttachmentForAccess(deps.db, who.tenantId, attachmentId);
  if (!a || a.state !== 'ready') throw new NotFoundError('file');
  // A session signed in by an emailed link: only what its action-plan pages show.
  if (opts.checkInsOnly && !a.checkInId) throw new NotFoundError('file');
  // A profile photo: for the members of a cohort its person is in (wherever it was uploaded).
  if (a.photoOf) {
    if (!(await media.isPersonInCohort(deps.db, who.tenantId, who.cohortId, a.photoOf))) throw new NotFoundError('file');
    return a;
  }
  if (a.cohortId !== who.cohortId) throw new NotFoundError('file');
  // A file on a check-in: who reads the plan's check-ins (its owner, its partners).
  if (a.checkInId) {
    if (a.membershipId === who.membershipId) return a;
    const { access } = await findReadablePlan(deps, who, a.checkInPlanId!);
    if (access === 'reader') throw new NotFoundError('file');
    return a;
  }
  // A file on a module activity's response: who reads that response (its author; the cohort's
  // facilitators once it is submitted and shared with them: a shared reflection, a curation).
  if (a.responseId) {
    if (a.membershipId === who.membershipId) return a;
    if (who.role === 'facilitator' && a.responseStatus === 'submitted' && (a.responseShared === true || a.responseKind === 'curation')) return a;
    throw new NotFoundError('file');
  }
  const facilitator = who.role === 'facilitator';
  const mine = a.membershipId === who.membershipId;
  if (!a.postId || !a.spaceId) {
    if (!mine) throw new NotFoundError('file');
    return a;
  }
  await findVisibleSpace(deps, who, a.spaceId);
  if (a.postStatus === 'deleted') throw new NotFoundError('file');
  if (a.postStatus === 'hidden' && !facilitator && a.postAuthorMembershipId !== who.membershipId) throw new NotFoundError('file');
  if (a.hiddenAt && !facilitator && !mine) throw new NotFoundError('file');
  return a;
}

/** The bytes of one variant of an attachment already checked with findVisibleAttachment. */
export function readAttachment(deps: MediaDeps, who: { tenantId: string }, a: media.AttachmentAccessRow, variant: 'full' | 'thumb', range?: ByteRange): Promise<Readable> {
  return deps.storage.get({ tenantId: who.tenantId, attachmentId: a.id, variant }, range);
}

/** The person's pending files of one form (what their draft there carries). */
export function pendingAttachmentsFor(deps: { db: Db }, who: LaunchContext, draftTarget: string) {
  return media.listPendingAttachments(deps.db, who.tenantId, who.membershipId, draftTarget);
}

/** Deletes objects of deleted attachments from a store that no cascade reaches; returns how many. */
export async function sweepMediaDeletions(deps: { db: Db; storage: MediaStorage }, batch = 500): Promise<number> {
  let swept = 0;
  for (;;) {
    const keys = await media.listMediaDeletions(deps.db, batch);
    if (keys.length === 0) return swept;
    await deps.storage.deleteAttachments(keys);
    await media.deleteMediaDeletions(deps.db, keys);
    swept += keys.length;
    if (keys.length < batch) return swept;
  }
}

/**
 * The person's new profile photo, from an uploaded picture: cut square, re-encoded (no EXIF), stored
 * like any file, and put in the place of the old one, whose bytes are deleted.
 */
export async function storeProfilePhoto(deps: MediaDeps, who: LaunchContext, file: Readable, givenName: string): Promise<media.PendingAttachment> {
  const a = await storeUpload(deps, who, 'photo', file, givenName, PROFILE_PHOTO);
  await withTransaction(deps.db, (tx) => media.makeProfilePhoto(tx, who.tenantId, who.personId, a.id));
  return a;
}

/** Removes the person's profile photo and its bytes; initials show again. */
export function removeProfilePhoto(deps: { db: Db }, who: LaunchContext): Promise<boolean> {
  return media.deleteProfilePhoto(deps.db, who.tenantId, who.personId);
}

/**
 * A facilitator hides one attachment of a post in their cohort (or shows it again), the rest of the
 * post left as it is; written to the audit log in the same transaction. Returns where its post is.
 */
export async function setAttachmentHidden(deps: { db: Db }, who: LaunchContext, attachmentId: string, hidden: boolean): Promise<{ threadId: string; postId: string }> {
  if (who.role !== 'facilitator') throw new ForbiddenError('hide-attachment');
  const a = await media.findAttachmentForAccess(deps.db, who.tenantId, attachmentId);
  if (!a || a.cohortId !== who.cohortId || !a.postId) throw new NotFoundError('file');
  const post = await findPost(deps.db, who.tenantId, a.postId);
  if (!post) throw new NotFoundError('file');
  await withTransaction(deps.db, async (tx) => {
    await media.updateAttachmentHidden(tx, who.tenantId, a.id, hidden ? { at: new Date(), reason: 'Hidden by a facilitator' } : null);
    await insertModerationAction(tx, { tenantId: who.tenantId, cohortId: who.cohortId, actorMembershipId: who.membershipId, action: hidden ? 'hide' : 'restore', targetKind: 'attachment', targetId: a.id, subjectMembershipId: a.membershipId, reason: null });
  });
  return { threadId: post.threadId, postId: post.id };
}
