// The edition import's upload (multipart/form-data with one zip): read whole (it is small) before the
// CSRF check, which then finds `_csrf` among the fields as for any form. Node's own fetch Request
// parses the multipart body; nothing else here is trusted until the CSRF check and the route pass.
import express, { type RequestHandler } from 'express';
import { AppError } from '../errors.ts';
import { MAX_ZIP_BYTES } from './edition-files.ts';

export const EDITION_IMPORT_PATH = '/editions/import';

export function editionUploadParser(): RequestHandler[] {
  return [
    express.raw({ type: 'multipart/form-data', limit: MAX_ZIP_BYTES + 64 * 1024 }),
    async (req, res, next) => {
      if (!Buffer.isBuffer(req.body)) return next();
      let form: FormData;
      try {
        form = await new Request('http://upload.invalid/', { method: 'POST', headers: { 'content-type': req.get('content-type') ?? '' }, body: new Uint8Array(req.body) }).formData();
      } catch {
        return next(new AppError(400, 'bad-upload', 'The upload could not be read. Choose the zip again and upload it.'));
      }
      const fields: Record<string, string> = {};
      for (const [k, v] of form) {
        if (typeof v === 'string') fields[k] = v;
        else if (k === 'zip' && v.size > 0) res.locals.editionZip = Buffer.from(await v.arrayBuffer());
      }
      req.body = fields;
      next();
    },
  ];
}
