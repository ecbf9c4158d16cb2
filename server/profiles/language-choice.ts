// A person's choice of language for their pages: one of the languages we ship, or "as my learning
// platform" (their launches' locale, else their deployment's default). Emails follow it too.
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import { findPersonLocales, setPersonLocale } from '../../models/profiles.queries.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import { offeredLocales } from '../i18n/i18n.ts';
import { LOCALE_NAMES, type Locale } from '../i18n/locales.ts';
import type { LaunchContext } from '../launch-context.ts';

export const LanguageForm = z.object({ locale: z.string().max(20).default('') });

export interface LanguageChoiceView {
  action: string;
  /** The LMS's language for this person, named in its own words (the deployment's default when the LMS sent none we ship). */
  followName: string;
  followSelected: boolean;
  options: { value: string; name: string; selected: boolean }[];
}

export async function languageChoiceView(db: Db, who: LaunchContext): Promise<LanguageChoiceView> {
  const locales = await findPersonLocales(db, who.tenantId, who.personId);
  if (!locales) throw new NotFoundError('person');
  const follow = (locales.launchLocale ?? locales.defaultLocale) as Locale;
  return {
    action: `/cohorts/${who.cohortId}/profile/language`,
    followName: LOCALE_NAMES[follow] ?? follow,
    followSelected: locales.locale === null,
    options: offeredLocales().map((l) => ({ value: l, name: LOCALE_NAMES[l], selected: locales.locale === l })),
  };
}

/** Saves the choice; returns the locale the person's pages use from now on. */
export async function chooseLanguage(db: Db, who: LaunchContext, form: z.infer<typeof LanguageForm>): Promise<string> {
  const choice = form.locale === '' ? null : form.locale;
  if (choice !== null && !(offeredLocales() as readonly string[]).includes(choice)) {
    throw new ValidationError(msg('language.choice.unknown'), { locale: msg('language.choice.unknown') });
  }
  const effective = await setPersonLocale(db, who.tenantId, who.personId, choice);
  if (effective === undefined) throw new NotFoundError('person');
  return effective;
}
