// Group formation over every cohort size from 1 to 200: the size rules, balance, determinism, the
// spread by attribute, late joiners, and the facilitator's moves.
import { i18nFor } from '../../server/i18n/i18n.ts';
import { expect } from 'chai';
import {
  formGroups, groupCountFor, GroupMoveError, moveMember, placeLateJoiner, validateGroups, groupProblemText, type GroupProblem, type FormationLearner,
} from '../../server/groups/group-formation.ts';

const SEEDS = [1, 2, 42, 2024, 0xdeadbeef];
const SIZES = Array.from({ length: 200 }, (_, i) => i + 1);

const cohort = (n: number, attribute?: (i: number) => string | null): FormationLearner[] =>
  Array.from({ length: n }, (_, i) => ({ id: `p-${String(i).padStart(3, '0')}`, attribute: attribute?.(i) }));
const sizesOf = (groups: string[][]) => groups.map((g) => g.length);
const countIn = (group: string[], ids: ReadonlySet<string>) => group.filter((m) => ids.has(m)).length;

/**
 * What breaks the rules in one formation, as messages (checked in plain code and asserted once per
 * test: a chai assertion per group would make the 1..200 sweeps slow).
 */
function ruleBreaks(groups: string[][], learners: FormationLearner[], label: string): string[] {
  const breaks: string[] = [];
  const placed = groups.flat();
  const ids = new Set(learners.map((l) => l.id));
  if (placed.length !== learners.length || new Set(placed).size !== placed.length || !placed.every((m) => ids.has(m))) {
    breaks.push(`${label}: not every learner placed exactly once`);
  }
  const sizes = sizesOf(groups);
  const n = learners.length;
  if (n > 0 && Math.max(...sizes) - Math.min(...sizes) > 1) breaks.push(`${label}: unbalanced ${sizes.join('+')}`);
  if (n >= 3 && sizes.some((s) => s < 3 || s > 5)) breaks.push(`${label}: a size outside 3..5 in ${sizes.join('+')}`);
  if (n > 0 && n < 3 && sizes.join() !== String(n)) breaks.push(`${label}: not one group of ${n}`);
  return breaks;
}

