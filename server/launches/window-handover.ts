// Opening Circlework in a new window when the LMS frame keeps no cookie at all: the verified launch
// is handed over by a one-use token that lives two minutes. The token is 32 random bytes plus our
// HMAC of them (refused before any database lookup when forged); only its SHA-256 is stored.
import crypto from 'node:crypto';
import type { Db } from '../../models/db.ts';
import * as handovers from '../../models/launch-handovers.queries.ts';
import { AppError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import type { LaunchContext } from '../launch-context.ts';

export const HANDOVER_TTL_MS = 2 * 60_000;
const TOKEN = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

export interface HandoverDeps {
  db: Db;
  ltiEncryptionKey: string;
}

function signature(deps: HandoverDeps, secret: Buffer): Buffer {
  const key = crypto.createHmac('sha256', deps.ltiEncryptionKey).update('circlework launch hand-over').digest();
  return crypto.createHmac('sha256', key).update(secret).digest();
}

const hash = (secret: Buffer): Buffer => crypto.createHash('sha256').update(secret).digest();

export async function issueHandover(deps: HandoverDeps, launch: LaunchContext, returnTo: string, now = new Date()): Promise<string> {
  const secret = crypto.randomBytes(32);
  await handovers.insertLaunchHandover(deps.db, { tokenHash: hash(secret), launch, returnTo, expiresAt: new Date(now.getTime() + HANDOVER_TTL_MS) });
  return `${secret.toString('base64url')}.${signature(deps, secret).toString('base64url')}`;
}

/** The launch a hand-over grants, once: forged → 400; used or expired → 410. */
export async function takeHandover(deps: HandoverDeps, token: string, now = new Date()): Promise<{ launch: LaunchContext; returnTo: string }> {
  const m = TOKEN.exec(token);
  const secret = m ? Buffer.from(m[1]!, 'base64url') : undefined;
  const given = m ? Buffer.from(m[2]!, 'base64url') : undefined;
  if (!secret || !given || given.length !== 32 || !crypto.timingSafeEqual(given, signature(deps, secret))) {
    throw new AppError(400, 'handover-invalid', msg('lti.handover.invalid'));
  }
  const row = await handovers.takeLaunchHandover(deps.db, hash(secret), now);
  if (!row) {
    throw new AppError(410, 'handover-ended', msg('lti.handover.ended'));
  }
  return row;
}
