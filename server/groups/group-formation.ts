// Group formation: the pure rules behind "form groups", the facilitator's adjust step and late
// joiners. No I/O and no clock; randomness comes from a seed the caller passes (and may keep, so the
// same preview can be rebuilt).
import { msg, type I18n } from '../i18n/i18n.ts';
import { AppError } from '../errors.ts';

/** A group holds 3 to 5 learners (CONTEXT.md: Group). */
export const MIN_GROUP_SIZE = 3;
export const MAX_GROUP_SIZE = 5;
export const DEFAULT_GROUP_SIZE = 4;

export interface FormationLearner {
  id: string;
  /** The profile attribute to spread by (department, time zone…); null, missing or blank: none. */
  attribute?: string | null;
}

export interface FormationOptions {
  /** Spread learners who share an attribute value across the groups as evenly as possible. */
  spreadBy?: boolean;
  /** Seed of the shuffle, taken as a 32-bit unsigned integer. Default 1. */
  seed?: number;
  /** The group size aimed at (default 4); sizes still stay within 3..5 whatever it is. */
  targetSize?: number;
}

/**
 * How many groups `n` learners make: `round(n / targetSize)` (halves round up), clamped to
 * `ceil(n / 5) .. floor(n / 3)` so that balanced sizes all fall within 3..5 — such a count exists
 * for every n ≥ 3. With the default target of 4: 6 → 2, 7 → 2, 8 → 2, 9 → 2 (5+4), 10 → 3 (4+3+3),
 * 13 → 3 (5+4+4). Fewer than 3 learners (but at least one) make one group; none make none.
 */
export function groupCountFor(n: number, targetSize = DEFAULT_GROUP_SIZE): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`groupCountFor: a learner count, not ${n}`);
  if (!Number.isFinite(targetSize) || targetSize <= 0) throw new RangeError(`groupCountFor: a positive target size, not ${targetSize}`);
  if (n === 0) return 0;
  if (n < MIN_GROUP_SIZE) return 1;
  const fewest = Math.ceil(n / MAX_GROUP_SIZE);
  const most = Math.floor(n / MIN_GROUP_SIZE);
  return Math.min(most, Math.max(fewest, Math.round(n / targetSize)));
}

/**
 * Forms the groups of a cohort: lists of learner ids, every learner exactly once.
 *
 * - Sizes are balanced (largest − smallest ≤ 1) and, whenever the cohort has 3 learners or more,
 *   each within 3..5: a group of 1 or 2 is never left over, it is folded into the others. A cohort of
 *   1 or 2 learners simply gets one group of that size; no learners, no groups. The number of groups
 *   follows {@link groupCountFor}.
 * - The learners are put in id order, then shuffled with a small seeded PRNG: the same cohort and
 *   seed give the same groups whatever order the learners came in.
 * - `spreadBy`: learners are bucketed by attribute value (trimmed, case-insensitive), buckets taken
 *   largest first (ties by value), learners without a value last, and dealt round-robin. Each bucket
 *   then lands in consecutive turns of the deal, so every group gets ⌊b/g⌋ or ⌈b/g⌉ of a bucket of b
 *   learners across g groups: as even a spread as there is.
 *
 * Throws a RangeError when a learner id appears twice (a bug upstream, not a facilitator's mistake).
 */
export function formGroups(learners: ReadonlyArray<FormationLearner>, opts: FormationOptions = {}): string[][] {
  const { spreadBy = false, seed = 1, targetSize = DEFAULT_GROUP_SIZE } = opts;
  const seen = new Set<string>();
  for (const l of learners) {
    if (seen.has(l.id)) throw new RangeError(`formGroups: learner ${l.id} appears twice`);
    seen.add(l.id);
  }
  const groupCount = groupCountFor(learners.length, targetSize);
  if (groupCount === 0) return [];

  const ordered = [...learners].sort((a, b) => compareIds(a.id, b.id));
  const shuffled = shuffle(ordered, mulberry32(seed));
  const dealOrder = spreadBy ? bucketByAttribute(shuffled) : shuffled;

  // Round-robin: group j gets ⌈(n − j) / g⌉ learners, so the first n mod g groups hold one more.
  const groups: string[][] = Array.from({ length: groupCount }, () => []);
  dealOrder.forEach((learner, i) => groups[i % groupCount]!.push(learner.id));
  return groups;
}

function bucketByAttribute(learners: readonly FormationLearner[]): FormationLearner[] {
  const buckets = new Map<string, FormationLearner[]>();
  const without: FormationLearner[] = [];
  for (const l of learners) {
    const key = l.attribute?.trim().toLowerCase();
    if (!key) {
      without.push(l);
      continue;
    }
    const bucket = buckets.get(key);
    if (bucket) bucket.push(l);
    else buckets.set(key, [l]);
  }
  const sorted = [...buckets.entries()].sort(([ka, a], [kb, b]) => b.length - a.length || compareIds(ka, kb));
  return [...sorted.flatMap(([, bucket]) => bucket), ...without];
}

export interface LateJoinerPlacement {
  groupId: string;
  /** The group already had 5 or more: it grows past the usual size (better a 6 than a group of 1). */
  overflow: boolean;
}

/**
 * Where a late joiner goes: the smallest group, ties to the first by id. When every group already
 * has 5, still the smallest — a group of 6 is better than a new group of 1 — with `overflow` set so
 * the facilitator can be told. No groups: undefined (the cohort has not formed groups yet).
 */
