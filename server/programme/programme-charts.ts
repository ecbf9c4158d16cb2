// The programme view's pictures: one small chart per figure across the cohorts in the order they ran
// (small multiples, all on the same 0–100 % scale), each with its least-squares trend dashed, and a
// table of the same values beside it. Withheld values leave a gap. Inline SVG from svg-charts.ts.
import { esc, lineChartSvg } from '../analytics/svg-charts.ts';
import { lineOf } from './comparisons.ts';
import { figureOf, type ProgrammeOverview, type TrendFigure } from './programme.service.ts';

const LABELS: Record<TrendFigure, string> = {
  completion: 'Completed every module',
  participation: 'Took part',
  density: 'Network density at the end',
  crossGroupShare: 'Ties across groups at the end',
  isolatedShare: 'Learners without a tie at the end',
  plansSubmitted: 'Plans submitted',
};
/** Okabe–Ito blue for the cohorts, vermilion (and dashes) for the trend. */
const VALUE_COLOUR = '#0072B2';
const TREND_COLOUR = '#D55E00';

const percent = (v: number) => `${Math.round(v * 100)} %`;

export interface SmallMultiple {
  id: string;
  label: string;
  svg: string;
  rows: Array<{ number: number; title: string; value: string }>;
  /** The table of `rows`, as HTML (escaped here), kept with the picture: the page inserts it as is. */
  tableHtml: string;
}

function tableOf(label: string, rows: SmallMultiple['rows']): string {
  return `<table class="table" data-test="programme-chart-table"><caption class="visually-hidden">${esc(label)}, cohort by cohort</caption>`
    + `<thead><tr><th scope="col">No.</th><th scope="col">Cohort</th><th scope="col">${esc(label)}</th></tr></thead><tbody>`
    + rows.map((r) => `<tr><td>${r.number}</td><th scope="row">${esc(r.title)}</th><td>${esc(r.value)}</td></tr>`).join('')
    + '</tbody></table>';
}

/**
 * The pictures drawn last for each tenant, by what they were drawn from (each cohort's id, title and
 * refresh): they change only when a snapshot does, and drawing them is most of the page's work.
 */
const drawn = new Map<string, { key: string; charts: SmallMultiple[] }>();
const DRAWN_TENANTS = 200;

/** smallMultiples, kept per tenant until a cohort's snapshot (or title) changes. */
export function smallMultiplesOf(tenantId: string, o: ProgrammeOverview): SmallMultiple[] {
  const key = o.cohorts.map((c) => `${c.id} ${c.refreshedAt?.getTime() ?? ''} ${c.title}`).join('\n');
  const kept = drawn.get(tenantId);
  if (kept?.key === key) return kept.charts;
  const charts = smallMultiples(o);
  drawn.delete(tenantId);
  if (drawn.size >= DRAWN_TENANTS) drawn.delete(drawn.keys().next().value!);
  drawn.set(tenantId, { key, charts });
  return charts;
}

/** One picture per figure, over the ready cohorts; none when fewer than two cohorts have a value. */
export function smallMultiples(o: ProgrammeOverview): SmallMultiple[] {
  const cohorts = o.cohorts.filter((c) => c.ready);
  return (Object.keys(LABELS) as TrendFigure[]).flatMap((figure) => {
    const values = cohorts.map((c) => figureOf(c, figure));
    if (values.filter((v) => v !== null).length < 2) return [];
    const fit = lineOf(values);
    const id = `programme-${figure}`;
    const shownCount = values.filter((v) => v !== null).length;
    const svg = lineChartSvg({
      id,
      title: `${LABELS[figure]}, cohort by cohort`,
      desc: `${shownCount} of ${cohorts.length} cohorts shown, in the order they ran (numbered as in the table beside it)${fit ? `; the dashed line is the trend, ${fit.slope >= 0 ? 'up' : 'down'} ${Math.abs(Math.round(fit.slope * 1000) / 10)} points a cohort` : ''}.`,
      labels: cohorts.map((_, i) => String(i + 1)),
      max: 1,
      format: percent,
      series: [
        { name: 'Cohorts', colour: VALUE_COLOUR, values },
        ...(fit ? [{ name: 'Trend', colour: TREND_COLOUR, values: values.map((_, i) => Math.min(1, Math.max(0, fit.intercept + fit.slope * i))) }] : []),
      ],
    });
    const rows = cohorts.map((c, i) => ({ number: i + 1, title: c.title, value: values[i] === null ? 'not shown' : percent(values[i]!) }));
    return [{ id, label: LABELS[figure], svg, rows, tableHtml: tableOf(LABELS[figure], rows) }];
  });
}
