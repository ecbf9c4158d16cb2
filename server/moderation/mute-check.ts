// The check every posting path makes: a muted member can read but not post. Kept apart from the
// moderation services so the discussions service can use it without importing them.
import type { Db } from '../../models/db.ts';
import { findActiveMute } from '../../models/moderation.queries.ts';
import { ForbiddenError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';

export function untilText(until: Date | null): string {
  return until ? `until ${until.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'until a facilitator unmutes you';
}

/** Throws 403 with a message saying until when, when the person is muted in this cohort. */
export async function assertNotMuted(deps: { db: Db }, who: LaunchContext): Promise<void> {
  const mute = await findActiveMute(deps.db, who.tenantId, who.membershipId);
  if (mute) throw new ForbiddenError('muted', `A facilitator has muted you in this cohort ${untilText(mute.until)}. You can still read everything, but you cannot post, reply, edit or give kudos until then.`);
}