export function placeLateJoiner(groups: ReadonlyArray<{ id: string; size: number }>): LateJoinerPlacement | undefined {
  let best: { id: string; size: number } | undefined;
  for (const g of groups) {
    if (!best || g.size < best.size || (g.size === best.size && compareIds(g.id, best.id) < 0)) best = g;
  }
  return best && { groupId: best.id, overflow: best.size >= MAX_GROUP_SIZE };
}

/** A move the facilitator asked for that cannot be made (a stale preview, a tampered form). */
export class GroupMoveError extends AppError {
  readonly reason: 'unknown-member' | 'no-such-group';
  constructor(reason: 'unknown-member' | 'no-such-group') {
    super(
      400,
      `group-move:${reason}`,
      reason === 'unknown-member' ? msg('groups.errors.unknownMember') : msg('groups.errors.noSuchGroup'),
    );
    this.reason = reason;
  }
}

/**
 * The facilitator's adjust step: `memberId` leaves whatever group(s) hold it and joins the end of
 * group `toIndex`. Returns new arrays (the input is not touched). A group emptied by the move stays,
 * empty, so indices keep naming the same groups; {@link validateGroups} points it out. Moving a
 * member to the group it is in changes nothing.
 */
export function moveMember(groups: string[][], memberId: string, toIndex: number): string[][] {
  if (!Number.isInteger(toIndex) || toIndex < 0 || toIndex >= groups.length) throw new GroupMoveError('no-such-group');
  if (!groups.some((g) => g.includes(memberId))) throw new GroupMoveError('unknown-member');
  if (groups[toIndex]!.includes(memberId) && groups.every((g, i) => i === toIndex || !g.includes(memberId))) {
    return groups.map((g) => [...g]);
  }
  return groups.map((g, i) => {
    const rest = g.filter((m) => m !== memberId);
    return i === toIndex ? [...rest, memberId] : rest;
  });
}

export interface GroupLabels {
  /** How to name a member in a message (default: the id). */
  member?: (id: string) => string;
  /** How to name a group (default: its position, worded by the reader's language). */
  group?: (index: number) => GroupName;
}

/**
 * What is wrong with a set of groups, as sentences for the preview page to show as warnings after
 * manual moves: an empty group, a group under 3 or over 5, a member in two groups (or twice in one).
 * Empty list: nothing to warn about. A cohort of 1 or 2 learners in a single group is not flagged —
 * that is the one group such a cohort gets.
 */
/** One thing wrong with a set of groups; `groupProblemText` words it in a reader's language. */
export type GroupProblem =
  | { kind: 'empty'; group: GroupName }
  | { kind: 'size'; group: GroupName; count: number }
  | { kind: 'twice'; member: string; group: GroupName }
  | { kind: 'in-several'; member: string; groups: GroupName[] };
/** A group's own name, or its position when it has none yet ("Group 2" in the reader's language). */
export type GroupName = string | { position: number };

export function validateGroups(groups: string[][], labels: GroupLabels = {}): GroupProblem[] {
  const memberName = labels.member ?? ((id: string) => id);
  const groupName = labels.group ?? ((i: number): GroupName => ({ position: i + 1 }));
  const problems: GroupProblem[] = [];

  const where = new Map<string, number[]>();
  groups.forEach((g, i) => g.forEach((m) => where.set(m, [...(where.get(m) ?? []), i])));
  const smallCohortInOneGroup = where.size < MIN_GROUP_SIZE && groups.filter((g) => g.length > 0).length <= 1;

  groups.forEach((g, i) => {
    const size = new Set(g).size;
    if (size === 0) problems.push({ kind: 'empty', group: groupName(i) });
    else if ((size < MIN_GROUP_SIZE && !smallCohortInOneGroup) || size > MAX_GROUP_SIZE) problems.push({ kind: 'size', group: groupName(i), count: size });
  });

  for (const [member, indices] of where) {
    if (indices.length < 2) continue;
    const distinct = [...new Set(indices)];
    problems.push(distinct.length === 1 ? { kind: 'twice', member: memberName(member), group: groupName(distinct[0]!) } : { kind: 'in-several', member: memberName(member), groups: distinct.map(groupName) });
  }
  return problems;
}

/** A problem as a sentence in the reader's language. */
export function groupProblemText(i18n: I18n, p: GroupProblem): string {
  const name = (g: GroupName) => (typeof g === 'string' ? g : i18n.t('groups.defaultName', { position: g.position }));
  switch (p.kind) {
    case 'empty':
      return i18n.t('groups.warning.empty', { group: name(p.group) });
    case 'size':
      return i18n.t('groups.warning.size', { group: name(p.group), count: p.count, min: MIN_GROUP_SIZE, max: MAX_GROUP_SIZE });
    case 'twice':
      return i18n.t('groups.warning.twice', { member: p.member || i18n.t('groups.aLearner'), group: name(p.group) });
    case 'in-several':
      return i18n.t('groups.warning.inSeveral', { member: p.member || i18n.t('groups.aLearner'), groups: i18n.list(p.groups.map(name)) });
  }
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** mulberry32: a tiny, well-mixed 32-bit PRNG; enough for shuffling a cohort. */
function mulberry32(seed: number): () => number {
  let state = Number.isFinite(seed) ? Math.trunc(seed) >>> 0 : 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates on a copy. */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
