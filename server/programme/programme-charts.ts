// The programme view's pictures: one small chart per figure across the cohorts in the order they ran
// (small multiples, all on the same 0–100 % scale), each with its least-squares trend dashed, and a
// table of the same values beside it. Withheld values leave a gap. Inline SVG from svg-charts.ts.
import { esc, lineChartSvg } from '../analytics/svg-charts.ts';
import { lineOf } from './comparisons.ts';
import { figureOf, type ProgrammeOverview, type TrendFigure } from './programme.service.ts';
import type { I18n } from '../i18n/i18n.ts';

/** The figures drawn, in order; each one's name is programme.figure.<name> in the catalogs. */
const FIGURES: readonly TrendFigure[] = ['completion', 'participation', 'density', 'crossGroupShare', 'isolatedShare', 'plansSubmitted'];
/** Okabe–Ito blue for the cohorts, vermilion (and dashes) for the trend. */
const VALUE_COLOUR = '#0072B2';
const TREND_COLOUR = '#D55E00';


export interface SmallMultiple {
  id: string;
  label: string;
  svg: string;
  rows: Array<{ number: number; title: string; value: string }>;
  /** The table of `rows`, as HTML (escaped here), kept with the picture: the page inserts it as is. */
  tableHtml: string;
}

function tableOf(i18n: I18n, label: string, rows: SmallMultiple['rows']): string {
  return `<table class="table" data-test="programme-chart-table"><caption class="visually-hidden">${esc(i18n.t('programme.chart.byCohort', { figure: label }))}</caption>`
    + `<thead><tr><th scope="col">${esc(i18n.t('programme.chart.number'))}</th><th scope="col">${esc(i18n.t('programme.column.cohort'))}</th><th scope="col">${esc(label)}</th></tr></thead><tbody>`
    + rows.map((r) => `<tr><td>${esc(i18n.number(r.number))}</td><th scope="row" translate="no">${esc(r.title)}</th><td>${esc(r.value)}</td></tr>`).join('')
    + '</tbody></table>';
}

/**
 * The pictures drawn last for each tenant, by what they were drawn from (each cohort's id, title and
 * refresh): they change only when a snapshot does, and drawing them is most of the page's work.
 */
const drawn = new Map<string, { key: string; charts: SmallMultiple[] }>();
const DRAWN_TENANTS = 200;

/** smallMultiples, kept per tenant and language until a cohort's snapshot (or title) changes. */
export function smallMultiplesOf(i18n: I18n, tenantId: string, o: ProgrammeOverview): SmallMultiple[] {
  const key = o.cohorts.map((c) => `${c.id} ${c.refreshedAt?.getTime() ?? ''} ${c.title}`).join('\n');
  const slot = `${tenantId} ${i18n.locale}`;
  const kept = drawn.get(slot);
  if (kept?.key === key) return kept.charts;
  const charts = smallMultiples(i18n, o);
  drawn.delete(slot);
  if (drawn.size >= DRAWN_TENANTS) drawn.delete(drawn.keys().next().value!);
  drawn.set(slot, { key, charts });
  return charts;
}

/** One picture per figure, over the ready cohorts; none when fewer than two cohorts have a value. */
export function smallMultiples(i18n: I18n, o: ProgrammeOverview): SmallMultiple[] {
  const cohorts = o.cohorts.filter((c) => c.ready);
  const percent = (v: number) => i18n.t('programme.percent', { value: Math.round(v * 100) });
  return FIGURES.flatMap((figure) => {
    const label = i18n.t(`programme.figure.${figure}`);
    const values = cohorts.map((c) => figureOf(c, figure));
    if (values.filter((v) => v !== null).length < 2) return [];
    const fit = lineOf(values);
    const id = `programme-${figure}`;
    const shownCount = values.filter((v) => v !== null).length;
    const svg = lineChartSvg({
      id,
      title: i18n.t('programme.chart.byCohort', { figure: label }),
      desc: i18n.t('programme.chart.desc', { shown: shownCount, cohorts: cohorts.length, trend: fit ? (fit.slope >= 0 ? 'up' : 'down') : 'none', points: Math.abs(Math.round(fit ? fit.slope * 1000 : 0) / 10) }),
      labels: cohorts.map((_, i) => String(i + 1)),
      max: 1,
      format: percent,
      series: [
        { name: i18n.t('programme.chart.cohorts'), colour: VALUE_COLOUR, values },
        ...(fit ? [{ name: i18n.t('programme.chart.trend'), colour: TREND_COLOUR, values: values.map((_, i) => Math.min(1, Math.max(0, fit.intercept + fit.slope * i))) }] : []),
      ],
    });
    const rows = cohorts.map((c, i) => ({ number: i + 1, title: c.title, value: values[i] === null ? i18n.t('programme.chart.notShown') : percent(values[i]!) }));
    return [{ id, label, svg, rows, tableHtml: tableOf(i18n, label, rows) }];
  });
}
