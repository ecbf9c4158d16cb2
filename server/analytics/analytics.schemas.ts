import { z } from 'zod';

export const LearnerParams = z.object({ cohortId: z.uuid(), membershipId: z.uuid() });
export const NudgeParams = z.object({ cohortId: z.uuid(), nudgeId: z.uuid() });
export const ExportParams = z.object({ cohortId: z.uuid(), kind: z.enum(['progress', 'participation', 'edges']) });

/** As typed: kept for the form when it is refused. */
export const SettingsForm = z.object({ quietDays: z.string().max(20).default(''), showNames: z.string().max(10).optional(), relationshipAnalytics: z.enum(['on', 'off']).catch('on') });
export const QuietDays = z.coerce.number({ error: 'Enter a whole number of days, from 1 to 90' }).int('Enter a whole number of days, from 1 to 90').min(1, 'Enter at least 1 day').max(90, 'Enter at most 90 days');

export const NudgeForm = z.object({ message: z.string().max(20_000).default('') });
