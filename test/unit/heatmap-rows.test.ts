// The heatmap's rows are kept with the kept progress rows they were made from (their table is then
// written once, {{#keep}}): kept only while every cell would read the same, so a module that opens,
// another page of rows or another reader's language gets rows of its own.
import { expect } from 'chai';
import { consoleView } from '../../server/cohorts/cohorts.views.ts';
import { i18nFor } from '../../server/i18n/i18n.ts';

describe('heatmap rows kept with the progress rows', () => {
  const HOUR = 3_600_000;
  const cohort = { id: 'c0ffee00-0000-4000-8000-000000000001', title: 'Cohort', label: null, language: 'en' } as never;
  const who = { displayName: 'Fran' } as never;
  const workshop = { modules: [{ id: 1, title: 'One' }, { id: 2, title: 'Two' }] } as never;
  const rows = Object.freeze([
    Object.freeze({ membershipId: 'm1', name: 'Ann', completed: Object.freeze([1]), started: Object.freeze([1]) }),
    Object.freeze({ membershipId: 'm2', name: null, completed: Object.freeze([]), started: Object.freeze([]) }),
  ]) as never;
  const states = (v: ReturnType<typeof consoleView>) => v.heatmap.map((r) => r.cells.map((c) => c.state));
  const view = (dates: Date[], opts: { locale?: string; after?: string } = {}) =>
    consoleView(i18nFor(opts.locale ?? 'en'), cohort, who, [], { dates, rows }, workshop, true, { after: opts.after, here: '/here' });

  it('gives the same rows while nothing that decides a cell changed, and new rows once a module has opened', () => {
    const later = [new Date(Date.now() - HOUR), new Date(Date.now() + HOUR)];
    const first = view(later);
    expect(states(first)).to.deep.equal([['complete', 'locked'], ['not-started', 'locked']]);
    expect(view([...later]).heatmap).to.equal(first.heatmap);
    // Module 2 open now (as when its date passes): its cells are no longer locked.
    const opened = view([later[0]!, new Date(Date.now() - HOUR)]);
    expect(states(opened)).to.deep.equal([['complete', 'not-started'], ['not-started', 'not-started']]);
  });

  it('gives another page of rows and another language rows of their own', () => {
    const dates = [new Date(Date.now() - HOUR), new Date(Date.now() - HOUR)];
    expect(view(dates).heatmap.map((r) => r.name)).to.deep.equal(['Ann', i18nFor('en').t('cohorts.nameNotShared')]);
    expect(view(dates, { after: 'm1' }).heatmap.map((r) => r.name)).to.deep.equal([i18nFor('en').t('cohorts.nameNotShared')]);
    expect(view(dates, { locale: 'fr' }).heatmap[1]!.name).to.equal(i18nFor('fr').t('cohorts.nameNotShared'));
  });
});
