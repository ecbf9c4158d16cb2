// View model for the admin console's retention part: the setting, what the tenant keeps, what goes when.
import type { CohortExpiry, TenantCounts } from '../../models/retention.queries.ts';
import { erasesAt } from './retention.service.ts';

const day = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : undefined);

export function retentionView(
  months: number | null,
  counts: TenantCounts | undefined,
  expiries: CohortExpiry[],
  erased: Array<{ cohortId: string; expiredAt: Date; startedAt: Date; chunks: number; rowsDeleted: string; finishedAt: Date | null }>,
  now: Date,
) {
  return {
    months: months ?? '',
    on: months !== null,
    counts: counts && { ...counts, oldestData: day(counts.oldestData) ?? 'none' },
    cohorts: expiries.map((c) => {
      const at = erasesAt(c);
      return {
        title: c.title,
        endedOn: day(c.endedAt),
        expiresOn: day(c.expiresAt),
        goes: at ? `on or after ${day(at)} (facilitators warned ${day(c.warnedAt)})` : c.expiresAt.getTime() - now.getTime() <= 7 * 24 * 3600_000 ? 'a week after its facilitators are warned (next run)' : `on or after ${day(c.expiresAt)}, a week after its facilitators are warned`,
      };
    }),
    erased: erased.map((e) => ({ on: day(e.finishedAt ?? e.startedAt), finished: e.finishedAt !== null, chunks: e.chunks, rows: Number(e.rowsDeleted) })),
  };
}
