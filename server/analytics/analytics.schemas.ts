import { z } from 'zod';

export const LearnerParams = z.object({ cohortId: z.uuid(), membershipId: z.uuid() });
export const NudgeParams = z.object({ cohortId: z.uuid(), nudgeId: z.uuid() });
export const ExportParams = z.object({ cohortId: z.uuid(), kind: z.enum(['progress', 'participation', 'edges']) });

/** As typed: kept for the form when it is refused. */
export const SettingsForm = z.object({ quietDays: z.string().max(20).default(''), showNames: z.string().max(10).optional(), relationshipAnalytics: z.enum(['on', 'off']).catch('on') });
export const QuietDays = z.coerce.number({ error: 'analytics.dashboard.settings.quietDaysWhole' }).int('analytics.dashboard.settings.quietDaysWhole').min(1, 'analytics.dashboard.settings.quietDaysMin').max(90, 'analytics.dashboard.settings.quietDaysMax');

export const NudgeForm = z.object({ message: z.string().max(20_000).default('') });
