import { attachmentView, type PostAttachmentRow } from '../media/attachment-view.ts';
import type { Cohort, ActivityResponse } from '../../models/schema.ts';
import type { CohortMemberRow } from '../../models/cohorts.queries.ts';
import type { MemberTablePage } from '../../models/console.queries.ts';
import type { OpenNudge } from '../../models/nudges.queries.ts';
import type { AnnouncementRow } from '../../models/moderation.queries.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { Workshop } from '../modules/workshop-content.ts';
import Handlebars from 'handlebars';
import type { I18n } from '../i18n/i18n.ts';
import { completionState, completionView, COMPLETION_STATES } from '../modules/schedule.ts';
import { KeptFor } from '../cache/kept-for.ts';

const ROLE_LABEL = { learner: 'cohorts.role.learner', facilitator: 'cohorts.role.facilitator', observer: 'cohorts.role.observer' } as const;

/**
 * A catalog message as HTML with an element (a name, a link with its own attributes) where its
 * placeholder stands: the sentence stays whole, in whatever word order the language needs.
 */
export function hubView(i18n: I18n, cohort: Cohort, launch: LaunchContext) {
  const esc = Handlebars.escapeExpression;
  return {
    cohort: { id: cohort.id, title: cohort.title, label: cohort.label },
    person: { name: launch.displayName, isFacilitator: launch.role === 'facilitator', isLearner: launch.role === 'learner' },
    contentLanguage: cohort.language,
    welcomeHtml: i18n.html('cohorts.hub.welcome', { name: new Handlebars.SafeString(`<span data-test="learner-name" translate="no">${esc(launch.displayName)}</span>`) }),
    commonsHtml: i18n.html('cohorts.hub.commons', { commons: new Handlebars.SafeString(`<a href="/cohorts/${esc(cohort.id)}/commons" data-test="commons-link">${esc(i18n.t('cohorts.hub.commonsLink'))}</a>`) }),
  };
}

/** The hub's messages: the learner's open nudges (each dismissable) and the announcements they see, newest first. */
export function hubMessagesView(i18n: I18n, cohortId: string, hub: { nudges: OpenNudge[]; announcements: AnnouncementRow[] }) {
  return {
    nudges: hub.nudges.map((n) => ({ id: n.id, message: n.message, from: n.senderName ?? i18n.t('analytics.hubNudge.yourFacilitator'), when: i18n.date(n.createdAt), dismiss: `/cohorts/${cohortId}/nudges/${n.id}/dismiss` })),
    announcements: hub.announcements.map((a) => ({
      title: a.title,
      body: a.body,
      to: a.groupName ? i18n.t('cohorts.hub.announcementToGroup', { group: a.groupName }) : i18n.t('cohorts.hub.announcementToCohort'),
      when: i18n.date(a.createdAt),
      whenIso: a.createdAt.toISOString(),
    })),
  };
}

/**
 * rosterView's result, kept by the page of members it is made from (the app keeps a page, one frozen
 * object, until a member of the cohort changes), its cohort and the reader's I18n: the console keeps
 * the table by it.
 */
const keptRosterViews = new KeptFor<[MemberTablePage, string, I18n], ReturnType<typeof makeRosterView>>();

/** The console's member table (also served alone while a first roster is on its way): one page of members (keyset), links to the next page and back to the first, and the cohort's counts. */
export function rosterView(i18n: I18n, page: MemberTablePage, cohortId: string) {
  return keptRosterViews.get([page, cohortId, i18n], () => makeRosterView(i18n, page, cohortId));
}

function makeRosterView(i18n: I18n, page: MemberTablePage, cohortId: string) {
  const here = `/cohorts/${cohortId}/console`;
  return {
    members: page.members.map((m) => ({
      name: m.name ?? undefined,
      email: m.email,
      role: i18n.t(ROLE_LABEL[m.role]),
      status: m.status,
      lastLaunch: m.lastLaunchAt ? { text: i18n.dateTime(m.lastLaunchAt), iso: m.lastLaunchAt.toISOString() } : undefined,
      // an active learner can be nudged from here too (the dashboard's form, issue 16 item 8)
      nudgeHref: m.role === 'learner' && m.status === 'active' ? `${here}/nudges/${m.membershipId}` : undefined,
    })),
    memberPages: page.nextAfter || page.later ? { next: page.nextAfter ? `${here}?members_after=${page.nextAfter}#members` : undefined, first: page.later ? `${here}#members` : undefined } : undefined,
    counts: { learners: page.learners, facilitators: page.facilitators },
  };
}

interface ProgressRow {
  membershipId: string;
  name: string | null;
  completed: number[];
  started: number[];
}

/** Rows of the heatmap a screen page shows: a 600-learner cohort's page shows 50 of them, not 600. */
export const HEATMAP_PAGE_SIZE = 50;

/**
 * One page of the heatmap's rows (the kept figures' order), after the learner `after` (any other id:
 * the first page), keyset like the member table. `here` is the page's own address.
 */
function heatmapPage<R extends { membershipId: string }>(rows: readonly R[], after: string | undefined, size: number, here: string) {
  const start = after === undefined ? 0 : rows.findIndex((r) => r.membershipId === after) + 1;
  const shown = rows.slice(start, start + size);
  const nextAfter = start + size < rows.length ? shown.at(-1)!.membershipId : undefined;
  return {
    start,
    rows: shown,
    pages:
      nextAfter || start > 0
        ? { first: start > 0 ? `${here}#progress` : undefined, next: nextAfter ? `${here}?progress_after=${nextAfter}#progress` : undefined, from: start + 1, to: start + shown.length, total: rows.length }
        : undefined,
  };
}

