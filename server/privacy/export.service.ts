// A person's own export: asked for on their profile, built by a job (pg-boss queue
// 'personal-export'), kept as zip chunks until it expires (24 h), downloaded by the person from
// their profile or by the signed link emailed to them. Only the person reaches their export: every
// lookup is by (tenant, person, export id), and anything else is a 404.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import type { Db, Tx } from '../../models/db.ts';
import * as exportsQ from '../../models/export.queries.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { EmailDeps } from '../email/mailer.ts';
import { composeEmail } from '../email/compose-email.ts';
import type { Workshop } from '../modules/workshop-content.ts';
import type { LaunchContext } from '../launch-context.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { issueSignedLink, LinkEndedError, verifyLink } from '../action-plans/signed-links.ts';
import { gatherExport, markdownFiles } from './export-content.ts';
import * as media from '../../models/media.queries.ts';
import { PostgresMediaStorage, type MediaStorage } from '../media/storage.ts';
import { msg, i18nFor, type I18n } from '../i18n/i18n.ts';
import { findPersonLocales } from '../../models/profiles.queries.ts';
import { NO_NAME } from '../notifications/notification-text.ts';

export const PERSONAL_EXPORT_QUEUE = 'personal-export';
export const EXPORT_CLEANUP_QUEUE = 'personal-export-cleanup';
/** How long a built export is kept (and its emailed link works). */
export const EXPORT_TTL_MS = 24 * 60 * 60 * 1000;
/** Stored and read back in chunks of this size: the zip is never whole in memory. */
const CHUNK_BYTES = 512 * 1024;
/** At most this many exports asked for per person per day (each reads all they wrote). */
const EXPORTS_PER_DAY = 5;

export interface ExportDeps {
  db: Db;
  queue?: JobQueue | undefined;
  now: () => Date;
}

export interface ExportJob {
  tenantId: string;
  exportId: string;
}

/**
 * Asks for an export of this cohort or of all the person's cohorts. Always built by the job, even for
 * a small cohort: one path to test, the request returns at once, and the job's retries cover a
 * failure mid-build; the row and the job are written in one transaction.
 */
export async function requestExport(deps: ExportDeps, who: LaunchContext, scope: 'cohort' | 'all'): Promise<string> {
  const queue = deps.queue;
  if (!queue) throw new AppError(503, 'exports-unavailable', msg('privacy.export.unavailable'));
  const now = deps.now();
  return deps.db.transaction().execute(async (tx) => {
    const recent = await exportsQ.listOwnExports(tx, who.tenantId, who.personId, now);
    if (recent.filter((e) => e.status !== 'failed' && now.getTime() - e.requestedAt.getTime() < 24 * 3600_000).length >= EXPORTS_PER_DAY) {
      throw new AppError(429, 'too-many-exports', msg('privacy.export.tooMany', { max: EXPORTS_PER_DAY }));
    }
    const id = await exportsQ.insertPersonalExport(tx, { tenantId: who.tenantId, personId: who.personId, cohortId: who.cohortId, scope, expiresAt: new Date(now.getTime() + EXPORT_TTL_MS) });
    await queue.sendInTransaction(tx, PERSONAL_EXPORT_QUEUE, { tenantId: who.tenantId, exportId: id } satisfies ExportJob);
    return id;
  });
}

/** The person's unexpired exports, newest first. */
export function listOwnExports(deps: ExportDeps, who: LaunchContext) {
  return exportsQ.listOwnExports(deps.db, who.tenantId, who.personId, deps.now());
}

/** The person's own ready, unexpired export, or 404 (another person's, another tenant's, expired). */
export async function openOwnExport(deps: ExportDeps, who: { tenantId: string; personId: string }, exportId: string): Promise<exportsQ.PersonalExportRow> {
  const e = await exportsQ.findOwnExport(deps.db, who.tenantId, who.personId, exportId);
  if (!e || e.status !== 'ready' || e.expiresAt.getTime() <= deps.now().getTime()) throw new NotFoundError('export');
  return e;
}

