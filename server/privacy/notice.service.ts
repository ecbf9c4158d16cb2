// The privacy notice per tenant: the tool admin's own text (Markdown, rendered and sanitised like a
// post at write time) or the default. Only the session's own tenant's notice is shown to a member.
import type { Db } from '../../models/db.ts';
import * as notices from '../../models/privacy-notices.queries.ts';
import { renderPost } from '../discussions/post-rendering.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import { DEFAULT_NOTICE } from './notice-default.ts';

export const NOTICE_MAX = 20_000;
let defaultHtml: string | undefined;

/** The notice for a tenant (undefined: no launch in this session, so the default). */
export async function openPrivacyNotice(db: Db, tenantId: string | undefined): Promise<{ html: string; custom: boolean; updatedAt?: Date }> {
  const own = tenantId ? await notices.findPrivacyNotice(db, tenantId) : undefined;
  if (own) return { html: own.bodyHtml, custom: true, updatedAt: own.updatedAt };
  defaultHtml ??= renderPost(DEFAULT_NOTICE).html;
  return { html: defaultHtml, custom: false };
}

export async function openNoticeForEdit(db: Db, tenantId: string) {
  const tenant = await notices.findNoticeTenant(db, tenantId);
  if (!tenant) throw new NotFoundError('deployment');
  const own = await notices.findPrivacyNotice(db, tenantId);
  return { tenant, source: own?.bodySource ?? DEFAULT_NOTICE, custom: Boolean(own) };
}

/** Saves the admin's text; an empty text (or the default itself) goes back to the default. */
export async function savePrivacyNotice(db: Db, tenantId: string, source: string): Promise<void> {
  if (!(await notices.findNoticeTenant(db, tenantId))) throw new NotFoundError('deployment');
  const text = source.replace(/\r\n/g, '\n').trim();
  if (text.length > NOTICE_MAX) throw new ValidationError(msg('privacy.notice.tooLong', { max: NOTICE_MAX }), { body: msg('privacy.notice.tooLongField', { max: NOTICE_MAX }) });
  if (!text || text === DEFAULT_NOTICE.trim()) return notices.deletePrivacyNotice(db, tenantId);
  await notices.upsertPrivacyNotice(db, { tenantId, bodySource: text, bodyHtml: renderPost(text).html });
}
