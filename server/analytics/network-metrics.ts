// Social capital of a cohort from its interaction edges (replies to an author, kudos giver → receiver,
// mentions author → mentioned): pure functions over a directed, weighted graph. No database, no HTTP.
//
// Definitions (the ones the page states):
// - A tie is an ordered pair of different members (a → b) with at least one interaction; its weight
//   is the number of interactions. Self-interactions and people outside the node set are ignored.
// - Density: ties / (n × (n − 1)), the share of possible directed ties that exist (0 when n < 2).
// - Reciprocity: the share of ties whose reverse tie also exists (null when there are no ties).
// - Cross-group share: the share of ties joining members of different groups (a member without a
//   group is in "no group"); for one group, the share of the ties touching it that leave it.
// - Isolated member: someone with no tie in or out, in the whole cohort's network.

export interface NetworkNode {
  id: string;
  groupId: string | null;
}

export interface Edge {
  from: string;
  to: string;
  weight: number;
}

/** Edges counted per ISO week (`2026-W48`), as SQL aggregates them. */
export interface WeeklyEdge extends Edge {
  week: string;
}

export interface NetworkMetrics {
  members: number;
  ties: number;
  interactions: number;
  density: number;
  reciprocity: number | null;
  crossGroupShare: number | null;
  isolated: string[];
}

/** Sums parallel edges into ties between distinct nodes of the set; key `from\u0000to`. */
export function tiesOf(nodes: readonly NetworkNode[], edges: readonly Edge[]): Map<string, Edge> {
  const ids = new Set(nodes.map((n) => n.id));
  const ties = new Map<string, Edge>();
  for (const e of edges) {
    if (e.from === e.to || e.weight <= 0 || !ids.has(e.from) || !ids.has(e.to)) continue;
    const key = `${e.from}\u0000${e.to}`;
    const tie = ties.get(key);
    if (tie) tie.weight += e.weight;
    else ties.set(key, { from: e.from, to: e.to, weight: e.weight });
  }
  return ties;
}

function reciprocityOf(ties: Map<string, Edge>): number | null {
  if (ties.size === 0) return null;
  let mutual = 0;
  for (const t of ties.values()) if (ties.has(`${t.to}\u0000${t.from}`)) mutual++;
  return mutual / ties.size;
}

function densityOf(n: number, ties: number): number {
  return n < 2 ? 0 : ties / (n * (n - 1));
}

function isolatedOf(nodes: readonly NetworkNode[], ties: Map<string, Edge>): string[] {
  const touched = new Set<string>();
  for (const t of ties.values()) touched.add(t.from).add(t.to);
  return nodes.filter((n) => !touched.has(n.id)).map((n) => n.id);
}

export function cohortMetrics(nodes: readonly NetworkNode[], edges: readonly Edge[]): NetworkMetrics {
  const ties = tiesOf(nodes, edges);
  const group = new Map(nodes.map((n) => [n.id, n.groupId]));
  let cross = 0;
  let interactions = 0;
  for (const t of ties.values()) {
    interactions += t.weight;
    if (group.get(t.from) !== group.get(t.to)) cross++;
  }
  return {
    members: nodes.length,
    ties: ties.size,
    interactions,
    density: densityOf(nodes.length, ties.size),
    reciprocity: reciprocityOf(ties),
    crossGroupShare: ties.size === 0 ? null : cross / ties.size,
    isolated: isolatedOf(nodes, ties),
  };
}

/**
 * One group's figures: density and reciprocity of the ties among its members; the share of the ties
 * touching the group (in or out) that join it to someone outside; its members isolated in the cohort.
 */
export function groupMetrics(nodes: readonly NetworkNode[], edges: readonly Edge[], groupId: string): NetworkMetrics {
  const all = tiesOf(nodes, edges);
  const members = nodes.filter((n) => n.groupId === groupId);
  const inGroup = new Set(members.map((n) => n.id));
  const internal = new Map<string, Edge>();
  let touching = 0;
  let leaving = 0;
  let interactions = 0;
  for (const [key, t] of all) {
    const a = inGroup.has(t.from);
    const b = inGroup.has(t.to);
    if (!a && !b) continue;
    touching++;
    if (a && b) {
      internal.set(key, t);
      interactions += t.weight;
    } else leaving++;
  }
  return {
    members: members.length,
    ties: internal.size,
    interactions,
    density: densityOf(members.length, internal.size),
    reciprocity: reciprocityOf(internal),
    crossGroupShare: touching === 0 ? null : leaving / touching,
    isolated: isolatedOf(members, all),
  };
}

/** ISO 8601 week of a date (UTC), as `YYYY-Www`: the same key PostgreSQL's `IYYY-"W"IW` gives. */
export function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day); // the Thursday of this week decides its year
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Every ISO week from the one holding `from` to the one holding `to`, in order. */
export function weeksBetween(from: Date, to: Date): string[] {
  const weeks: string[] = [];
  const last = isoWeek(to);
  for (let t = from.getTime(); weeks.length < 520; t += 7 * 86_400_000) {
    const w = isoWeek(new Date(t));
    if (weeks.at(-1) !== w) weeks.push(w);
    if (w === last || w > last) break;
  }
  return weeks;
}

export interface WeekPoint extends NetworkMetrics {
  week: string;
  /** Interactions that week alone (the other figures are cumulative). */
  newInteractions: number;
}

/**
 * Week by week, the cohort's figures over every interaction up to the end of that week (cumulative:
 * the network as it stood then), beside that week's own interaction count.
 */
export function weeklyTrend(nodes: readonly NetworkNode[], edges: readonly WeeklyEdge[], weeks: readonly string[]): WeekPoint[] {
  return weeks.map((week) => {
    const upTo = edges.filter((e) => e.week <= week);
    const thisWeek = tiesOf(nodes, edges.filter((e) => e.week === week));
    let newInteractions = 0;
    for (const t of thisWeek.values()) newInteractions += t.weight;
    return { week, newInteractions, ...cohortMetrics(nodes, upTo) };
  });
}
