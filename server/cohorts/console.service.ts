// The facilitator console's home: what needs the facilitator today, counted in one query.
import * as consoleQueries from '../../models/console.queries.ts';
import type { AttentionCounts } from '../../models/console.queries.ts';
import { ForbiddenError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { ModulesDeps } from '../modules/modules.service.ts';
import { DEFAULT_QUIET_DAYS } from '../analytics/analytics.service.ts';

export type { AttentionCounts };

export async function needsAttention(deps: Pick<ModulesDeps, 'db' | 'now'>, who: LaunchContext): Promise<AttentionCounts> {
  if (who.role !== 'facilitator') throw new ForbiddenError('needs-attention', 'Only the cohort’s facilitators see this page.');
  return consoleQueries.countNeedsAttention(deps.db, who.tenantId, who.cohortId, deps.now(), DEFAULT_QUIET_DAYS);
}