describe('formGroups', () => {
  it('gives no groups to an empty cohort and one group to a cohort of 1 to 5', () => {
    expect(formGroups([])).to.deep.equal([]);
    for (const n of [1, 2, 3, 4, 5]) expect(sizesOf(formGroups(cohort(n))), `n=${n}`).to.deep.equal([n]);
  });

  it('splits small cohorts as documented: 6 → 3+3, 7 → 4+3, 8 → 4+4, 9 → 5+4, 10 → 4+3+3, 13 → 5+4+4', () => {
    const expected: Record<number, number[]> = { 6: [3, 3], 7: [4, 3], 8: [4, 4], 9: [5, 4], 10: [4, 3, 3], 13: [5, 4, 4] };
    for (const [n, sizes] of Object.entries(expected)) expect(sizesOf(formGroups(cohort(Number(n)))), `n=${n}`).to.deep.equal(sizes);
  });

  it('places every learner exactly once, in balanced groups of 3 to 5, for every cohort size 1..200 and several seeds', () => {
    const breaks: string[] = [];
    for (const n of SIZES) {
      const learners = cohort(n);
      for (const seed of SEEDS) {
        const groups = formGroups(learners, { seed });
        breaks.push(...ruleBreaks(groups, learners, `n=${n} seed=${seed}`));
        if (groups.length !== groupCountFor(n)) breaks.push(`n=${n}: ${groups.length} groups, not ${groupCountFor(n)}`);
      }
    }
    expect(breaks).to.deep.equal([]);
  });

  it('keeps sizes within 3..5 whatever the target size, and aims at the target', () => {
    const breaks: string[] = [];
    for (const targetSize of [1, 3, 5, 8, 100]) {
      for (const n of SIZES) {
        const learners = cohort(n);
        breaks.push(...ruleBreaks(formGroups(learners, { targetSize, seed: n }), learners, `n=${n} target=${targetSize}`));
      }
    }
    expect(breaks).to.deep.equal([]);
    expect(sizesOf(formGroups(cohort(30), { targetSize: 3 }))).to.deep.equal(Array(10).fill(3));
    expect(sizesOf(formGroups(cohort(30), { targetSize: 5 }))).to.deep.equal(Array(6).fill(5));
    expect(() => formGroups(cohort(10), { targetSize: 0 })).to.throw(RangeError);
  });

  it('gives the same groups for the same seed, whatever order the learners come in', () => {
    for (const n of [7, 23, 60, 199]) {
      const learners = cohort(n, (i) => `d${i % 4}`);
      const reversed = [...learners].reverse();
      for (const seed of SEEDS) {
        for (const spreadBy of [false, true]) {
          expect(formGroups(learners, { seed, spreadBy }), `n=${n} seed=${seed}`).to.deep.equal(formGroups(reversed, { seed, spreadBy }));
        }
      }
    }
  });

  it('shuffles: different seeds give different groups, and not simply the input order', () => {
    const learners = cohort(40);
    const outcomes = new Set(SEEDS.map((seed) => JSON.stringify(formGroups(learners, { seed }))));
    expect(outcomes.size).to.equal(SEEDS.length);
    const inOrder = learners.map((l) => l.id);
    expect(formGroups(learners, { seed: 7 }).flat()).to.not.deep.equal(inOrder);
  });

  it('refuses a learner listed twice', () => {
    expect(() => formGroups([{ id: 'a' }, { id: 'b' }, { id: 'a' }])).to.throw(RangeError, /a appears twice/);
  });

  describe('spreadBy', () => {
    const departments = cohort(36, (i) => ['Sales', 'Finance', 'Support'][i % 3]!);
    const idsOf = (dept: string) => new Set(departments.filter((l) => l.attribute === dept).map((l) => l.id));

    it('spreads 3 departments of 12: at most ⌈12/g⌉ of one department and at least two departments per group', () => {
      for (const targetSize of [3, 4, 5]) {
        for (const seed of SEEDS) {
          const groups = formGroups(departments, { spreadBy: true, seed, targetSize });
          expect(groups.length).to.be.at.least(3);
          expect(ruleBreaks(groups, departments, `target=${targetSize}`)).to.deep.equal([]);
          for (const g of groups) {
            const counts = ['Sales', 'Finance', 'Support'].map((d) => countIn(g, idsOf(d)));
            for (const c of counts) expect(c, `target=${targetSize} seed=${seed}`).to.be.at.most(Math.ceil(12 / groups.length));
            expect(counts.filter((c) => c > 0).length, `target=${targetSize} seed=${seed}`).to.be.at.least(2);
          }
        }
      }
    });

    it('puts ⌊b/g⌋ or ⌈b/g⌉ of every attribute value in each group, for every cohort size, with learners lacking one filling in', () => {
      const breaks: string[] = [];
      for (const n of SIZES) {
        // Uneven buckets (about half in "a"), blanks, nulls and case/space variants of one value.
        const attribute = (i: number) => [null, 'a', ' A ', 'b', 'a', 'c', '', 'a', 'B', 'tz+2'][(i * 7 + n) % 10]!;
        const learners = cohort(n, attribute);
        const buckets = new Map<string, Set<string>>();
        for (const l of learners) {
          const key = l.attribute?.trim().toLowerCase() || '(none)';
          buckets.set(key, (buckets.get(key) ?? new Set()).add(l.id));
        }
        for (const seed of SEEDS.slice(0, 3)) {
          const groups = formGroups(learners, { spreadBy: true, seed });
          breaks.push(...ruleBreaks(groups, learners, `n=${n} seed=${seed}`));
          for (const [key, ids] of buckets) {
            const [low, high] = [Math.floor(ids.size / groups.length), Math.ceil(ids.size / groups.length)];
            const counts = groups.map((g) => countIn(g, ids));
            if (counts.some((c) => c < low || c > high)) breaks.push(`n=${n} seed=${seed}: "${key}" spread ${counts.join('/')}`);
          }
        }
      }
      expect(breaks).to.deep.equal([]);
    });

    it('without spreadBy, the attribute is ignored', () => {
      const plain = cohort(36);
      expect(formGroups(departments, { seed: 5 })).to.deep.equal(formGroups(plain, { seed: 5 }));
    });
  });
});

