// Deletes what has expired: ltijs's short-lived documents and unused OIDC logins. Started at boot,
// stopped at shutdown; safe to run in every app process at once.
import type { Logger } from 'pino';
import type { Db } from '../models/db.ts';
import { deleteExpiredLtiDocuments } from '../models/lti-documents.queries.ts';
import { deleteExpiredLtiLogins } from '../models/lti-logins.queries.ts';
import { deleteExpiredLaunchHandovers } from '../models/launch-handovers.queries.ts';
import { deleteExpiredRateLimits } from '../models/rate-limits.queries.ts';
import { LTI_DOCUMENT_TTL } from '../lti/ltijs-postgres-plugin.ts';
import { deleteAbandonedAttachments } from '../models/media.queries.ts';
import { sweepMediaDeletions } from './media/media.service.ts';
import type { MediaStorage } from './media/storage.ts';

/** A file uploaded for a post that was never written is kept with its draft this long. */
const ABANDONED_ATTACHMENT_MS = 7 * 24 * 3600_000;

export async function deleteExpiredRecords(db: Db, media?: MediaStorage): Promise<number> {
  let n = await deleteExpiredLtiLogins(db, 3600);
  n += await deleteExpiredRateLimits(db);
  n += await deleteExpiredLaunchHandovers(db, new Date());
  for (const [collection, ttl] of Object.entries(LTI_DOCUMENT_TTL)) n += await deleteExpiredLtiDocuments(db, collection, ttl);
  n += await deleteAbandonedAttachments(db, new Date(Date.now() - ABANDONED_ATTACHMENT_MS), new Date(Date.now() - 24 * 3600_000));
  // Deleted attachments' objects in the store (an object store: no cascade reaches it).
  if (media) n += await sweepMediaDeletions({ db, storage: media });
  return n;
}

export function startHousekeeping(db: Db, log: Logger, everyMs = 15 * 60_000, media?: MediaStorage): { stop(): void } {
  const run = () =>
    deleteExpiredRecords(db, media)
      .then((n) => n > 0 && log.info(`housekeeping removed ${n} expired records`))
      .catch((err) => log.warn({ err }, 'housekeeping failed'));
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
