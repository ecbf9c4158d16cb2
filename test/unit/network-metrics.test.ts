// Network metrics on small graphs whose figures are worked out by hand in the comments.
import { expect } from 'chai';
import { cohortMetrics, groupMetrics, isoWeek, weeklyTrend, weeksBetween, type NetworkNode } from '../../server/analytics/network-metrics.ts';

// a, b, c in G1; d, e, f in G2 (f never interacts)
const nodes: NetworkNode[] = [
  { id: 'a', groupId: 'G1' }, { id: 'b', groupId: 'G1' }, { id: 'c', groupId: 'G1' },
  { id: 'd', groupId: 'G2' }, { id: 'e', groupId: 'G2' }, { id: 'f', groupId: 'G2' },
];
const edges = [
  { from: 'a', to: 'b', weight: 2 },
  { from: 'a', to: 'b', weight: 1 }, // parallel: the tie a→b weighs 3
  { from: 'b', to: 'a', weight: 1 },
  { from: 'a', to: 'c', weight: 1 },
  { from: 'c', to: 'd', weight: 1 }, // the one tie between groups
  { from: 'd', to: 'e', weight: 3 },
  { from: 'e', to: 'd', weight: 1 },
  { from: 'a', to: 'a', weight: 5 }, // self: ignored
  { from: 'x', to: 'a', weight: 4 }, // not a member: ignored
];

describe('network metrics', () => {
  it('computes the cohort’s density, reciprocity, cross-group share and isolated members exactly', () => {
    const m = cohortMetrics(nodes, edges);
    // 6 ties (a→b, b→a, a→c, c→d, d→e, e→d) of 6 × 5 = 30 possible
    expect(m.ties).to.equal(6);
    expect(m.density).to.equal(6 / 30);
    // a↔b and d↔e are mutual: 4 of the 6 ties
    expect(m.reciprocity).to.equal(4 / 6);
    // c→d only
    expect(m.crossGroupShare).to.equal(1 / 6);
    expect(m.isolated).to.deep.equal(['f']);
    expect(m.interactions).to.equal(3 + 1 + 1 + 1 + 3 + 1);
  });

  it('computes one group’s figures over its own ties and the ties that leave it', () => {
    const g1 = groupMetrics(nodes, edges, 'G1');
    // a→b, b→a, a→c among 3 members: 3 / 6; 2 of 3 mutual; c→d is 1 of the 4 ties touching G1
    expect([g1.members, g1.ties, g1.density, g1.reciprocity, g1.crossGroupShare, g1.isolated]).to.deep.equal([3, 3, 0.5, 2 / 3, 0.25, []]);
    // interactions inside G1 only: a→b weighs 3, b→a 1, a→c 1 (c→d leaves the group; a→a and x→a are ignored)
    expect(g1.interactions).to.equal(3 + 1 + 1);
    const g2 = groupMetrics(nodes, edges, 'G2');
    // d→e, e→d: 2 / 6, both mutual; c→d is 1 of the 3 ties touching G2; f isolated
    expect([g2.members, g2.ties, g2.density, g2.reciprocity, g2.crossGroupShare, g2.isolated]).to.deep.equal([3, 2, 1 / 3, 1, 1 / 3, ['f']]);
    // d→e weighs 3, e→d 1
    expect(g2.interactions).to.equal(3 + 1);
  });

  it('answers an empty or one-person network without dividing by zero', () => {
    expect(cohortMetrics([], [])).to.deep.equal({ members: 0, ties: 0, interactions: 0, density: 0, reciprocity: null, crossGroupShare: null, isolated: [] });
    expect(cohortMetrics([{ id: 'a', groupId: null }], [{ from: 'a', to: 'a', weight: 1 }]).isolated).to.deep.equal(['a']);
    expect(groupMetrics(nodes, [], 'G1')).to.include({ ties: 0, density: 0, reciprocity: null, crossGroupShare: null });
  });

  it('counts a tie from someone without a group to a grouped member as crossing groups', () => {
    const m = cohortMetrics([{ id: 'a', groupId: null }, { id: 'b', groupId: 'G' }, { id: 'c', groupId: 'G' }], [{ from: 'a', to: 'b', weight: 1 }, { from: 'b', to: 'c', weight: 1 }]);
    expect(m.crossGroupShare).to.equal(0.5);
    expect(m.density).to.equal(2 / 6);
  });

  it('gives a cumulative week-by-week trend with each week’s own interactions', () => {
    const trend = weeklyTrend(nodes, [
      { from: 'a', to: 'b', weight: 2, week: '2026-W01' },
      { from: 'b', to: 'a', weight: 1, week: '2026-W02' },
      { from: 'c', to: 'd', weight: 1, week: '2026-W04' },
    ], ['2026-W01', '2026-W02', '2026-W03', '2026-W04']);
    expect(trend.map((t) => [t.week, t.ties, t.density, t.reciprocity, t.crossGroupShare, t.newInteractions])).to.deep.equal([
      ['2026-W01', 1, 1 / 30, 0, 0, 2],
      ['2026-W02', 2, 2 / 30, 1, 0, 1],
      ['2026-W03', 2, 2 / 30, 1, 0, 0],
      ['2026-W04', 3, 3 / 30, 2 / 3, 1 / 3, 1],
    ]);
  });

  it('names ISO weeks as PostgreSQL does, across year ends', () => {
    expect(isoWeek(new Date('2026-01-01T12:00:00Z'))).to.equal('2026-W01'); // a Thursday
    expect(isoWeek(new Date('2024-12-30T00:00:00Z'))).to.equal('2025-W01'); // Monday of week 1 of 2025
    expect(isoWeek(new Date('2021-01-03T23:59:00Z'))).to.equal('2020-W53'); // Sunday
    expect(weeksBetween(new Date('2026-11-20T00:00:00Z'), new Date('2026-12-08T00:00:00Z'))).to.deep.equal(['2026-W47', '2026-W48', '2026-W49', '2026-W50']);
  });
});

describe('SVG pictures', () => {
  it('breaks a line chart where a value is missing, and escapes every label', async () => {
    const { lineChartSvg, networkSvg } = await import('../../server/analytics/svg-charts.ts');
    const svg = lineChartSvg({ id: 'c', title: 'T <&>', desc: 'D', labels: ['W1', 'W2', 'W3', 'W4'], max: 1, series: [{ name: 'S', colour: '#000', values: [0.1, 0.2, null, 0.4] }] });
    expect(svg.match(/<polyline /g)).to.have.length(2);
    expect(svg).to.contain('T &#60;&#38;&#62;');
    const net = networkSvg({ id: 'n', title: 't', desc: 'd', noGroup: 'No group', groups: ['<b>G</b>'], nodes: [{ id: 'a', label: '<script>x</script>', short: '"a"', group: 0 }], edges: [] });
    expect(net).not.to.contain('<script>').and.not.to.contain('<b>');
    expect(net).to.contain('&#60;script&#62;');
  });
});