/** The export an emailed link names: 404 for a tampered link, 410 once it expired. */
export async function openExportByLink(deps: ExportDeps, token: string): Promise<exportsQ.PersonalExportRow> {
  const link = await verifyLink(deps.db, token, 'export-download', deps.now()).catch((err: unknown) => {
    if (err instanceof LinkEndedError) throw new AppError(410, 'export-expired', msg('privacy.export.expired'));
    throw err;
  });
  const e = await exportsQ.lockExport(deps.db, link.tenantId, link.subjectId);
  if (!e) throw new NotFoundError('export');
  return openOwnExport(deps, { tenantId: e.tenantId, personId: e.personId }, e.id);
}

/** Writes the zip's chunks to `out` one at a time, waiting for the reader (backpressure). */
export async function streamExport(db: Db, e: exportsQ.PersonalExportRow, out: NodeJS.WritableStream): Promise<void> {
  for (let seq = 0; ; seq += 1) {
    const chunk = await exportsQ.findExportChunk(db, e.tenantId, e.id, seq);
    if (!chunk) break;
    if (!out.write(chunk.data)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
  out.end();
}

export function exportFileName(e: exportsQ.PersonalExportRow): string {
  return `circlework-export-${e.requestedAt.toISOString().slice(0, 10)}.zip`;
}

/**
 * The job: gathers the person's data, streams the zip into chunk rows, marks it ready, all in one
 * transaction (a crash or retry leaves no half-built export), then emails the link when the LMS
 * shared an address. Idempotent: a ready export is left as it is.
 */
export async function buildExport(deps: { db: Db; workshop: Workshop; now: () => Date; email?: EmailDeps | undefined; mediaStorage?: MediaStorage | undefined }, job: ExportJob): Promise<'built' | 'skipped'> {
  const built = await deps.db.transaction().execute(async (tx) => {
    const e = await exportsQ.lockExport(tx, job.tenantId, job.exportId);
    if (!e || e.status !== 'queued') return undefined;
    // In the person's language: the Markdown files and the names of the unnamed.
    const locales = await findPersonLocales(tx, e.tenantId, e.personId);
    const i18n = i18nFor(locales ? (locales.locale ?? locales.launchLocale ?? locales.defaultLocale) : undefined);
    const data = await gatherExport({ db: deps.db, workshop: deps.workshop, now: deps.now, i18n }, e);
    await exportsQ.deleteExportChunks(tx, e.tenantId, e.id);
    // The person's own files, as they are stored (pictures re-encoded), under files/.
    const memberships = await exportsQ.listExportMemberships(deps.db, e.tenantId, e.personId, e.scope === 'cohort' ? e.cohortId : null);
    const storage = deps.mediaStorage ?? new PostgresMediaStorage(deps.db);
    const files = (await media.listOwnAttachments(deps.db, e.tenantId, memberships.map((m) => m.membershipId), e.personId)).map((a) => ({
      name: `files/${a.id.slice(0, 8)}-${a.fileName}`,
      listed: { path: `files/${a.id.slice(0, 8)}-${a.fileName}`, name: a.fileName, type: a.contentType, bytes: Number(a.sizeBytes), posted: a.postId !== null, profilePhoto: a.photoOf !== null, on: a.postId ? 'post' : a.photoOf ? 'profile photo' : a.responseId ? 'module activity' : a.checkInId ? 'check-in' : 'draft', uploadedAt: a.createdAt.toISOString() },
      open: () => storage.get({ tenantId: e.tenantId, attachmentId: a.id, variant: 'full' }),
    }));
    const listed = { ...data, files: files.map((f) => f.listed) };
    const size = await writeZip(tx, e, [...markdownFiles(data, deps.workshop, i18n), { name: 'data.json', text: JSON.stringify(listed, null, 2) + '\n' }], files);
    await exportsQ.markExportReady(tx, e.tenantId, e.id, size, deps.now());
    return { e, email: data.person.email, name: data.person.name, i18n };
  });
  if (!built) return 'skipped';
  if (built.email && deps.email) await emailExportLink(deps.email, deps.now(), built.e, built.email, built.name, built.i18n);
  return 'built';
}

async function writeZip(tx: Tx, e: exportsQ.PersonalExportRow, files: Array<{ name: string; text: string }>, binaries: Array<{ name: string; open: () => Promise<Readable> }> = []): Promise<number> {
  const zip = new ZipArchive({ zlib: { level: 6 } });
  let seq = 0;
  let size = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await exportsQ.insertExportChunk(tx, { tenantId: e.tenantId, exportId: e.id, seq: seq++, data });
  };
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      size += chunk.length;
      if (pendingBytes < CHUNK_BYTES) return done();
      flush().then(() => done(), done);
    },
    final(done) {
      flush().then(() => done(), done);
    },
  });
  const dated = { date: e.requestedAt };
  for (const f of files) zip.append(f.text, { name: `circlework-export/${f.name}`, ...dated });
  // Each file is opened only when the zip reaches it: one at a time, streamed, never whole.
  for (const b of binaries) zip.append(Readable.from((async function* () { yield* await b.open(); })()), { name: `circlework-export/${b.name}`, store: true, ...dated });
  const written = pipeline(zip, sink);
  await zip.finalize();
  await written;
  return size;
}

