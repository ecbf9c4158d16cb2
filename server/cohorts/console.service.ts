// The facilitator console's home: what needs the facilitator today. Quiet and never-launched
// learners come from the dashboard's one rule (consoleFigures); the rest is counted in one query.
import * as consoleQueries from '../../models/console.queries.ts';
import { ForbiddenError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { AnalyticsDeps } from '../analytics/analytics.service.ts';
import type { QuietLearner } from '../analytics/quiet-learners.ts';

export interface AttentionCounts extends consoleQueries.OtherAttentionCounts {
  /** Active learners on the roster who never launched, not nudged today. */
  neverLaunched: number;
  /** Active learners who launched but did nothing for the cohort's quiet days, not nudged today. */
  quiet: number;
}

/** What needs the facilitator: the counts of one query, and of `quiet` (consoleFigures, read meanwhile) those not nudged today. */
export async function needsAttention(deps: AnalyticsDeps, who: LaunchContext, quiet: Promise<readonly QuietLearner[]>): Promise<AttentionCounts> {
  if (who.role !== 'facilitator') throw new ForbiddenError('needs-attention', msg('cohorts.console.onlyFacilitators'));
  const [others, learners] = await Promise.all([consoleQueries.countNeedsAttention(deps.db, who.tenantId, who.cohortId, deps.now()), quiet]);
  const waiting = learners.filter((q) => !q.nudgedToday);
  return { ...others, neverLaunched: waiting.filter((q) => q.neverLaunched).length, quiet: waiting.filter((q) => !q.neverLaunched).length };
}