export function consoleView(
  i18n: I18n,
  cohort: Cohort,
  launch: LaunchContext,
  /** A page of the member table, or a whole list (none, for the pages that show only the heatmap). */
  members: MemberTablePage | CohortMemberRow[],
  progress: { dates: readonly Date[]; rows: readonly ProgressRow[] },
  workshop: Workshop,
  scheduled: boolean,
  /** The heatmap a page at a time on a screen (the console, the dashboard); the printable report shows every row. */
  heatmapPaging?: { after: string | undefined; here: string },
) {
  const now = Date.now();
  const today = new Date(now);
  const heat = heatmapPaging ? heatmapPage(progress.rows, heatmapPaging.after, HEATMAP_PAGE_SIZE, heatmapPaging.here) : { start: 0, rows: progress.rows, pages: undefined };
  // Which modules are open today: with the rows, what decides every cell.
  const open = workshop.modules.map((_, i) => (progress.dates[i]!.getTime() <= now ? 1 : 0)).join('');
  return {
    cohort: { id: cohort.id, title: cohort.title, label: cohort.label },
    person: { name: launch.displayName },
    // The member table (kept by its page: a block of its own on the console) and the counts above it.
    ...withCounts(rosterView(i18n, Array.isArray(members) ? { members, nextAfter: undefined, later: false, learners: members.filter((m) => m.role === 'learner').length, facilitators: members.filter((m) => m.role === 'facilitator').length } : members, cohort.id)),
    contentLanguage: cohort.language,
    scheduled,
    // Kept with the kept dates: nine dates formatted and nine messages at every request otherwise.
    schedule: keptSchedule.get([progress.dates, workshop, i18n, open], () =>
      Object.freeze(
        workshop.modules.map((m, i) => {
          const d = progress.dates[i]!;
          return Object.freeze({ number: m.id, title: m.title, date: d.toISOString().slice(0, 10), isOpen: d.getTime() <= now, opensOn: i18n.t('cohorts.schedule.opensOn', { date: i18n.date(d) }) });
        }),
      ),
    ),
    heatmapModules: workshop.modules.map((m) => ({ number: m.id, title: m.title })),
    // The cells' marks, named in the words every page uses.
    heatmapLegend: COMPLETION_STATES.map((state) => completionView(i18n, state)),
    heatmapPages: heat.pages,
    heatmap: keptHeatmapRows.get([progress.rows, `${cohort.id} ${heat.start} ${heat.rows.length} ${workshop.modules.map((m) => m.id).join(',')} ${open}`, i18n], () =>
      heat.rows.map((r) => ({
        name: r.name ?? i18n.t('cohorts.nameNotShared'),
        href: `/cohorts/${cohort.id}/console/learners/${r.membershipId}`,
        doneCount: r.completed.length,
        cells: workshop.modules.map((m, i) => {
          const state = completionState(today, progress.dates[i]!, { completed: r.completed.includes(m.id), started: r.started.includes(m.id) });
          return completionView(i18n, state);
        }),
      })),
    ),
  };
}

const withCounts = (roster: ReturnType<typeof rosterView>) => ({ roster, counts: roster.counts });

type HeatmapRowView = { name: string; href: string; doneCount: number; cells: Array<ReturnType<typeof completionView>> };

/**
 * The heatmap's rows as a page shows them, kept with the progress rows they were made from (the kept
 * figures': one frozen array while they are current), for the same cohort, page of rows, modules
 * and modules open, and reader's I18n: the page keeps their table by this array ({{#keep}}). The
 * printable report of a 600-learner cohort shows 600 rows of nine cells.
 */
const keptHeatmapRows = new KeptFor<[readonly ProgressRow[], string, I18n], HeatmapRowView[]>();

/** The console's schedule form rows, kept with the kept open dates, for the workshop, reader's I18n and modules open. `opensOn`: the badge of a module not yet open, in the reader's words. */
interface ScheduleRowView { number: number; title: string; date: string; isOpen: boolean; opensOn: string }
const keptSchedule = new KeptFor<[readonly Date[], Workshop, I18n, string], readonly ScheduleRowView[]>();

export function sharedResponsesView(i18n: I18n, cohort: Cohort, launch: LaunchContext, member: CohortMemberRow, responses: ActivityResponse[], workshop: Workshop, files: Array<PostAttachmentRow & { responseId: string }> = []) {
  return {
    cohort: { id: cohort.id, title: cohort.title },
    person: { name: launch.displayName },
    learner: { name: member.name ?? i18n.t('cohorts.nameNotShared') },
    contentLanguage: cohort.language,
    responses: responses.map((r) => {
      const module = workshop.byId(r.moduleId);
      const activity = module?.activities.find((a) => a.id === r.activityId);
      const c = r.content as Record<string, unknown>;
      return {
        module: module ? `${module.id}. ${module.title}` : i18n.t('cohorts.moduleNumber', { number: r.moduleId }),
        activity: activity?.title ?? r.activityId,
        kind: r.kind,
        text: String(c.text ?? c.evidence ?? c.why ?? ''),
        url: typeof c.url === 'string' ? c.url : undefined,
        tags: Array.isArray(c.tags) ? c.tags.join(', ') : '',
        submittedOn: r.submittedAt ? i18n.date(r.submittedAt) : '',
        // Shown as in a post, without a post's moderation buttons.
        files: files.filter((f) => f.responseId === r.id).map((f) => attachmentView({ cohortId: cohort.id, role: 'reader' }, f)),
      };
    }),
  };
}