describe('placeLateJoiner', () => {
  it('chooses the smallest group, ties to the first by id', () => {
    expect(placeLateJoiner([{ id: 'g2', size: 4 }, { id: 'g1', size: 3 }, { id: 'g3', size: 5 }])).to.deep.equal({ groupId: 'g1', overflow: false });
    expect(placeLateJoiner([{ id: 'g3', size: 4 }, { id: 'g2', size: 4 }, { id: 'g1', size: 5 }])).to.deep.equal({ groupId: 'g2', overflow: false });
    // The tie-break is by id whatever the order groups come in: first, middle or last.
    for (const order of [['g1', 'g2', 'g3'], ['g2', 'g1', 'g3'], ['g3', 'g2', 'g1'], ['g2', 'g3', 'g1']]) {
      expect(placeLateJoiner(order.map((id) => ({ id, size: 4 }))), order.join(',')).to.deep.equal({ groupId: 'g1', overflow: false });
    }
  });

  it('still chooses the smallest group when every group has 5, and says it overflows', () => {
    expect(placeLateJoiner([{ id: 'b', size: 5 }, { id: 'a', size: 6 }])).to.deep.equal({ groupId: 'b', overflow: true });
  });

  it('places no one when there are no groups', () => {
    expect(placeLateJoiner([])).to.equal(undefined);
  });
});

describe('moveMember', () => {
  const groups = [['a', 'b', 'c'], ['d', 'e', 'f', 'g']];

  it('moves a member to the end of another group and returns new arrays', () => {
    const before = structuredClone(groups);
    const moved = moveMember(groups, 'g', 0);
    expect(moved).to.deep.equal([['a', 'b', 'c', 'g'], ['d', 'e', 'f']]);
    expect(groups).to.deep.equal(before);
    expect(moved[0]).to.not.equal(groups[0]);
  });

  it('changes nothing when the member is already in that group', () => {
    expect(moveMember(groups, 'a', 0)).to.deep.equal(groups);
  });

  it('keeps a group emptied by a move, so indices still name the same groups', () => {
    expect(moveMember([['a'], ['b', 'c']], 'a', 1)).to.deep.equal([[], ['b', 'c', 'a']]);
  });

  it('takes a member listed in two groups out of both', () => {
    expect(moveMember([['a', 'b'], ['a', 'c'], ['d']], 'a', 2)).to.deep.equal([['b'], ['c'], ['d', 'a']]);
  });

  it('throws a GroupMoveError for an unknown member or a group index out of range', () => {
    expect(() => moveMember(groups, 'zz', 1)).to.throw(GroupMoveError).with.property('reason', 'unknown-member');
    for (const index of [-1, 2, 0.5, Number.NaN]) {
      expect(() => moveMember(groups, 'a', index), String(index)).to.throw(GroupMoveError).with.property('reason', 'no-such-group');
    }
    expect(() => moveMember(groups, 'zz', 1)).to.throw(GroupMoveError).with.property('status', 400);
  });
});

describe('validateGroups', () => {
  const english = (p: GroupProblem) => groupProblemText(i18nFor('en'), p);
  it('finds nothing wrong with formed groups', () => {
    expect(SIZES.flatMap((n) => validateGroups(formGroups(cohort(n), { seed: n })))).to.deep.equal([]);
  });

  it('flags a group under 3 or over 5, and an empty group', () => {
    expect(validateGroups([['a', 'b'], ['c', 'd', 'e', 'f', 'g', 'h'], []]).map(english)).to.deep.equal([
      'Group 1 has 2 learners; groups need 3 to 5.',
      'Group 2 has 6 learners; groups need 3 to 5.',
      'Group 3 is empty.',
    ]);
    expect(validateGroups([['a'], ['b', 'c', 'd']]).map(english)).to.deep.equal(['Group 1 has 1 learner; groups need 3 to 5.']);
  });

  it('flags a member in two groups, or twice in one, with the names it is given', () => {
    const names = { member: (id: string) => id.toUpperCase(), group: (i: number) => ['Otters', 'Herons', 'Foxes'][i] ?? `Group ${i + 1}` };
    expect(validateGroups([['a', 'b', 'c'], ['a', 'd', 'e'], ['f', 'g', 'h', 'a']], names).map(english)).to.deep.equal(['A is in Otters, Herons and Foxes.']);
    expect(validateGroups([['a', 'b', 'c', 'a'], ['d', 'e', 'f']]).map(english)).to.deep.equal(['a is listed twice in Group 1.']);
  });

  it('does not flag the single group of a cohort of 1 or 2, but does flag such a cohort split in two', () => {
    expect(validateGroups([['a']])).to.deep.equal([]);
    expect(validateGroups([['a', 'b']])).to.deep.equal([]);
    expect(validateGroups([['a'], ['b']])).to.have.lengthOf(2);
  });

  it('flags a move that leaves a group too small', () => {
    const groups = formGroups(cohort(6), { seed: 3 });
    const moved = moveMember(groups, groups[0]![0]!, 1);
    expect(validateGroups(moved).map(english)).to.deep.equal(['Group 1 has 2 learners; groups need 3 to 5.']);
  });
});
