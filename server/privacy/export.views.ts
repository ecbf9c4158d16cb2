// The profile's "Your data" section: the person's exports and their state.
import type { PersonalExportRow } from '../../models/export.queries.ts';
import type { LaunchContext } from '../launch-context.ts';

const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function exportsView(who: LaunchContext, rows: PersonalExportRow[], now: Date, requested: boolean) {
  return {
    action: `/cohorts/${who.cohortId}/profile/export`,
    requested,
    privacyHref: '/privacy',
    items: rows.map((e) => ({
      id: e.id,
      allCohorts: e.scope === 'all',
      state: e.status,
      ready: e.status === 'ready',
      failed: e.status === 'failed' || (e.status === 'queued' && now.getTime() - e.requestedAt.getTime() > 6 * 3600_000),
      requestedAt: when(e.requestedAt),
      expiresAt: when(e.expiresAt),
      href: `/cohorts/${who.cohortId}/profile/exports/${e.id}`,
      sizeKb: e.sizeBytes ? Math.max(1, Math.round(Number(e.sizeBytes) / 1024)) : 0,
    })),
  };
}
