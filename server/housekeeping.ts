// Deletes what has expired: ltijs's short-lived documents and unused OIDC logins. Started at boot,
// stopped at shutdown; safe to run in every app process at once.
import type { Logger } from 'pino';
import type { Db } from '../models/db.ts';
import { deleteExpiredLtiDocuments } from '../models/lti-documents.queries.ts';
import { deleteExpiredLtiLogins } from '../models/lti-logins.queries.ts';
import { deleteExpiredLaunchHandovers } from '../models/launch-handovers.queries.ts';
import { deleteExpiredRateLimits } from '../models/rate-limits.queries.ts';
import { LTI_DOCUMENT_TTL } from '../lti/ltijs-postgres-plugin.ts';

export async function deleteExpiredRecords(db: Db): Promise<number> {
  let n = await deleteExpiredLtiLogins(db, 3600);
  n += await deleteExpiredRateLimits(db);
  n += await deleteExpiredLaunchHandovers(db, new Date());
  for (const [collection, ttl] of Object.entries(LTI_DOCUMENT_TTL)) n += await deleteExpiredLtiDocuments(db, collection, ttl);
  return n;
}

export function startHousekeeping(db: Db, log: Logger, everyMs = 15 * 60_000): { stop(): void } {
  const run = () =>
    deleteExpiredRecords(db)
      .then((n) => n > 0 && log.info(`housekeeping removed ${n} expired records`))
      .catch((err) => log.warn({ err }, 'housekeeping failed'));
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
