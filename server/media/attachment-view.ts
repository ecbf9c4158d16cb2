// How an attachment shows in a post and in a form: a picture as a thumbnail linking to its full
// size, a video playing inline, a document as a named link with its size and type.
import type { PostAttachmentRow } from '../../models/media.queries.ts';
import type { AttachmentKind } from '../../models/schema.ts';
import type { I18n } from '../i18n/i18n.ts';

export type { PostAttachmentRow };

// Each type's name in the catalogs (locales/*/media.json): brands stay as they are, the rest is worded.
const TYPE_KEYS: Record<string, string> = {
  'application/pdf': 'media.type.pdf',
  'application/rtf': 'media.type.rtf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'media.type.word',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'media.type.excel',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'media.type.powerpoint',
  'application/vnd.oasis.opendocument.text': 'media.type.odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'media.type.ods',
  'application/vnd.oasis.opendocument.presentation': 'media.type.odp',
  'application/x-cfb': 'media.type.office97',
  'video/mp4': 'media.type.mp4',
  'video/x-m4v': 'media.type.mp4',
  'video/webm': 'media.type.webm',
  'video/quicktime': 'media.type.quicktime',
  'image/webp': 'media.type.picture',
};

/** A file's size as its reader reads it ("2.1 MB", « 2,1 Mo »). */
export function sizeLabel(bytes: number, i18n: I18n): string {
  if (bytes < 1024) return i18n.t('media.size.bytes', { n: bytes });
  if (bytes < 1024 * 1024) return i18n.t('media.size.kb', { n: Math.round(bytes / 1024) });
  return i18n.t('media.size.mb', { n: Math.round((bytes / 1024 / 1024) * 10) / 10 });
}

export function typeKey(contentType: string): string {
  const bare = contentType.split(';')[0]!.trim();
  return TYPE_KEYS[bare] ?? (bare.startsWith('text/') ? 'media.type.text' : 'media.type.file');
}

export function typeLabel(contentType: string, i18n: I18n): string {
  return i18n.t(typeKey(contentType));
}

/** The address of one variant; the content hash makes it change with the bytes (it never does under one id). */
export function mediaHref(cohortId: string, id: string, variant: 'full' | 'thumb', hash: string | null): string {
  return `/cohorts/${cohortId}/media/${id}/${variant}${hash ? `?v=${hash.slice(0, 16)}` : ''}`;
}

/** One attachment of a post, for partials/attachments.hbs (`hrefOf`: its address elsewhere than the cohort's media route). */
export function attachmentView(who: { cohortId: string; role: string }, a: PostAttachmentRow, hrefOf: (variant: 'full' | 'thumb') => string = (variant) => mediaHref(who.cohortId, a.id, variant, a.contentHash)) {
  const size = Number(a.sizeBytes);
  return {
    id: a.id,
    name: a.fileName,
    isImage: a.kind === 'image',
    isVideo: a.kind === 'video',
    isDocument: a.kind === 'document',
    href: hrefOf('full'),
    thumbHref: a.kind === 'image' ? hrefOf('thumb') : undefined,
    // The video's own type, so the browser can tell whether it plays it before fetching it.
    videoType: a.kind === 'video' ? a.contentType : undefined,
    width: a.width,
    height: a.height,
    // Worded by the template, in its reader's language ({{localFileSize}}, the type's key).
    sizeBytes: size,
    typeKey: typeKey(a.contentType),
    hidden: a.hiddenAt !== null,
    moderate: who.role === 'facilitator' ? `/cohorts/${who.cohortId}/console/moderation/attachments/${a.id}` : undefined,
  };
}

/** What a post form's file picker shows: the pending files of its draft, and what it accepts. */
export function attachmentPickerView(pending: Array<{ id: string; fileName: string; sizeBytes: string; contentType: string }>, maxBytes: Record<AttachmentKind, number>) {
  return {
    pending: pending.map((a) => ({ id: a.id, name: a.fileName, sizeBytes: Number(a.sizeBytes), typeKey: typeKey(a.contentType) })),
    accept: 'image/jpeg,image/png,image/webp,image/gif,image/heic,image/heif,.heic,.pdf,.rtf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.txt,.md,.csv,video/mp4,video/webm,video/quicktime',
    maxBytes,
  };
}
