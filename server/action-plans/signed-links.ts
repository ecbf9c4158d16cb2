// Single-purpose links for email (sign-in after the course, a manager's view of a plan): a token of
// 32 random bytes, of which only the SHA-256 is stored with its purpose, subject, expiry and whether
// it is single-use; revocable by subject. The tenant id rides in the token so the lookup is scoped.
import crypto from 'node:crypto';
import type { Executor } from '../../models/db.ts';
import * as links from '../../models/signed-links.queries.ts';
import type { SignedLinkPurpose } from '../../models/schema.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';

const TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export interface IssuedLink {
  id: string;
  token: string;
}

export async function issueSignedLink(
  ex: Executor,
  l: { tenantId: string; purpose: SignedLinkPurpose; subjectId: string; cohortId: string; singleUse: boolean; ttlMs: number; now: Date; returnTo?: string },
): Promise<IssuedLink> {
  const secret = crypto.randomBytes(32);
  const id = await links.insertSignedLink(ex, {
    tenantId: l.tenantId,
    purpose: l.purpose,
    subjectId: l.subjectId,
    cohortId: l.cohortId,
    tokenHash: crypto.createHash('sha256').update(secret).digest(),
    singleUse: l.singleUse,
    returnTo: l.returnTo ?? null,
    expiresAt: new Date(l.now.getTime() + l.ttlMs),
  });
  return { id, token: `${l.tenantId}.${secret.toString('base64url')}` };
}

/** Why a known link no longer works: the page offers a new one when `renewable`. */
export class LinkEndedError extends AppError {
  readonly reason: 'expired' | 'used' | 'revoked';
  readonly link: links.SignedLinkRow;
  readonly token: string;
  constructor(reason: 'expired' | 'used' | 'revoked', link: links.SignedLinkRow, token: string) {
    super(410, `link-${reason}`, msg('plans.link.ended', { reason }));
    this.reason = reason;
    this.link = link;
    this.token = token;
  }
  get renewable(): boolean {
    return this.reason !== 'revoked';
  }
}

/** The stored link a token names, whatever its state; undefined for anything we did not issue. */
export async function findLink(ex: Executor, token: string, purpose: SignedLinkPurpose): Promise<links.SignedLinkRow | undefined> {
  const m = TOKEN.exec(token);
  if (!m) return undefined;
  const secret = Buffer.from(m[2]!, 'base64url');
  if (secret.length !== 32) return undefined;
  const row = await links.findSignedLinkByHash(ex, m[1]!, crypto.createHash('sha256').update(secret).digest());
  return row && row.purpose === purpose ? row : undefined;
}

/**
 * A usable link for `purpose`: unknown or tampered → 404; revoked, expired, or (single-use) used →
 * LinkEndedError (410). With `consume`, a single-use link is marked used in `ex`'s transaction.
 */
export async function verifyLink(ex: Executor, token: string, purpose: SignedLinkPurpose, now: Date, opts: { consume?: boolean } = {}): Promise<links.SignedLinkRow> {
  const row = await findLink(ex, token, purpose);
  if (!row) throw new NotFoundError('link (it may have been copied incompletely)');
  if (row.revokedAt) throw new LinkEndedError('revoked', row, token);
  if (row.singleUse && row.usedAt) throw new LinkEndedError('used', row, token);
  if (row.expiresAt.getTime() <= now.getTime()) throw new LinkEndedError('expired', row, token);
  if (opts.consume && row.singleUse && !(await links.markSignedLinkUsed(ex, row.tenantId, row.id, now))) throw new LinkEndedError('used', row, token);
  return row;
}

export const revokeLinksOf = links.revokeSignedLinksOf;
