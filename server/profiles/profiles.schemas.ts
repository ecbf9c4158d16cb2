// What the profile form and the expert finder accept.
import { z } from 'zod';

export const PROFILE_FIELD_MAX = 1000;
export const QUERY_MAX = 200;

export const PersonParams = z.object({ cohortId: z.uuid(), personId: z.uuid() });

/** The form as typed, shown again when it is refused: strings only (the body limit bounds them). */
export const ProfileForm = z.object({
  skills: z.string().default(''),
  interests: z.string().default(''),
  canHelpWith: z.string().default(''),
  searchAllCohorts: z.string().max(10).optional(),
});
export type ProfileForm = z.infer<typeof ProfileForm>;

const field = (key: string) => z.string().trim().max(PROFILE_FIELD_MAX, key);

/** A profile as saved. */
export const ProfileInput = z.object({
  skills: field('profiles.errors.skillsTooLong'),
  interests: field('profiles.errors.interestsTooLong'),
  canHelpWith: field('profiles.errors.canHelpWithTooLong'),
  searchAllCohorts: z.boolean(),
});
export type ProfileInput = z.infer<typeof ProfileInput>;

export function profileInputFrom(form: ProfileForm): z.input<typeof ProfileInput> {
  return { skills: form.skills, interests: form.interests, canHelpWith: form.canHelpWith, searchAllCohorts: form.searchAllCohorts === 'on' };
}

/** The finder's query string: one `q`, trimmed; too long is refused (the page says so). */
export const ExpertsQuery = z.object({ q: z.string().default('') });
export const SearchText = z.string().trim().max(QUERY_MAX, 'profiles.errors.queryTooLong');
