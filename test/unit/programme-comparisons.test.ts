import { expect } from 'chai';
import { goalProgress, MIN_GROUP_SIZE, networkStages, shareOver, shownOver, trendOf, type GoalCounts } from '../../server/programme/comparisons.ts';
import type { WeekPoint } from '../../server/analytics/network-metrics.ts';

const point = (week: string, density: number, isolated: number, members = 10): WeekPoint => ({
  week, density, members, isolated: Array.from({ length: isolated }, (_, i) => `m${i}`), reciprocity: 0.5, crossGroupShare: 0.25, ties: 1, interactions: 1, newInteractions: 1,
});

describe('programme comparisons', () => {
  describe('suppression under the minimum size', () => {
    it('shows a figure over five people and hides it over four', () => {
      expect(MIN_GROUP_SIZE).to.equal(5);
      expect(shownOver(5, 0.4)).to.deep.equal({ shown: true, value: 0.4 });
      expect(shownOver(4, 0.4)).to.deep.equal({ shown: false });
      expect(shareOver(2, 4)).to.deep.equal({ shown: false });
      expect(shareOver(3, 6)).to.deep.equal({ shown: true, value: 0.5 });
    });
  });

  describe('networkStages', () => {
    it('takes the first, middle and last week of the cumulative trend, isolated as a share', () => {
      const stages = networkStages([point('W1', 0.1, 8), point('W2', 0.2, 5), point('W3', 0.3, 2), point('W4', 0.4, 1)]);
      expect(stages?.start).to.include({ density: 0.1, isolatedShare: 0.8 });
      expect(stages?.middle).to.include({ density: 0.2, isolatedShare: 0.5 });
      expect(stages?.end).to.include({ density: 0.4, isolatedShare: 0.1 });
    });
    it('has no stages for a cohort without interactions', () => {
      expect(networkStages([])).to.equal(null);
    });
  });

  describe('trendOf', () => {
    it('reads rising, falling and flat from the least-squares slope, skipping unknown values', () => {
      expect(trendOf([0.1, null, 0.2, 0.3])).to.include({ direction: 'rising' });
      expect(trendOf([0.5, 0.4, 0.3]).slope).to.be.closeTo(-0.1, 1e-9);
      expect(trendOf([0.5, 0.4, 0.3]).direction).to.equal('falling');
      expect(trendOf([0.3, 0.305, 0.3]).direction).to.equal('flat');
    });
    it('gives no trend from fewer than three known values', () => {
      expect(trendOf([0.1, null, 0.9])).to.deep.equal({ direction: 'too-few', slope: null });
    });
  });

  describe('goalProgress', () => {
    const counts: GoalCounts = {
      learners: 10,
      crossGroupByModule: [0, 1, 2, 3, 5, 7, 8, 9, 10],
      isolatedByModule: [10, 8, 6, 4, 3, 2, 1, 1, 0],
      plansSubmitted: 8,
      checkInsAtWeek: { 2: 7, 4: 5, 8: 2 },
    };
    it('meets "learners with a tie outside their group by module 6" at 70 % and not at 80 %', () => {
      expect(goalProgress({ kind: 'cross-group-ties', threshold: 0.7, at: 6 }, counts)).to.deep.equal({ state: 'met', share: 0.7 });
      expect(goalProgress({ kind: 'cross-group-ties', threshold: 0.8, at: 6 }, counts)).to.deep.equal({ state: 'not-yet', share: 0.7 });
    });
    it('counts check-ins at 4 weeks over submitted plans', () => {
      expect(goalProgress({ kind: 'check-in-share', threshold: 0.7, at: 4 }, counts)).to.deep.equal({ state: 'not-yet', share: 0.625 });
      expect(goalProgress({ kind: 'check-in-share', threshold: 0.6, at: 4 }, counts).state).to.equal('met');
    });
    it('meets an isolated-share goal when the share is at most the threshold', () => {
      expect(goalProgress({ kind: 'isolated-share', threshold: 0.2, at: 6 }, counts).state).to.equal('met');
      expect(goalProgress({ kind: 'isolated-share', threshold: 0.1, at: 6 }, counts).state).to.equal('not-yet');
    });
    it('shows too few when the cohort or its plans are under the minimum size', () => {
      expect(goalProgress({ kind: 'cross-group-ties', threshold: 0.1, at: 6 }, { ...counts, learners: 4 })).to.deep.equal({ state: 'too-few' });
      expect(goalProgress({ kind: 'check-in-share', threshold: 0.1, at: 2 }, { ...counts, plansSubmitted: 4 })).to.deep.equal({ state: 'too-few' });
    });
  });
});
