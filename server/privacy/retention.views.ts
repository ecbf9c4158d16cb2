// View model for the admin console's retention part: the setting, what the tenant keeps, what goes when.
import type { CohortExpiry, TenantCounts } from '../../models/retention.queries.ts';
import { erasesAt } from './retention.service.ts';


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
    counts,
    cohorts: expiries.map((c) => {
      const at = erasesAt(c);
      // When it goes, worded by the template (privacy.retention.goes): warned, due at the next run, or later.
      return {
        title: c.title,
        endedOn: c.endedAt,
        expiresOn: c.expiresAt,
        goes: at ? 'warned' : c.expiresAt.getTime() - now.getTime() <= 7 * 24 * 3600_000 ? 'next' : 'later',
        erasesOn: at ?? c.expiresAt,
        warnedOn: c.warnedAt,
      };
    }),
    erased: erased.map((e) => ({ on: e.finishedAt ?? e.startedAt, finished: e.finishedAt !== null, chunks: e.chunks, rows: Number(e.rowsDeleted) })),
  };
}
