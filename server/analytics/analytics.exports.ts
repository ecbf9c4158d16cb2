// CSV exports for facilitators: progress and participation per learner (by name, as the console
// shows them), and the edge list, always anonymised ("Learner n" as on the network page by default).
// Headers and words in the facilitator's language; names and group names as they are.
import type { LaunchContext } from '../launch-context.ts';
import { cohortPeople, keptProgress, participation, socialCapital, type AnalyticsDeps, type CohortPeople, type ParticipationRow } from './analytics.service.ts';
import { toCsv } from './csv.ts';
import { COMPLETION_MESSAGE, completionState } from '../modules/schedule.ts';
import type { I18n } from '../i18n/i18n.ts';
import { KeptFor } from '../cache/kept-for.ts';
import type { CohortFigures } from './cohort-figures.ts';

// A file is kept as its bytes by what it is made from (kept figures and people: each one frozen
// object until it changes), the reader's I18n and, for progress, which modules are open: a
// 600-learner cohort's file was made again at every download.
const keptProgressFiles = new KeptFor<[CohortFigures['progress'], CohortPeople, I18n, string], Buffer>();
const keptParticipationFiles = new KeptFor<[readonly ParticipationRow[], I18n], Buffer>();
const keptEdgeFiles = new KeptFor<[CohortFigures['social']['edges'], CohortPeople, I18n], Buffer>();

/** `cohort`: as the route already holds it. */
export async function exportCsv(deps: AnalyticsDeps, who: LaunchContext, cohort: { createdAt: Date }, i18n: I18n, kind: 'progress' | 'participation' | 'edges'): Promise<Buffer> {
  const header = (names: readonly string[]) => names.map((n) => i18n.t(`analytics.csv.${n}`));
  const nameNotShared = i18n.t('analytics.nameNotShared');
  switch (kind) {
    case 'progress': {
      const [progress, people, { modules }] = await Promise.all([keptProgress(deps, who, cohort), cohortPeople(deps, who), deps.workshops.forCohort(who.tenantId, who.cohortId)]);
      const now = deps.now();
      // What decides every cell besides the rows: the modules and which of them are open now.
      const open = modules.map((m, i) => `${m.id}:${progress.dates[i]!.getTime() <= now.getTime() ? 1 : 0}`).join(',');
      return keptProgressFiles.get([progress.rows, people, i18n, open], () => {
        const groupName = new Map(people.groups.map((g) => [g.id, g.name]));
        const groupOf = new Map(people.learners.map((p) => [p.membershipId, (p.groupId && groupName.get(p.groupId)) ?? '']));
        return csvBytes(
          [...header(['learner', 'group']), ...modules.map((m) => i18n.t('analytics.csv.module', { number: m.id })), ...header(['modulesComplete'])],
          progress.rows.map((r) => [
            r.name ?? nameNotShared,
            groupOf.get(r.membershipId) ?? '',
            // In the words of the one completion state every page shows.
            ...modules.map((m, i) => i18n.t(COMPLETION_MESSAGE[completionState(now, progress.dates[i]!, { completed: r.completed.includes(m.id), started: r.started.includes(m.id) })])),
            r.completed.length,
          ]),
        );
      });
    }
    case 'participation': {
      const rows = await participation(deps, who);
      return keptParticipationFiles.get([rows, i18n], () =>
        csvBytes(
          header(['learner', 'group', 'threadsStarted', 'replies', 'kudosGiven', 'kudosReceived', 'mentionsMade', 'responsesSubmitted', 'modulesComplete', 'lastActive']),
          rows.map((p) => [p.name ?? nameNotShared, p.group, p.posts, p.replies, p.kudosGiven, p.kudosReceived, p.mentionsMade, p.responsesSubmitted, p.modulesDone, p.lastActiveAt]),
        ),
      );
    }
    case 'edges': {
      const s = await socialCapital(deps, who);
      return keptEdgeFiles.get([s.edges, s.people, i18n], () => {
        // Always anonymised, whatever the cohort's setting for the picture: a file travels further.
        const label = new Map(s.people.nodes.map((n, i) => [n.id, i18n.t('analytics.social.learnerNumber', { number: i + 1 })]));
        const group = new Map(s.people.nodes.map((n) => [n.id, s.people.groups.find((g) => g.id === n.groupId)?.name ?? '']));
        return csvBytes(
          header(['from', 'to', 'fromGroup', 'toGroup', 'interactions', 'replies', 'kudos', 'mentions']),
          s.edges.map((e) => [label.get(e.from)!, label.get(e.to)!, group.get(e.from)!, group.get(e.to)!, e.weight, e.replies, e.kudos, e.mentions]),
        );
      });
    }
  }
}

const csvBytes = (...args: Parameters<typeof toCsv>) => Buffer.from(toCsv(...args), 'utf8');
