// CSV exports for facilitators: progress and participation per learner (by name, as the console
// shows them), and the edge list, always anonymised ("Learner n" as on the network page by default).
// Headers and words in the facilitator's language; names and group names as they are.
import * as analytics from '../../models/analytics.queries.ts';
import type { LaunchContext } from '../launch-context.ts';
import { keptProgress, participation, socialCapital, type AnalyticsDeps } from './analytics.service.ts';
import { toCsv } from './csv.ts';
import { COMPLETION_MESSAGE, completionState } from '../modules/schedule.ts';
import type { I18n } from '../i18n/i18n.ts';

/** `cohort`: as the route already holds it. */
export async function exportCsv(deps: AnalyticsDeps, who: LaunchContext, cohort: { createdAt: Date }, i18n: I18n, kind: 'progress' | 'participation' | 'edges'): Promise<string> {
  const header = (names: readonly string[]) => names.map((n) => i18n.t(`analytics.csv.${n}`));
  const nameNotShared = i18n.t('analytics.nameNotShared');
  switch (kind) {
    case 'progress': {
      const [progress, people, groups] = await Promise.all([
        keptProgress(deps, who, cohort),
        analytics.listLearners(deps.db, who.tenantId, who.cohortId),
        analytics.listGroupsOf(deps.db, who.tenantId, who.cohortId),
      ]);
      const groupOf = new Map(people.map((p) => [p.membershipId, groups.find((g) => g.id === p.groupId)?.name ?? '']));
      const { modules } = await deps.workshops.forCohort(who.tenantId, who.cohortId);
      const now = deps.now();
      return toCsv(
        [...header(['learner', 'group']), ...modules.map((m) => i18n.t('analytics.csv.module', { number: m.id })), ...header(['modulesComplete'])],
        progress.rows.map((r) => [
          r.name ?? nameNotShared,
          groupOf.get(r.membershipId) ?? '',
          // In the words of the one completion state every page shows.
          ...modules.map((m, i) => i18n.t(COMPLETION_MESSAGE[completionState(now, progress.dates[i]!, { completed: r.completed.includes(m.id), started: r.started.includes(m.id) })])),
          r.completed.length,
        ]),
      );
    }
    case 'participation': {
      const rows = await participation(deps, who);
      return toCsv(
        header(['learner', 'group', 'threadsStarted', 'replies', 'kudosGiven', 'kudosReceived', 'mentionsMade', 'responsesSubmitted', 'modulesComplete', 'lastActive']),
        rows.map((p) => [p.name ?? nameNotShared, p.group, p.posts, p.replies, p.kudosGiven, p.kudosReceived, p.mentionsMade, p.responsesSubmitted, p.modulesDone, p.lastActiveAt]),
      );
    }
    case 'edges': {
      const s = await socialCapital(deps, who);
      // Always anonymised, whatever the cohort's setting for the picture: a file travels further.
      const label = new Map(s.people.nodes.map((n, i) => [n.id, i18n.t('analytics.social.learnerNumber', { number: i + 1 })]));
      const group = new Map(s.people.nodes.map((n) => [n.id, s.people.groups.find((g) => g.id === n.groupId)?.name ?? '']));
      return toCsv(
        header(['from', 'to', 'fromGroup', 'toGroup', 'interactions', 'replies', 'kudos', 'mentions']),
        s.edges.map((e) => [label.get(e.from)!, label.get(e.to)!, group.get(e.from)!, group.get(e.to)!, e.weight, e.replies, e.kudos, e.mentions]),
      );
    }
  }
}
