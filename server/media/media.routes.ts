// A file's address, behind exactly its post's access check, and the composer's upload (a script
// sends each file as it is picked, pasted or dropped, and shows its progress).
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireLaunch } from '../http/auth.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import type { DraftTarget } from '../../models/post-drafts.queries.ts';
import * as discussions from '../discussions/discussions.service.ts';
import { findVisibleAttachment, readAttachment, setAttachmentHidden, storeUpload, type MediaDeps } from './media.service.ts';
import { postHref } from '../discussions/post-links.ts';
import { readUploadForm } from './upload-form.ts';
import { sizeLabel, typeLabel } from './attachment-view.ts';
import { createPostingLimits } from '../discussions/discussions.routes.ts';
import { withEmailSignIn } from '../action-plans/email-sign-in.ts';
import type { AttachmentAccessRow } from '../../models/media.queries.ts';

const FileParams = z.object({ cohortId: z.uuid(), attachmentId: z.uuid(), variant: z.enum(['full', 'thumb']) });
const AttachmentParams = z.object({ cohortId: z.uuid(), attachmentId: z.uuid() });
const UploadQuery = z.object({ target: z.string().regex(/^(space|thread):[0-9a-f-]{36}$/).transform((t) => t as DraftTarget) });
const YEAR_SECONDS = 365 * 24 * 3600;

/** Types a browser may show inline (our re-encoded pictures, videos); anything else is a download. */
const INLINE = /^(image\/webp|video\/(mp4|x-m4v|webm|quicktime))$/;

export function mediaRouter(deps: MediaDeps): Router {
  const r = Router();
  const member = requireLaunch(deps.db);
  const postingLimits = createPostingLimits(deps.db);

  // A session signed in by an emailed link (after the course) reaches the files of check-ins only.
  r.get('/:cohortId/media/:attachmentId/:variant', withEmailSignIn, member, async (req, res) => {
    const { attachmentId, variant } = FileParams.parse(req.params);
    const who = req.launch!;
    const a = await findVisibleAttachment(deps, who, attachmentId, { checkInsOnly: res.locals.emailSession !== undefined });
    await sendAttachment(req, res, deps, who.tenantId, a, variant);
  });

  // The composer's upload of one file for a form (target): JSON, the CSRF token in a header.
  r.post('/:cohortId/media', member, ...postingLimits, async (req, res) => {
    const { target } = UploadQuery.parse(req.query);
    const who = req.launch!;
    await discussions.assertCanPostTo(deps, who, target);
    const upload = await readUploadForm(req, res, { maxFileBytes: Math.max(...Object.values(deps.limits.maxBytes)), maxFiles: 1, store: (file, name) => storeUpload(deps, who, target, file, name) });
    if (upload.refused) throw upload.refused;
    const a = upload.stored[0];
    if (!a) throw new AppError(400, 'no-file', msg('media.errors.noFile'));
    res.status(201).json({ id: a.id, name: a.fileName, kind: a.kind, size: sizeLabel(Number(a.sizeBytes), req.i18n!), type: typeLabel(a.contentType, req.i18n!) });
  });

  // A facilitator hides one file of a post (the buttons beside it on the thread page), or shows it again.
  const facilitator = requireLaunch(deps.db, 'facilitator');
  for (const change of ['hide', 'show'] as const) {
    r.post(`/:cohortId/console/moderation/attachments/:attachmentId/${change}`, facilitator, async (req, res) => {
      const { attachmentId } = AttachmentParams.parse(req.params);
      const at = await setAttachmentHidden(deps, req.launch!, attachmentId, change === 'hide');
      res.redirect(303, postHref(req.launch!.cohortId, at.threadId, at.postId));
    });
  }

  return r;
}

/** One variant of an attachment already checked for its reader: caching headers, 304, one range, the bytes. */
export async function sendAttachment(req: Request, res: Response, deps: MediaDeps, tenantId: string, a: AttachmentAccessRow, variant: 'full' | 'thumb'): Promise<void> {
  const size = Number(variant === 'thumb' ? a.thumbSizeBytes : a.sizeBytes);
  if (variant === 'thumb' && a.thumbSizeBytes === null) throw new NotFoundError('file');
  const etag = `"${a.contentHash}-${variant}"`;
  res.set({
    // The bytes under an id never change: a browser keeps them for a year, for this person only.
    'Cache-Control': `private, max-age=${YEAR_SECONDS}, immutable`,
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
    'Accept-Ranges': 'bytes',
    'Content-Type': INLINE.test(a.contentType) ? a.contentType : a.contentType.startsWith('text/') ? 'text/plain; charset=utf-8' : a.contentType,
    'Content-Disposition': contentDisposition(INLINE.test(a.contentType) ? 'inline' : 'attachment', a.fileName),
    // Nothing a file holds may run as a page of ours, even opened on its own.
    'Content-Security-Policy': "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
  });
  if (req.fresh) return void res.status(304).end();
  const ranges = req.range(size, { combine: true });
  if (ranges === -1) return void res.status(416).set('Content-Range', `bytes */${size}`).end();
  // One range is served as asked (seeking in a video); several, or none, get the whole file.
  const range = Array.isArray(ranges) && ranges.length === 1 ? ranges[0]! : undefined;
  if (range) res.status(206).set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  res.set('Content-Length', String(range ? range.end - range.start + 1 : size));
  if (req.method === 'HEAD') return void res.end();
  const body = await readAttachment(deps, { tenantId }, a, variant, range);
  body.on('error', (err) => res.destroy(err));
  body.pipe(res);
}

/** RFC 6266: a plain ASCII fallback and the UTF-8 name. */
function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