async function emailExportLink(deps: EmailDeps, now: Date, e: exportsQ.PersonalExportRow, to: string, name: string | null, i18n: I18n): Promise<void> {
  const link = await issueSignedLink(deps.db, { tenantId: e.tenantId, purpose: 'export-download', subjectId: e.id, cohortId: e.cohortId, singleUse: false, ttlMs: e.expiresAt.getTime() - now.getTime(), now });
  const who = { tenantId: e.tenantId, personId: e.personId };
  const preferencesUrl = deps.links.preferencesUrl(who);
  const href = new URL(`/privacy/exports/download?token=${encodeURIComponent(link.token)}`, deps.publicUrl).href;
  const email = composeEmail({
    subject: i18n.t('export.email.subject'),
    greeting: i18n.t('notifications.digest.greeting', { name: name ?? NO_NAME }),
    paragraphs: [i18n.t('export.email.ready'), i18n.t('export.email.until', { when: i18n.dateTime(e.expiresAt) })],
    action: { label: i18n.t('export.email.download'), href },
    reason: i18n.t('export.email.reason'),
    preferencesUrl,
  }, i18n);
  await deps.mailer.send({ to, ...email, preferencesUrl });
}

/** Registers the build worker and the hourly cleanup of expired exports. */
export async function registerPersonalExports(
  queue: JobQueue,
  deps: { db: Db; workshop: Workshop; now?: () => Date; email?: EmailDeps; mediaStorage?: MediaStorage },
  opts: { pollingIntervalSeconds?: number; retryLimit?: number; retryDelaySeconds?: number } = {},
): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const polling = opts.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {};
  const delay = opts.retryDelaySeconds ?? 30;
  const retry = { retryLimit: opts.retryLimit ?? 3, retryDelay: delay, retryBackoff: delay > 0 };
  await queue.boss.createQueue(PERSONAL_EXPORT_QUEUE, retry);
  // createQueue keeps an existing queue as it was: the settings follow the code at every start.
  await queue.boss.updateQueue(PERSONAL_EXPORT_QUEUE, retry);
  const work = { ...polling, includeMetadata: true } as const;
  await queue.boss.work<ExportJob, void, typeof work>(PERSONAL_EXPORT_QUEUE, work, async (jobs) => {
    for (const job of jobs) {
      try {
        await buildExport({ ...deps, now }, job.data);
      } catch (err) {
        // The last attempt failed: the person sees "could not be prepared; ask again", not "being
        // prepared" for ever (and may ask again: a failed export does not count towards the day's).
        if (job.retryCount >= job.retryLimit) await exportsQ.markExportFailed(deps.db, job.data.tenantId, job.data.exportId);
        throw err;
      }
    }
  });
  await queue.boss.createQueue(EXPORT_CLEANUP_QUEUE);
  await queue.boss.schedule(EXPORT_CLEANUP_QUEUE, '17 * * * *');
  await queue.boss.work(EXPORT_CLEANUP_QUEUE, polling, async () => {
    await exportsQ.deleteExpiredExports(deps.db, now());
  });
}
