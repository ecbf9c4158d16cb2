import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';

export const MemberParams = z.object({ cohortId: z.uuid(), membershipId: z.uuid() });

/** Nine date inputs (YYYY-MM-DD), module_1 … module_9; each opens at 00:00 UTC that day. */
export const ScheduleForm = z.object(
  Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`module_${i + 1}`, z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'cohorts.schedule.needsDate')])),
);

export function scheduleDates(form: Record<string, string>): Date[] {
  return Array.from({ length: 9 }, (_, i) => {
    const d = new Date(`${form[`module_${i + 1}`]}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) throw new ValidationError(msg('cohorts.schedule.moduleNeedsRealDate', { number: i + 1 }), { [`module_${i + 1}`]: msg('cohorts.schedule.needsRealDate') });
    return d;
  });
}

/** The learner the heatmap's page starts after (the console and the dashboard): anything but a learner id is the first page. */
export const HeatmapPageQuery = z.object({ progress_after: z.uuid().optional().catch(undefined) });
