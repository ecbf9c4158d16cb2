// The programme view's figures in words: one row per cohort for the table and the CSV alike, so
// both say the same thing ("too few to show" where a figure is withheld).
import { toCsv } from '../analytics/csv.ts';
import { MIN_GROUP_SIZE, type Direction, type Shown } from './comparisons.ts';
import type { ProgrammeOverview } from './programme.service.ts';

export const TOO_FEW = 'too few to show';
const OFF = 'off for this cohort';
const NO_TIES = 'no interactions yet';

const percent = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${Math.round(v * 100)} %`);
const shown = (s: Shown<number | null>): string => (s.shown ? percent(s.value) : TOO_FEW);
const day = (d: Date | null): string => (d ? d.toISOString().slice(0, 10) : '');

const TREND_WORDS: Record<Direction, string> = { rising: 'rising', falling: 'falling', flat: 'flat', 'too-few': 'too few cohorts to tell' };

/** The table's columns, in order (the CSV's header too). */
export const COLUMNS = [
  'cohort', 'first module opens', 'last module opens', 'learners', 'completed every module', 'took part',
  'density (start)', 'density (middle)', 'density (end)', 'reciprocity (end)', 'ties across groups (end)', 'learners without a tie (end)', 'network as of',
] as const;

export function programmeRows(o: ProgrammeOverview): string[][] {
  return o.cohorts.map((c) => {
    let network: string[];
    if (c.network.off) network = Array<string>(6).fill(OFF);
    else if (!c.network.stages.shown) network = Array<string>(6).fill(TOO_FEW);
    else if (!c.network.stages.value) network = Array<string>(6).fill(NO_TIES);
    else {
      const { start, middle, end } = c.network.stages.value;
      network = [start.density, middle.density, end.density, end.reciprocity, end.crossGroupShare, end.isolatedShare].map(percent);
    }
    return [c.title, day(c.firstOpensAt), day(c.lastOpensAt), String(c.learners), shown(c.completion), shown(c.participation), ...network, day(c.figuresAsOf)];
  });
}

export function programmeView(o: ProgrammeOverview) {
  return {
    columns: COLUMNS.slice(1),
    rows: programmeRows(o).map(([title, ...cells]) => ({ title, cells })),
    minimum: MIN_GROUP_SIZE,
    trends: [
      { label: 'Completed every module', word: TREND_WORDS[o.trends.completion] },
      { label: 'Took part', word: TREND_WORDS[o.trends.participation] },
      { label: 'Network density at the end', word: TREND_WORDS[o.trends.density] },
      { label: 'Ties across groups at the end', word: TREND_WORDS[o.trends.crossGroupShare] },
      { label: 'Learners without a tie at the end', word: TREND_WORDS[o.trends.isolatedShare] },
    ],
  };
}

export function programmeCsv(o: ProgrammeOverview): string {
  return toCsv(COLUMNS, programmeRows(o));
}
