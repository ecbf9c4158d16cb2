// What each activity kind accepts. A draft is kept as typed (only sizes bounded); a submission must
// pass its kind's schema.
import { z } from 'zod';
import { FIVE_FACTORS, type ActivityKind } from './workshop-content.ts';

export const ModuleParams = z.object({ cohortId: z.uuid(), moduleId: z.coerce.number().int().min(1).max(9) });
export const ActivityParams = ModuleParams.extend({ activityId: z.string().regex(/^[a-z0-9-]{1,64}$/) });

// Messages are catalog keys (locales/*/modules.json), translated where the form shows them.
/** `missing` says what to do when it is empty or too short, in plain words; `tooLong` when it is over 5,000 characters. */
const longText = (tooLong: string, missing: string, min = 1) => z.string().trim().min(min, missing).max(5000, tooLong);
const WEB_ADDRESS = 'modules.form.webAddress';
const WEB_ADDRESS_TOO_LONG = 'modules.form.webAddressTooLong';
const optionalUrl = z.union([z.literal(''), z.url({ protocol: /^https?$/, error: WEB_ADDRESS }).max(2048, WEB_ADDRESS_TOO_LONG)]);
/** A factor's rating; the page names the factor (in the workshop's words) where it shows the message. */
export const RATE_FACTOR = 'modules.form.rateFactor';

export const SUBMISSION_SCHEMAS = {
  reflection: z.object({ text: longText('modules.form.reflectionTooLong', 'modules.form.reflectionMissing'), shared: z.boolean() }),
  practice: z.object({ evidence: longText('modules.form.evidenceTooLong', 'modules.form.evidenceMissing'), link: optionalUrl }),
  curation: z.object({
    url: z.url({ protocol: /^https?$/, error: WEB_ADDRESS }).max(2048, WEB_ADDRESS_TOO_LONG),
    why: longText('modules.form.whyTooLong', 'modules.form.whyMissing', 20),
    tags: z.array(z.string().max(30, 'modules.form.tagTooLong')).max(5, 'modules.form.tooManyTags'),
  }),
  'five-factor-check': z.object({
    ratings: z.object(Object.fromEntries(FIVE_FACTORS.map((f) => [f.id, z.coerce.number({ error: RATE_FACTOR }).int(RATE_FACTOR).min(1, RATE_FACTOR).max(5, RATE_FACTOR)]))),
    comment: z.string().trim().max(2000, 'modules.form.commentTooLong'),
  }),
} as const;

export type SubmittableKind = keyof typeof SUBMISSION_SCHEMAS;

export function isSubmittable(kind: ActivityKind): kind is SubmittableKind {
  return kind in SUBMISSION_SCHEMAS;
}

/** The form as typed, for drafts and for showing it again: strings only, sizes bounded. */
export const ActivityForm = z.object({
  intent: z.enum(['draft', 'submit']).default('submit'),
  text: z.string().max(20_000).default(''),
  shared: z.string().max(10).optional(),
  evidence: z.string().max(20_000).default(''),
  link: z.string().max(4096).default(''),
  url: z.string().max(4096).default(''),
  why: z.string().max(20_000).default(''),
  tags: z.string().max(1000).default(''),
  comment: z.string().max(10_000).default(''),
  ...Object.fromEntries(FIVE_FACTORS.map((f) => [`rating_${f.id}`, z.string().max(2).default('')])),
});
export type ActivityForm = z.infer<typeof ActivityForm> & Record<string, string | undefined>;

/** The stored content of a response of this kind, from the form (drafts keep whatever was typed). */
export function contentFromForm(kind: SubmittableKind, form: ActivityForm): Record<string, unknown> {
  switch (kind) {
    case 'reflection':
      return { text: form.text, shared: form.shared === 'on' };
    case 'practice':
      return { evidence: form.evidence, link: form.link.trim() };
    case 'curation':
      return { url: form.url.trim(), why: form.why, tags: splitTags(form.tags) };
    case 'five-factor-check':
      return { ratings: Object.fromEntries(FIVE_FACTORS.map((f) => [f.id, form[`rating_${f.id}`] ?? ''])), comment: form.comment };
  }
}

function splitTags(s: string): string[] {
  return [...new Set(s.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))];
}
