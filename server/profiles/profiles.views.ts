// View models for the profile pages and the expert finder: ready values only.
import type { Cohort } from '../../models/schema.ts';
import type { ExpertRow, MemberProfileRow, ProfileRow } from '../../models/profiles.queries.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { UserText, ValidationError } from '../errors.ts';
import { PROFILE_FIELD_MAX, QUERY_MAX, type ProfileForm } from './profiles.schemas.ts';
import { errorSummary } from '../http/error-summary.ts';
import { avatarView } from '../http/avatar.ts';
import { mediaHref } from '../media/attachment-view.ts';
import type { PhotoRef } from '../../models/media.queries.ts';


function header(cohort: Cohort, who: LaunchContext) {
  return { cohort: { id: cohort.id, title: cohort.title }, person: { name: who.displayName } };
}

export function ownProfileView(
  cohort: Cohort,
  who: LaunchContext,
  data: { profile: ProfileRow | undefined; kudosCount: number; kudos: Array<{ id: string; reason: string; createdAt: Date; fromName: string | null }>; photo: PhotoRef | undefined },
  flash: { saved?: boolean; invalid?: { error: ValidationError; form: ProfileForm }; photoSaved?: boolean; photoRemoved?: boolean; photoError?: UserText },
) {
  const form = flash.invalid?.form;
  return {
    ...header(cohort, who),
    photo: {
      action: `/cohorts/${cohort.id}/profile/photo`,
      removeAction: `/cohorts/${cohort.id}/profile/photo/remove`,
      has: data.photo !== undefined,
      avatar: avatarView(who.membershipId, who.displayName, data.photo ? mediaHref(cohort.id, data.photo.id, 'full', data.photo.contentHash) : undefined),
      saved: flash.photoSaved === true,
      removed: flash.photoRemoved === true,
      error: flash.photoError,
    },
    action: `/cohorts/${cohort.id}/profile`,
    publicHref: `/cohorts/${cohort.id}/people/${who.personId}`,
    expertsHref: `/cohorts/${cohort.id}/experts`,
    maxLength: PROFILE_FIELD_MAX,
    values: form
      ? { skills: form.skills, interests: form.interests, canHelpWith: form.canHelpWith, searchAllCohorts: form.searchAllCohorts === 'on' }
      : { skills: data.profile?.skills ?? '', interests: data.profile?.interests ?? '', canHelpWith: data.profile?.canHelpWith ?? '', searchAllCohorts: data.profile?.searchAllCohorts ?? false },
    saved: flash.saved === true,
    error: flash.invalid?.error.userMessage,
    fieldErrors: flash.invalid?.error.fieldErrors ?? {},
    errorSummary: errorSummary(flash.invalid?.error, (key) => key, 'profile-form'),
    kudos: {
      count: data.kudosCount,
      items: data.kudos.map((k) => ({ from: k.fromName, reason: k.reason, when: k.createdAt })),
      more: data.kudosCount > data.kudos.length ? data.kudosCount - data.kudos.length : 0,
    },
  };
}

export function memberProfileView(cohort: Cohort, who: LaunchContext, member: MemberProfileRow, kudosCount: number, photoUrl?: string) {
  const skills = member.skills ?? '';
  const interests = member.interests ?? '';
  const canHelpWith = member.canHelpWith ?? '';
  return {
    ...header(cohort, who),
    member: {
      name: member.name,
      avatar: avatarView(member.personId, member.name, photoUrl),
      isFacilitator: member.role === 'facilitator',
      skills,
      interests,
      canHelpWith,
      empty: !skills && !interests && !canHelpWith,
      kudosCount,
    },
    isMe: member.personId === who.personId,
    ownProfileHref: `/cohorts/${cohort.id}/profile`,
    expertsHref: `/cohorts/${cohort.id}/experts`,
  };
}

export function expertsView(cohort: Cohort, who: LaunchContext, q: string, results: ExpertRow[] | undefined, error?: ValidationError, photos: ReadonlyMap<string, string> = new Map()) {
  return {
    ...header(cohort, who),
    action: `/cohorts/${cohort.id}/experts`,
    ownProfileHref: `/cohorts/${cohort.id}/profile`,
    q,
    maxLength: QUERY_MAX,
    error: error?.userMessage,
    searched: results !== undefined,
    results: (results ?? []).map((r) => ({
      personId: r.personId,
      name: r.name,
      // Photos only of this cohort's people (the photo route serves no one else's here).
      avatar: avatarView(r.personId, r.name, r.inCohort ? photos.get(r.personId) : undefined),
      // People of other cohorts are here because they opted in: their profile opens too.
      href: `/cohorts/${cohort.id}/people/${r.personId}`,
      scope: r.inCohort ? 'cohort' : 'other-cohort',
      otherCohort: !r.inCohort,
      skills: r.skills,
      interests: r.interests,
      canHelpWith: r.canHelpWith,
    })),
  };
}
