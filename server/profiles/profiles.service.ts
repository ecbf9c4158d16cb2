// Profiles (skills, interests, what I can help with) and the expert finder. A profile belongs to the
// person, across their cohorts in the tenant. Knows nothing of HTTP.
import { msg } from '../i18n/i18n.ts';
import { QUERY_MAX } from './profiles.schemas.ts';
import type { Db } from '../../models/db.ts';
import * as profiles from '../../models/profiles.queries.ts';
import { findProfilePhoto } from '../../models/media.queries.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import { ProfileInput, profileInputFrom, SearchText, type ProfileForm } from './profiles.schemas.ts';

export interface ProfilesDeps {
  db: Db;
}

const KUDOS_SHOWN = 50;
const EXPERTS_SHOWN = 50;

/** The person's own profile and the kudos they received (all of them counted, the newest listed). */
export async function openOwnProfile(deps: ProfilesDeps, who: LaunchContext) {
  const [profile, kudosCount, kudos, photo] = await Promise.all([
    profiles.findProfile(deps.db, who.tenantId, who.personId),
    profiles.countKudosReceived(deps.db, who.tenantId, who.personId),
    profiles.listKudosReceived(deps.db, who.tenantId, who.personId, KUDOS_SHOWN),
    findProfilePhoto(deps.db, who.tenantId, who.personId),
  ]);
  return { profile, kudosCount, kudos, photo };
}

/** Saves the person's own profile; anything out of bounds is refused with one message per field. */
export async function saveProfile(deps: ProfilesDeps, who: LaunchContext, form: ProfileForm): Promise<void> {
  const parsed = ProfileInput.safeParse(profileInputFrom(form));
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, msg('profiles.errors.notSaved'), true);
  await profiles.upsertProfile(deps.db, { tenantId: who.tenantId, personId: who.personId, ...parsed.data });
}

/**
 * Another person's profile: someone active in this cohort, or someone of the tenant's other cohorts
 * who opted in to be found there (`otherCohort`); anyone else is not found.
 */
export async function openMemberProfile(deps: ProfilesDeps, who: LaunchContext, personId: string) {
  const inCohort = await profiles.findCohortMemberProfile(deps.db, who.tenantId, who.cohortId, personId);
  const member = inCohort ?? (await profiles.findOptedInProfile(deps.db, who.tenantId, personId));
  if (!member) throw new NotFoundError('person');
  const kudosCount = await profiles.countKudosReceived(deps.db, who.tenantId, personId);
  return { member, kudosCount, otherCohort: !inCohort };
}

/**
 * The expert finder: profiles of this cohort's members and of opted-in people of the tenant's other
 * cohorts, ranked. An empty query finds nobody (the page asks for words).
 */
export async function findExperts(deps: ProfilesDeps, who: LaunchContext, q: string): Promise<profiles.ExpertRow[] | undefined> {
  const parsed = SearchText.safeParse(q);
  if (!parsed.success) throw new ValidationError(msg('profiles.errors.queryTooLong', { maximum: QUERY_MAX }), { q: msg('profiles.errors.queryTooLong', { maximum: QUERY_MAX }) });
  if (parsed.data === '') return undefined;
  return profiles.searchProfiles(deps.db, who.tenantId, who.cohortId, who.personId, parsed.data, EXPERTS_SHOWN);
}
