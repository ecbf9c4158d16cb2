// How an attachment shows in a post and in a form: a picture as a thumbnail linking to its full
// size, a video playing inline, a document as a named link with its size and type.
import type { PostAttachmentRow } from '../../models/media.queries.ts';
import type { AttachmentKind } from '../../models/schema.ts';

export type { PostAttachmentRow };


const TYPE_LABELS: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/rtf': 'RTF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint',
  'application/vnd.oasis.opendocument.text': 'OpenDocument text',
  'application/vnd.oasis.opendocument.spreadsheet': 'OpenDocument spreadsheet',
  'application/vnd.oasis.opendocument.presentation': 'OpenDocument presentation',
  'application/x-cfb': 'Office (97–2003)',
  'video/mp4': 'MP4 video',
  'video/x-m4v': 'MP4 video',
  'video/webm': 'WebM video',
  'video/quicktime': 'QuickTime video',
  'image/webp': 'picture',
};

export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function typeLabel(contentType: string): string {
  const bare = contentType.split(';')[0]!.trim();
  return TYPE_LABELS[bare] ?? (bare.startsWith('text/') ? 'text' : 'file');
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
    size: sizeLabel(size),
    type: typeLabel(a.contentType),
    hidden: a.hiddenAt !== null,
    moderate: who.role === 'facilitator' ? `/cohorts/${who.cohortId}/console/moderation/attachments/${a.id}` : undefined,
  };
}

/** What a post form's file picker shows: the pending files of its draft, and what it accepts. */
export function attachmentPickerView(pending: Array<{ id: string; fileName: string; sizeBytes: string; contentType: string }>, maxBytes: Record<AttachmentKind, number>) {
  const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
  return {
    pending: pending.map((a) => ({ id: a.id, name: a.fileName, size: sizeLabel(Number(a.sizeBytes)), type: typeLabel(a.contentType) })),
    accept: 'image/jpeg,image/png,image/webp,image/gif,image/heic,image/heif,.heic,.pdf,.rtf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.txt,.md,.csv,video/mp4,video/webm,video/quicktime',
    hint: `Pictures up to ${mb(maxBytes.image)}, documents up to ${mb(maxBytes.document)}, videos up to ${mb(maxBytes.video)}. Pictures are resized, and their location and camera details removed.`,
  };
}
