// Reading a form that may carry files (multipart/form-data), streamed with busboy: its fields are
// collected, each file is handed to `store` as it arrives and never held whole. The CSRF middleware
// cannot read such a body, so it lets these requests through (isMultipartUpload) and the token is
// checked here, from the fields sent before the first file (our forms put `_csrf` first): no byte of
// a file is stored for a request without a valid token.
import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import { isCsrfTokenValid, issueCsrfToken } from '../http/csrf.ts';
import { FileTooLargeError } from './media.service.ts';

/** The routes that take files. Every other multipart request meets the ordinary CSRF check (and fails it). */
const UPLOAD_PATHS = [
  /^\/cohorts\/[0-9a-f-]{36}\/spaces\/[0-9a-f-]{36}\/threads$/,
  /^\/cohorts\/[0-9a-f-]{36}\/threads\/[0-9a-f-]{36}\/posts$/,
  /^\/cohorts\/[0-9a-f-]{36}\/media$/,
  /^\/cohorts\/[0-9a-f-]{36}\/profile\/photo$/,
  /^\/cohorts\/[0-9a-f-]{36}\/modules\/[1-9]\/activities\/[a-z0-9-]{1,64}$/,
  /^\/cohorts\/[0-9a-f-]{36}\/action-plan\/check-ins\/\d{1,2}$/,
  /^\/editions\/import$/,
];

export function isMultipartUpload(req: Request): boolean {
  return req.method === 'POST' && Boolean(req.is('multipart/form-data')) && UPLOAD_PATHS.some((p) => p.test(req.path));
}

/**
 * Rate limits for a form that may carry files (an activity, a check-in): a save sent with its files
 * (multipart) counts, as a post does; a plain save of typed text does not.
 */
export function countingUploads(limits: RequestHandler[]): RequestHandler[] {
  return limits.map((limit): RequestHandler => (req, res, next) => (req.is('multipart/form-data') ? limit(req, res, next) : next()));
}

export interface UploadedForm<T> {
  fields: Record<string, string | string[]>;
  stored: T[];
  /** The first file refused (too large, a type we do not take); the others and the fields still arrive. */
  refused?: AppError;
}

/**
 * The form's fields and what `store` made of each file. A plain form (no files) passes its parsed
 * body through. Files past `maxFiles` are refused.
 */
export async function readUploadForm<T>(req: Request, res: Response, opts: { maxFileBytes: number; maxFiles: number; store: (file: Readable, fileName: string) => Promise<T> }): Promise<UploadedForm<T>> {
  if (!req.is('multipart/form-data')) return { fields: (req.body ?? {}) as Record<string, string>, stored: [] };
  const fields: Record<string, string | string[]> = {};
  const stored: T[] = [];
  let refused: AppError | undefined;
  let checked = false;
  /** Whether the token sent so far is good; the first time, a good one gives the page a new token. */
  const tokenValid = (): boolean => {
    if (checked) return true;
    req.body = fields;
    if (!isCsrfTokenValid(req)) return false;
    checked = true;
    issueCsrfToken(req, res);
    return true;
  };
  // Refused as the CSRF middleware refuses: what was typed (the fields sent before the first file)
  // is kept as a draft when the form came from our own page.
  // Once per request: the file's refusal and the end of the form may both ask, and a second keeping
  // of the same draft would say it was not kept.
  let csrfRefusal: Promise<AppError> | undefined;
  const refusal = (): Promise<AppError> =>
    (csrfRefusal ??= (res.locals.refuseCsrf as (() => Promise<AppError>) | undefined)?.() ?? Promise.resolve(new AppError(403, 'csrf', msg('media.errors.csrf'))));
  // Each file's storing, never rejecting (an unexpected failure is kept for after the form is read:
  // a rejection nobody awaits yet would end the process).
  const pending: Array<Promise<void>> = [];
  const open = new Set<PassThrough>();
  let failure: unknown;
  let files = 0;
  await new Promise<void>((resolve, reject) => {
    // A file one byte past the largest cap is enough to know it is too large: busboy drops the rest.
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: opts.maxFileBytes + 1, files: opts.maxFiles + 1, fields: 50, fieldSize: 100 * 1024 } });
    } catch {
      return reject(new AppError(400, 'bad-form', msg('media.errors.badForm')));
    }
    bb.on('field', (name, value) => {
      const v = value.replaceAll('\u0000', '');
      const had = fields[name];
      fields[name] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    });
    bb.on('file', (_name, file, info) => {
      // An empty file input sends a part with no name and no bytes.
      if (!info.filename) return void file.resume();
      if (!tokenValid()) {
        file.resume();
        return void refusal().then(reject);
      }
      if (++files > opts.maxFiles) {
        refused ??= new FileTooLargeError(msg('media.errors.tooManyFiles', { max: opts.maxFiles }));
        return void file.resume();
      }
      const src = detach(file);
      open.add(src);
      pending.push(
        opts.store(src, info.filename).then(
          (t) => void stored.push(t),
          (err: unknown) => {
            if (err instanceof AppError && err.status < 500) refused ??= err;
            else failure ??= err;
          },
        ).finally(() => {
          open.delete(src);
          src.destroy();
        }),
      );
    });
    // A form cut short (the browser gone, a broken body): the files on their way fail, so nothing half-sent is kept.
    const cutShort = (err: Error) => {
      for (const src of open) src.destroy(err);
      reject(new AppError(400, 'upload-cut-short', msg('media.errors.cutShort')));
    };
    bb.on('error', cutShort);
    req.on('close', () => {
      if (!req.complete) cutShort(new Error('the request ended before its body did'));
    });
    bb.on('close', () => resolve());
    req.pipe(bb);
  });
  await Promise.all(pending);
  if (failure) throw failure;
  if (!tokenValid()) throw await refusal();
  return { fields, stored, ...(refused ? { refused } : {}) };
}

/**
 * A stream of the file's bytes that its reader may give up on (destroy) without stalling busboy:
 * busboy's own file stream must be read to its end for the rest of the form to arrive.
 */
function detach(file: Readable): PassThrough {
  const src = new PassThrough();
  file.on('data', (chunk: Buffer) => {
    if (src.destroyed) return;
    if (!src.write(chunk)) file.pause();
  });
  src.on('drain', () => file.resume());
  src.on('close', () => file.resume());
  file.on('end', () => src.end());
  file.on('error', (err: Error) => src.destroy(err));
  return src;
}
