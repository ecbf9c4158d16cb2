// The cohort hub (learners) and the facilitator console, for the cohort named in the URL.
import { listResponseAttachments } from '../../models/media.queries.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { AppCaches } from '../cache/app-caches.ts';
import { Router, type Request } from 'express';
import * as cohorts from '../../models/cohorts.queries.ts';
import { ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import { requireLaunch } from '../http/auth.ts';
import { hubFor, setSchedule, sharedResponsesOf, type ModulesDeps } from '../modules/modules.service.ts';
import { moduleListView } from '../modules/modules.views.ts';
import { HeatmapPageQuery, ScheduleForm, MemberParams, scheduleDates } from './cohorts.schemas.ts';
import { consoleView, hubMessagesView, hubView, rosterView, sharedResponsesView } from './cohorts.views.ts';
import { awaitFirstRoster, isFirstRosterPending, type FirstRosterDeps } from '../roster/roster-sync.job.ts';
import { needsAttention } from './console.service.ts';
import { consoleFigures, type AnalyticsDeps } from '../analytics/analytics.service.ts';
import { attentionView, consoleNavView } from './console.views.ts';
import * as consoleQueries from '../../models/console.queries.ts';
import { z } from 'zod';
import { launchCohort } from '../http/launch-cohort.ts';

/** Rows of the console's member table per page (a 600-learner cohort is 12 pages). */
export const MEMBER_PAGE_SIZE = 50;
// The member the table's page starts after: anything but a member id is the first page.
const MembersPageQuery = z.object({ members_after: z.uuid().optional().catch(undefined) });

export function cohortsRouter(deps: ModulesDeps & Pick<AnalyticsDeps, 'analyticsSettings' | 'cohortPeople'> & { firstRoster?: FirstRosterDeps; memberTablePage?: AppCaches['memberTablePage'] }): Router {
  const r = Router();
  const findCohort = (req: Request) => launchCohort(deps.db, req);

  /** A page of the member table, kept by the app (while the cohort's people are unchanged) or read. */
  const memberTablePage = (who: LaunchContext, after: string | undefined) => {
    const load = () => consoleQueries.listMemberTablePage(deps.db, who.tenantId, who.cohortId, after, MEMBER_PAGE_SIZE);
    return deps.memberTablePage ? deps.memberTablePage(who.tenantId, who.cohortId, after, load) : load();
  };

  r.get('/:cohortId', requireLaunch(deps.db), async (req, res) => {
    const who = req.launch!;
    const cohort = await findCohort(req);
    const hub = await hubFor(deps, who, cohort);
    const list = moduleListView(req.i18n!, cohort.id, hub.workshop, hub.now, hub.dates, hub.completed, hub.started, hub.due, hub.cohortDone);
    const i18n = req.i18n!;
    res.render('cohorts/hub', {
      title: i18n.t('cohorts.hub.pageTitle', { course: cohort.title }),
      ...hubView(i18n, cohort, who),
      ...list,
      ...hubMessagesView(i18n, cohort.id, hub),
    });
  });

  r.get('/:cohortId/console', requireLaunch(deps.db, 'facilitator'), async (req, res) => {
    const who = req.launch!;
    // A new cohort's first console waits briefly for the roster its launch asked for; failing to
    // wait must not keep the console from showing.
    const roster = deps.firstRoster
      ? await awaitFirstRoster(deps.firstRoster, who).catch((err: unknown) => (req.log.warn({ err }, 'first roster not awaited'), { pending: false }))
      : { pending: false };
    const membersAfter = MembersPageQuery.parse(req.query).members_after;
    const cohort = await findCohort(req);
    // The heatmap and who has gone quiet from the kept figures, as on the dashboard (live, the
    // heatmap walks every post of every learner: 300 ms at 600 learners), read once for both.
    const figures = consoleFigures(deps, who, cohort);
    const [members, { progress }, attention] = await Promise.all([
      memberTablePage(who, membersAfter),
      figures,
      needsAttention(deps, who, figures.then((f) => f.quiet)),
    ]);
    const i18n = req.i18n!;
    res.render('cohorts/console', {
      title: i18n.t('cohorts.console.pageTitle', { course: cohort.title }),
      ...consoleView(i18n, cohort, who, members, progress, await deps.workshops.forCohortRow(cohort), req.query.scheduled === '1', {
        after: HeatmapPageQuery.parse(req.query).progress_after,
        here: `/cohorts/${who.cohortId}/console`,
      }),
      attention: attentionView(i18n, cohort.id, attention),
      consoleNav: consoleNavView(i18n, cohort.id),
      rosterPending: roster.pending,
      programmeLead: who.programmeLead === true || who.namedProgrammeLead === true,
      contentEditor: who.contentEditor === true || who.namedContentEditor === true,
    });
  });

  // The console's roster alone, asked for by its script while the first roster is on its way.
  r.get('/:cohortId/console/roster', requireLaunch(deps.db, 'facilitator'), async (req, res) => {
    const who = req.launch!;
    // Pending first, then the members: read side by side, a sync committing between the two reads
    // answered 'no longer pending' with the roster from before it, and the page stopped asking.
    const pending = deps.firstRoster ? await isFirstRosterPending(deps.firstRoster, who) : false;
    const members = await consoleQueries.listMemberTablePage(deps.db, who.tenantId, who.cohortId, undefined, MEMBER_PAGE_SIZE);
    res.render('cohorts/console-roster', { layout: false, cohort: { id: who.cohortId }, ...rosterView(req.i18n!, members, who.cohortId), rosterPending: pending });
  });

  r.post('/:cohortId/console/schedule', requireLaunch(deps.db, 'facilitator'), async (req, res) => {
    const parsed = ScheduleForm.safeParse(req.body ?? {});
    if (!parsed.success) throw ValidationError.fromZod(parsed.error, msg('cohorts.schedule.invalid'));
    const form = parsed.data;
    await setSchedule(deps, req.launch!, scheduleDates(form));
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/console?scheduled=1#schedule`);
  });

  r.get('/:cohortId/console/learners/:membershipId', requireLaunch(deps.db, 'facilitator'), async (req, res) => {
    const { membershipId } = MemberParams.parse(req.params);
    const who = req.launch!;
    const [cohort, responses, members] = await Promise.all([findCohort(req), sharedResponsesOf(deps, who, membershipId), cohorts.listCohortMembers(deps.db, who.tenantId, who.cohortId)]);
    // Their files (a curation's, a shared reflection's): the file route lets the facilitators read these.
    const files = await listResponseAttachments(deps.db, who.tenantId, responses.map((r) => r.id));
    res.render('cohorts/learner', { title: req.i18n!.t('cohorts.shared.pageTitle'), ...sharedResponsesView(req.i18n!, cohort, who, members.find((m) => m.membershipId === membershipId)!, responses, await deps.workshops.forCohortRow(cohort), files) });
  });

  return r;
}
