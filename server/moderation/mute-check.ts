// The check every posting path makes: a muted member can read but not post. Kept apart from the
// moderation services so the discussions service can use it without importing them.
import type { Db } from '../../models/db.ts';
import { findActiveMute } from '../../models/moderation.queries.ts';
import { ForbiddenError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import { msg } from '../i18n/i18n.ts';

/** A mute's end as pages show it: `2026-12-04 10:42` (UTC), or null when it lasts until unmuted. */
export function untilText(until: Date | null): string | null {
  return until ? until.toISOString().slice(0, 16).replace('T', ' ') : null;
}

/** Throws 403 with a message saying until when, when the person is muted in this cohort. */
export async function assertNotMuted(deps: { db: Db }, who: LaunchContext): Promise<void> {
  const mute = await findActiveMute(deps.db, who.tenantId, who.membershipId);
  const until = untilText(mute?.until ?? null);
  if (mute) throw new ForbiddenError('muted', until ? msg('moderation.muted.until', { until }) : msg('moderation.muted.untilUnmuted'));
}
