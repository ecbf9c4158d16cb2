// Which files Circlework takes, decided from their first bytes (magic numbers, with `file-type`),
// never from the name or the browser's Content-Type. Each accepted type has a kind (its size cap,
// how it is shown) and the Content-Type it is served with.
import { fileTypeFromBuffer } from 'file-type';
import type { AttachmentKind } from '../../models/schema.ts';

export interface MediaType {
  kind: AttachmentKind;
  contentType: string;
}

const ACCEPTED: Record<string, AttachmentKind> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'image/webp': 'image',
  'image/gif': 'image',
  'image/heic': 'image',
  'image/heif': 'image',
  'application/pdf': 'document',
  'application/rtf': 'document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'document',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'document',
  'application/vnd.oasis.opendocument.text': 'document',
  'application/vnd.oasis.opendocument.spreadsheet': 'document',
  'application/vnd.oasis.opendocument.presentation': 'document',
  // Word, Excel and PowerPoint before 2007 (one container format for the three).
  'application/x-cfb': 'document',
  'video/mp4': 'video',
  'video/x-m4v': 'video',
  'video/webm': 'video',
  'video/quicktime': 'video',
};

/** Text has no magic number: a name ending so, and a beginning that is UTF-8 without control bytes. */
const TEXT_EXTENSIONS: Record<string, string> = { txt: 'text/plain', md: 'text/markdown', csv: 'text/csv' };

/** Bytes read from the start of a file to decide its type. */
export const SNIFF_BYTES = 64 * 1024;

/** The file's type from its first bytes (`head`); undefined when it is not one we take. */
export async function detectMediaType(head: Buffer, fileName: string, complete: boolean): Promise<MediaType | undefined> {
  const found = await fileTypeFromBuffer(head);
  if (found) {
    const kind = ACCEPTED[found.mime];
    return kind ? { kind, contentType: found.mime } : undefined;
  }
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
  const textType = TEXT_EXTENSIONS[ext];
  if (!textType || !looksLikeText(head, complete)) return undefined;
  return { kind: 'document', contentType: `${textType}; charset=utf-8` };
}

function looksLikeText(head: Buffer, complete: boolean): boolean {
  // A multi-byte character cut at the end of the sample is not an error.
  const sample = complete ? head : head.subarray(0, Math.max(0, head.length - 3));
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001f]/.test(sample.toString('latin1'))) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample);
    return true;
  } catch {
    return false;
  }
}

/** A file name safe to store and show: no folders, no control characters, at most 200 characters. */
export function cleanFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  return (base || 'file').slice(-200);
}
