// The programme view's figures in words, in the reader's language: one row per cohort for the table
// and the CSV alike, so both say the same thing ("too few to show" where a figure is withheld).
import { toCsv } from '../analytics/csv.ts';
import type { I18n } from '../i18n/i18n.ts';
import { smallMultiplesOf } from './programme-charts.ts';
import { GOAL_KINDS, MIN_GROUP_SIZE, type Direction, type GoalKind, type RelationshipGoal, type Shown } from './comparisons.ts';
import { CHECK_IN_WEEKS, type CheckInShare, type GoalOutcome, type ProgrammeOverview } from './programme.service.ts';

/** A share as a whole percent in the reader's words ("42 %"), or a dash when there is none. */
export const percentIn = (i18n: I18n, v: number | null | undefined): string => (v === null || v === undefined ? '—' : i18n.t('programme.percent', { value: Math.round(v * 100) }));

/** The words of one kind of goal: its catalog selector (an ICU select takes no hyphen). */
const GOAL_KEY: Record<GoalKind, string> = { 'cross-group-ties': 'crossGroup', 'check-in-share': 'checkIns', 'isolated-share': 'isolated' };

/** A goal in words: "Learners with a tie outside their group by module 6: at least 70 %". */
export function goalLabel(i18n: I18n, g: RelationshipGoal): string {
  return i18n.t('programme.goal.label', { kind: GOAL_KEY[g.kind], at: g.at, higher: String(GOAL_KINDS[g.kind].higherIsBetter), threshold: percentIn(i18n, g.threshold) });
}

export function goalWords(i18n: I18n, o: GoalOutcome['progress']): string {
  return i18n.t('programme.goal.state', { state: o.state === 'not-yet' ? 'notYet' : o.state, share: 'share' in o ? percentIn(i18n, o.share) : '' });
}

/** The table's columns, in order (the CSV's header too, before one column per goal): catalog keys. */
const COLUMN_KEYS = [
  'cohort', 'firstOpens', 'lastOpens', 'learners', 'completed', 'tookPart',
  'densityStart', 'densityMiddle', 'densityEnd', 'reciprocityEnd', 'crossGroupEnd', 'isolatedEnd',
  'social', 'cognitive', 'teaching', 'thinTeaching',
  'plansSubmitted', ...CHECK_IN_WEEKS.map(() => 'checkIn'), 'conversations',
  'findable', 'otherCohort', 'asOf',
] as const;

const DATE_COLUMNS = new Set<string>(['firstOpens', 'lastOpens', 'asOf']);

export function programmeColumns(i18n: I18n): string[] {
  let week = 0;
  return COLUMN_KEYS.map((k) => (k === 'checkIn' ? i18n.t('programme.column.checkIn', { weeks: CHECK_IN_WEEKS[week++]! }) : i18n.t(`programme.column.${k}`)));
}

export function programmeRows(i18n: I18n, o: ProgrammeOverview): string[][] {
  const tooFew = i18n.t('programme.tooFew');
  const off = i18n.t('programme.off');
  const pending = i18n.t('programme.pending');
  const percent = (v: number | null | undefined) => percentIn(i18n, v);
  const shown = (s: Shown<number | null>): string => (s.shown ? percent(s.value) : tooFew);
  const day = (d: Date | null): string => (d ? i18n.date(d) : '');
  const checkInWords = (c: CheckInShare): string => (c.state === 'shown' ? shown(c.value) : c.state === 'not-due' ? i18n.t('programme.notDue') : '—');
  return o.cohorts.map((c) => {
    if (!c.ready) return [c.title, ...Array<string>(COLUMN_KEYS.length - 2).fill(pending), '', ...c.goals.map(() => pending)];
    let network: string[];
    if (c.network.off) network = Array<string>(6).fill(off);
    else if (!c.network.stages.shown) network = Array<string>(6).fill(tooFew);
    else if (!c.network.stages.value) network = Array<string>(6).fill(i18n.t('programme.noTies'));
    else {
      const { start, middle, end } = c.network.stages.value;
      network = [start.density, middle.density, end.density, end.reciprocity, end.crossGroupShare, end.isolatedShare].map(percent);
    }
    const inquiry = !c.inquiry.shown ? Array<string>(4).fill(tooFew)
      : !c.inquiry.value ? ['—', '—', '—', '—']
      : [percent(c.inquiry.value.social), percent(c.inquiry.value.cognitive), percent(c.inquiry.value.teaching), i18n.t('programme.thinOf', { thin: c.inquiry.value.thinTeachingGroups, groups: c.inquiry.value.groups })];
    return [
      c.title, day(c.firstOpensAt), day(c.lastOpensAt), i18n.number(c.learners), shown(c.completion), shown(c.participation), ...network, ...inquiry,
      shown(c.plansSubmitted), ...CHECK_IN_WEEKS.map((w) => checkInWords(c.checkIns[w])), shown(c.conversations),
      shown(c.findable), shown(c.inOtherCohorts), day(c.refreshedAt),
      ...c.goals.map((g) => goalWords(i18n, g.progress)),
    ];
  });
}

const TRENDS = ['completion', 'participation', 'density', 'crossGroupShare', 'isolatedShare', 'plansSubmitted'] as const;
const DIRECTION_KEY: Record<Direction, string> = { rising: 'rising', falling: 'falling', flat: 'flat', 'too-few': 'tooFew' };

export function programmeView(i18n: I18n, o: ProgrammeOverview, tenantId: string) {
  const rows = programmeRows(i18n, o);
  const width = COLUMN_KEYS.length;
  return {
    columns: programmeColumns(i18n).slice(1),
    // Date columns are marked, so the page can say they are dates (<time>).
    rows: rows.map((r) => ({ title: r[0], cells: r.slice(1, width).map((text, i) => ({ text, isDate: DATE_COLUMNS.has(COLUMN_KEYS[i + 1]!) })) })),
    goals: o.goals.map((g) => ({ id: g.id, label: goalLabel(i18n, g) })),
    goalRows: o.cohorts.map((c, k) => ({ title: c.title, cells: c.goals.map((g, i) => ({ word: rows[k]![width + i]!, state: c.ready ? g.progress.state : 'pending' })) })),
    goalKinds: (Object.keys(GOAL_KINDS) as GoalKind[]).map((id) => ({ id, label: i18n.t('programme.goal.kind', { kind: GOAL_KEY[id], higher: String(GOAL_KINDS[id].higherIsBetter) }) })),
    refreshedAt: o.refreshedAt ? { iso: o.refreshedAt.toISOString(), date: o.refreshedAt } : null,
    charts: smallMultiplesOf(i18n, tenantId, o),
    minimum: MIN_GROUP_SIZE,
    trends: TRENDS.map((t) => ({ label: i18n.t(`programme.figure.${t}`), word: i18n.t('programme.trend', { direction: DIRECTION_KEY[o.trends[t]] }) })),
  };
}

export function programmeCsv(i18n: I18n, o: ProgrammeOverview): string {
  return toCsv([...programmeColumns(i18n), ...o.goals.map((g) => i18n.t('programme.column.goal', { goal: goalLabel(i18n, g) }))], programmeRows(i18n, o));
}
