// The programme view's columns from a cohort's kept snapshot (counts only): Community of Inquiry
// balance, action-plan follow-through and goals, each withheld under the minimum size; and the
// ties by module that relationship goals read.
import { expect } from 'chai';
import { tiesByModule } from '../../server/programme/comparisons.ts';
import { cohortFromSnapshot } from '../../server/programme/programme.service.ts';
import type { ProgrammeSnapshotFigures } from '../../server/programme/programme-snapshots.ts';
import { smallMultiplesOf } from '../../server/programme/programme-charts.ts';
import { i18nFor } from '../../server/i18n/i18n.ts';

const en = i18nFor('en');

const figures = (over: Partial<ProgrammeSnapshotFigures> = {}): ProgrammeSnapshotFigures => ({
  version: 1,
  opensAt: ['2026-01-05T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
  learners: 10, completed: 4, participating: 8, relationshipAnalytics: true, network: null,
  inquiry: { learnerPosts: 40, social: 10, cognitive: 25, teaching: 5, groups: 3, thinTeachingGroups: 1 },
  plans: { submitted: 6, withManager: 4, withConversation: 3, checkIns: [
    { week: 2, dueOn: '2026-03-16', recorded: 5 }, { week: 4, dueOn: '2026-03-30', recorded: 3 }, { week: 8, dueOn: '2026-04-27', recorded: 0 }] },
  ties: { crossGroup: [0, 2, 4, 6, 7, 8, 8, 9, 9], isolated: [9, 6, 4, 3, 2, 2, 1, 1, 1] },
  ...over,
});
const row = (f: ProgrammeSnapshotFigures | null) => ({ id: 'c1', title: 'Spring', figures: f, refreshedAt: new Date('2026-04-01T02:41:00Z') });

describe('programme snapshot figures', () => {
  it('balances Community of Inquiry presences as shares of every indicator counted', () => {
    const c = cohortFromSnapshot(row(figures()), [], '2026-04-01');
    expect(c.inquiry).to.deep.equal({ shown: true, value: { social: 0.25, cognitive: 0.625, teaching: 0.125, thinTeachingGroups: 1, groups: 3 } });
    expect(cohortFromSnapshot(row(figures({ learners: 4 })), [], '2026-04-01').inquiry).to.deep.equal({ shown: false });
  });

  it('shows plans over learners, check-ins and conversations over submitted plans, a check-in not yet due as such', () => {
    const c = cohortFromSnapshot(row(figures()), [], '2026-04-01');
    expect(c.plansSubmitted).to.deep.equal({ shown: true, value: 0.6 });
    expect(c.checkIns[2]).to.deep.equal({ state: 'shown', value: { shown: true, value: 5 / 6 } });
    expect(c.checkIns[4]).to.deep.equal({ state: 'shown', value: { shown: true, value: 0.5 } });
    expect(c.checkIns[8]).to.deep.equal({ state: 'not-due' });
    expect(c.conversations).to.deep.equal({ shown: true, value: 0.5 });
  });

  it('withholds follow-through over fewer than five submitted plans', () => {
    const c = cohortFromSnapshot(row(figures({ plans: { submitted: 4, withManager: 1, withConversation: 1, checkIns: [{ week: 2, dueOn: '2026-03-16', recorded: 4 }] } })), [], '2026-04-01');
    expect(c.checkIns[2]).to.deep.equal({ state: 'shown', value: { shown: false } });
    expect(c.checkIns[4]).to.deep.equal({ state: 'not-scheduled' });
    expect(c.conversations).to.deep.equal({ shown: false });
  });

  it('measures goals against the snapshot: ties by module, check-ins by week; a module goal is off without relationship analytics', () => {
    const goals = [
      { id: 'g1', kind: 'cross-group-ties' as const, threshold: 0.7, at: 6 },
      { id: 'g2', kind: 'check-in-share' as const, threshold: 0.7, at: 4 },
      { id: 'g3', kind: 'isolated-share' as const, threshold: 0.1, at: 9 },
    ];
    const c = cohortFromSnapshot(row(figures()), goals, '2026-04-01');
    expect(c.goals.map((g) => g.progress)).to.deep.equal([{ state: 'met', share: 0.8 }, { state: 'not-yet', share: 0.5 }, { state: 'met', share: 0.1 }]);
    const off = cohortFromSnapshot(row(figures({ relationshipAnalytics: false, ties: null })), goals, '2026-04-01');
    expect(off.goals.map((g) => g.progress.state)).to.deep.equal(['off', 'not-yet', 'off']);
  });

  it('says a cohort is being computed before its first snapshot', () => {
    const c = cohortFromSnapshot(row(null), [], '2026-04-01');
    expect(c.ready).to.equal(false);
    expect(c.completion).to.deep.equal({ shown: false });
  });

  it('keeps a tenant’s pictures until a cohort’s snapshot changes', () => {
    const overview = (refreshedAt: Date) => ({
      cohorts: [1, 2, 3].map((k) => cohortFromSnapshot({ id: `c${k}`, title: `Cohort ${k}`, figures: figures({ completed: k }), refreshedAt }, [], '2026-04-01')),
      goals: [], refreshedAt, trends: { completion: 'flat', participation: 'flat', density: 'flat', crossGroupShare: 'flat', isolatedShare: 'flat', plansSubmitted: 'flat' } as const,
    });
    const first = smallMultiplesOf(en, 't1', overview(new Date('2026-04-01T02:41:00Z')));
    expect(first.find((c) => c.label === 'Completed every module')?.rows.map((r) => r.value)).to.deep.equal(['40 %', '40 %', '40 %'].map((_, i) => `${(i + 1) * 10} %`));
    expect(smallMultiplesOf(en, 't1', overview(new Date('2026-04-01T02:41:00Z')))).to.equal(first);
    expect(smallMultiplesOf(en, 't2', overview(new Date('2026-04-01T02:41:00Z')))).not.to.equal(first);
    expect(smallMultiplesOf(en, 't1', overview(new Date('2026-04-01T02:42:00Z')))).not.to.equal(first);
  });

  describe('tiesByModule', () => {
    const nodes = [{ id: 'a', groupId: 'g1' }, { id: 'b', groupId: 'g1' }, { id: 'c', groupId: 'g2' }, { id: 'd', groupId: null }, { id: 'e', groupId: 'g2' }];
    it('counts learners with a tie across groups (either direction) and with no tie, up to each module’s last week', () => {
      const edges = [
        { from: 'a', to: 'b', weight: 1, week: '2026-W02' },
        { from: 'c', to: 'a', weight: 2, week: '2026-W03' },
        { from: 'd', to: 'e', weight: 1, week: '2026-W05' },
        { from: 'a', to: 'a', weight: 3, week: '2026-W01' },
        { from: 'x', to: 'e', weight: 1, week: '2026-W01' },
      ];
      expect(tiesByModule(nodes, edges, ['2026-W01', '2026-W02', '2026-W03', '2026-W05'])).to.deep.equal({
        crossGroup: [0, 0, 2, 4],
        isolated: [5, 3, 2, 0],
      });
    });
  });
});
