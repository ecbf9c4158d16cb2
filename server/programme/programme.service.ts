// The programme view: a tenant's cohorts side by side, for its programme lead. Built from counts and
// the cohorts' kept network figures; every share over fewer than MIN_GROUP_SIZE learners is withheld.
import type { Db } from '../../models/db.ts';
import * as programme from '../../models/programme.queries.ts';
import { cohortFigures } from '../analytics/cohort-figures.ts';
import type { Workshop } from '../modules/workshop-content.ts';
import { networkStages, shareOver, shownOver, trendOf, type Direction, type NetworkStage, type Shown } from './comparisons.ts';

export interface ProgrammeDeps {
  db: Db;
  workshop: Workshop;
  now: () => Date;
}

/** Who may open a tenant's programme view: its programme lead (the tenant comes from their launch). */
export interface ProgrammeLead {
  tenantId: string;
}

export interface ProgrammeCohort {
  id: string;
  title: string;
  firstOpensAt: Date | null;
  lastOpensAt: Date | null;
  learners: number;
  completion: Shown<number | null>;
  participation: Shown<number | null>;
  /** The network at start, middle and end; `off` when the cohort turned relationship analytics off. */
  network: { off: true } | { off: false; stages: Shown<ReturnType<typeof networkStages>> };
  figuresAsOf: Date | null;
}

export interface ProgrammeOverview {
  cohorts: ProgrammeCohort[];
  /** The direction of each figure across the cohorts in the order they ran (shown values only). */
  trends: Record<'completion' | 'participation' | 'density' | 'crossGroupShare' | 'isolatedShare', Direction>;
}

const endOf = (c: ProgrammeCohort): NetworkStage | null =>
  !c.network.off && c.network.stages.shown && c.network.stages.value ? c.network.stages.value.end : null;
const valueOf = (s: Shown<number | null>): number | null => (s.shown ? s.value : null);

/** Every cohort of the lead's tenant, with its figures and the trends across them. */
export async function programmeOverview(deps: ProgrammeDeps, lead: ProgrammeLead): Promise<ProgrammeOverview> {
  const rows = await programme.listProgrammeCohorts(deps.db, lead.tenantId, deps.workshop.modules.length);
  const cohorts: ProgrammeCohort[] = [];
  for (const r of rows) {
    let trend = r.trend;
    let asOf = r.computedAt;
    // A cohort whose figures were never computed (its dashboard never opened) gets them now, once;
    // from then on they are kept, and read as kept (even when stale: the page says as of when).
    if (!trend && r.relationshipAnalytics && r.learners >= 1) {
      const kept = await cohortFigures(deps.db, lead.tenantId, r.id, deps.now(), ['social']);
      trend = kept.social.trend;
      asOf = kept.asOf;
    }
    cohorts.push({
      id: r.id,
      title: r.title,
      firstOpensAt: r.firstOpensAt,
      lastOpensAt: r.lastOpensAt,
      learners: r.learners,
      completion: shareOver(r.completed, r.learners),
      participation: shareOver(r.participating, r.learners),
      network: r.relationshipAnalytics ? { off: false, stages: shownOver(r.learners, networkStages(trend ?? [])) } : { off: true },
      figuresAsOf: r.relationshipAnalytics ? asOf : null,
    });
  }
  const series = (f: (c: ProgrammeCohort) => number | null) => trendOf(cohorts.map(f)).direction;
  return {
    cohorts,
    trends: {
      completion: series((c) => valueOf(c.completion)),
      participation: series((c) => valueOf(c.participation)),
      density: series((c) => endOf(c)?.density ?? null),
      crossGroupShare: series((c) => endOf(c)?.crossGroupShare ?? null),
      isolatedShare: series((c) => endOf(c)?.isolatedShare ?? null),
    },
  };
}
