import { z } from 'zod';

export const LearnerParams = z.object({ cohortId: z.uuid(), membershipId: z.uuid() });
export const NudgeParams = z.object({ cohortId: z.uuid(), nudgeId: z.uuid() });
export const ExportParams = z.object({ cohortId: z.uuid(), kind: z.enum(['progress', 'participation', 'edges']) });

/** As typed: kept for the form when it is refused. */
export const SettingsForm = z.object({ quietDays: z.string().max(20).default(''), showNames: z.string().max(10).optional() });
export const QuietDays = z.coerce.number({ error: 'enter a whole number of days' }).int('enter a whole number of days').min(1, 'at least 1 day').max(90, 'at most 90 days');

export const NudgeForm = z.object({ message: z.string().max(20_000).default('') });
