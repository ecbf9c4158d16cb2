// The programme view's figures in words: one row per cohort for the table and the CSV alike, so
// both say the same thing ("too few to show" where a figure is withheld).
import { toCsv } from '../analytics/csv.ts';
import { figuresAsOfView } from '../analytics/analytics.views.ts';
import { smallMultiplesOf } from './programme-charts.ts';
import { GOAL_KINDS, MIN_GROUP_SIZE, type Direction, type RelationshipGoal, type Shown } from './comparisons.ts';
import { CHECK_IN_WEEKS, type CheckInShare, type GoalOutcome, type ProgrammeOverview } from './programme.service.ts';

export const TOO_FEW = 'too few to show';
const OFF = 'off for this cohort';
const NO_TIES = 'no interactions yet';
const PENDING = 'being computed';

const percent = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${Math.round(v * 100)} %`);
const shown = (s: Shown<number | null>): string => (s.shown ? percent(s.value) : TOO_FEW);
const day = (d: Date | null): string => (d ? d.toISOString().slice(0, 10) : '');
const checkInWords = (c: CheckInShare): string => (c.state === 'shown' ? shown(c.value) : c.state === 'not-due' ? 'not due yet' : '—');

const TREND_WORDS: Record<Direction, string> = { rising: 'rising', falling: 'falling', flat: 'flat', 'too-few': 'too few cohorts to tell' };

/** A goal in words: "Learners with a tie outside their group by module 6: at least 70 %". */
export function goalLabel(g: RelationshipGoal): string {
  const k = GOAL_KINDS[g.kind];
  return `${k.label} ${g.at}: ${k.higherIsBetter ? 'at least' : 'at most'} ${Math.round(g.threshold * 100)} %`;
}

export function goalWords(o: GoalOutcome['progress']): string {
  switch (o.state) {
    case 'met': return `met (${percent(o.share)})`;
    case 'not-yet': return `not yet (${percent(o.share)})`;
    case 'off': return OFF;
    default: return TOO_FEW;
  }
}

/** The table's columns, in order (the CSV's header too, before one column per goal). */
export const COLUMNS = [
  'cohort', 'first module opens', 'last module opens', 'learners', 'completed every module', 'took part',
  'density (start)', 'density (middle)', 'density (end)', 'reciprocity (end)', 'ties across groups (end)', 'learners without a tie (end)',
  'social presence', 'cognitive presence', 'teaching presence', 'groups with thin teaching',
  'plans submitted', ...CHECK_IN_WEEKS.map((w) => `check-in at +${w} weeks`), 'manager conversations logged',
  'findable by every cohort', 'also in another cohort', 'figures as of',
] as const;

export function programmeRows(o: ProgrammeOverview): string[][] {
  return o.cohorts.map((c) => {
    if (!c.ready) return [c.title, ...Array<string>(COLUMNS.length - 2).fill(PENDING), '', ...c.goals.map(() => PENDING)];
    let network: string[];
    if (c.network.off) network = Array<string>(6).fill(OFF);
    else if (!c.network.stages.shown) network = Array<string>(6).fill(TOO_FEW);
    else if (!c.network.stages.value) network = Array<string>(6).fill(NO_TIES);
    else {
      const { start, middle, end } = c.network.stages.value;
      network = [start.density, middle.density, end.density, end.reciprocity, end.crossGroupShare, end.isolatedShare].map(percent);
    }
    const inquiry = !c.inquiry.shown ? Array<string>(4).fill(TOO_FEW)
      : !c.inquiry.value ? ['—', '—', '—', '—']
      : [percent(c.inquiry.value.social), percent(c.inquiry.value.cognitive), percent(c.inquiry.value.teaching), `${c.inquiry.value.thinTeachingGroups} of ${c.inquiry.value.groups}`];
    return [
      c.title, day(c.firstOpensAt), day(c.lastOpensAt), String(c.learners), shown(c.completion), shown(c.participation), ...network, ...inquiry,
      shown(c.plansSubmitted), ...CHECK_IN_WEEKS.map((w) => checkInWords(c.checkIns[w])), shown(c.conversations),
      shown(c.findable), shown(c.inOtherCohorts), day(c.refreshedAt),
      ...c.goals.map((g) => goalWords(g.progress)),
    ];
  });
}

export function programmeView(o: ProgrammeOverview, tenantId: string) {
  const rows = programmeRows(o);
  const width = COLUMNS.length;
  return {
    columns: COLUMNS.slice(1),
    rows: rows.map((r) => ({ title: r[0], cells: r.slice(1, width) })),
    goals: o.goals.map((g) => ({ id: g.id, label: goalLabel(g) })),
    goalRows: o.cohorts.map((c, k) => ({ title: c.title, cells: c.goals.map((g, i) => ({ word: rows[k]![width + i]!, state: c.ready ? g.progress.state : 'pending' })) })),
    goalKinds: Object.entries(GOAL_KINDS).map(([id, k]) => ({ id, label: `${k.label} N (${k.higherIsBetter ? 'at least' : 'at most'} a share)`, at: k.at === 'module' ? 'module 1–9' : `week ${k.atChoices.join(', ')}` })),
    refreshedAt: o.refreshedAt ? figuresAsOfView(o.refreshedAt) : null,
    charts: smallMultiplesOf(tenantId, o),
    minimum: MIN_GROUP_SIZE,
    trends: [
      { label: 'Completed every module', word: TREND_WORDS[o.trends.completion] },
      { label: 'Took part', word: TREND_WORDS[o.trends.participation] },
      { label: 'Network density at the end', word: TREND_WORDS[o.trends.density] },
      { label: 'Ties across groups at the end', word: TREND_WORDS[o.trends.crossGroupShare] },
      { label: 'Learners without a tie at the end', word: TREND_WORDS[o.trends.isolatedShare] },
      { label: 'Plans submitted', word: TREND_WORDS[o.trends.plansSubmitted] },
    ],
  };
}

export function programmeCsv(o: ProgrammeOverview): string {
  return toCsv([...COLUMNS, ...o.goals.map((g) => `goal: ${goalLabel(g)}`)], programmeRows(o));
}
