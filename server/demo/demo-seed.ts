// Seeding the demo cohort through the same services the app's pages use, so every row is one the
// product itself could have written: people arrive by a launch record made from the very claims the
// demo platform signs; their work goes through the module, discussion, moderation and action-plan
// services. Only the timestamps are then moved back (demo.queries.ts backdateDemoCohort).
import { withTransaction } from '../../models/db.ts';
import * as demo from '../../models/demo.queries.ts';
import * as groupQueries from '../../models/groups.queries.ts';
import { LaunchClaims, toLaunch } from '../../lti/launch-claims.ts';
import { recordLaunch } from '../cohorts/cohorts.service.ts';
import type { LaunchContext } from '../launch-context.ts';
import { commitGroups, moveMemberToGroup, previewGroups, renameGroup } from '../groups/groups.service.ts';
import { saveGroupNorms } from '../groups/group-norms.service.ts';
import { saveEmailPreferences } from '../email/email-preferences.service.ts';
import { saveActivity, setSchedule } from '../modules/modules.service.ts';
import { commons, giveKudos, groupSpaceFor, replyInThread, startThread } from '../discussions/discussions.service.ts';
import { flagPost } from '../moderation/moderation.service.ts';
import { askPartners, answerPartnerRequest, openOwnPlan, saveActionPlan } from '../action-plans/action-plans.service.ts';
import { recordCheckIn, setCheckInSchedule } from '../action-plans/check-ins.service.ts';
import { FIVE_FACTORS, type Activity } from '../modules/workshop-content.ts';
import { AppError } from '../errors.ts';
import { demoPlatformUrls, launchClaims } from './demo-platform.ts';
import {
  ACTIVITY_WORDS, COMMONS_ASK, COMMONS_THREAD, GROUP_NORMS, OPENER_ANSWER, DEMO_CLIENT_ID, DEMO_PEOPLE, FLAGGED_REPLY, KUDOS_REASONS, MODULE_THREADS, PAST_COHORTS, PLAN_GOALS,
  handleOf, type DemoPerson,
} from './demo-cohort.ts';
import type { DemoDeps } from './demo.service.ts';
import { insertNamedRole } from '../../models/named-roles.queries.ts';
import { refreshCohortSnapshot } from '../programme/programme-snapshots.ts';

const WEEK_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;

/** Makes the demo cohort in the demo tenant, after its two past cohorts; returns its id. */
export async function seedDemoCohort(deps: DemoDeps, where: { tenantId: string; platformId: string }): Promise<string> {
  for (const past of PAST_COHORTS) await seedPastCohort(deps, where, past);
  const cohortId = await seedCurrentCohort(deps, where);
  // The facilitator is the demo organisation's programme lead (named as the tool admin would), and
  // the programme view's figures are computed now rather than by the job's next run.
  await insertNamedRole(deps.db, { tenantId: where.tenantId, role: 'programme-lead', lmsUserId: DEMO_PEOPLE[0]!.sub, email: null });
  const snapshots = { db: deps.db, workshop: deps.modules.workshops.default, now: deps.modules.now };
  for (const c of await demo.listDemoCohortIds(deps.db, where.tenantId)) await refreshCohortSnapshot(snapshots, where.tenantId, c);
  return cohortId;
}

/**
 * A small finished cohort of the same workshop, its first module `weeksAgo` weeks ago: its people
 * arrive, are put in groups, do their modules up to where they got (each group's conversation in each
 * module's space), and those who finished make plans; then its rows are moved back in time.
 */
async function seedPastCohort(deps: DemoDeps, where: { tenantId: string; platformId: string }, past: (typeof PAST_COHORTS)[number]): Promise<void> {
  const urls = demoPlatformUrls(deps.config);
  const who = new Map<string, LaunchContext>();
  for (const person of [DEMO_PEOPLE[0]!, ...past.learners]) {
    const launch = toLaunch(LaunchClaims.parse(launchClaims(urls, person, { nonce: 'seed', publicUrl: deps.config.publicUrl, course: past.course })), DEMO_CLIENT_ID);
    const context = (await recordLaunch(deps.db, where, { ...launch, context: launch.context! }, null)).context;
    who.set(person.sub, context);
    await saveEmailPreferences(deps.db, context, []);
  }
  const facilitator = who.get(DEMO_PEOPLE[0]!.sub)!;
  const now = deps.modules.now();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 8) - past.weeksAgo * WEEK_MS);
  await setSchedule(deps.modules, facilitator, deps.modules.workshops.default.modules.map((_, i) => new Date(start.getTime() + i * WEEK_MS)));
  await setCheckInSchedule({ ...deps.actionPlans }, facilitator, { endsOn: new Date(start.getTime() + 9 * WEEK_MS).toISOString().slice(0, 10), weeks: [2, 4, 8] });
  const preview = await previewGroups(deps, facilitator, 7);
  await commitGroups(deps, facilitator, 7, preview.rosterHash);
  // As in the current cohort: people moved into set groups, so every seed makes the same cohort.
  const groups = (await groupQueries.listGroups(deps.db, facilitator.tenantId, facilitator.cohortId)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  const groupOf = new Map<string, string>();
  for (const [i, p] of past.learners.entries()) {
    const group = groups[i % groups.length]!;
    await moveMemberToGroup(deps, facilitator, who.get(p.sub)!.membershipId, group.id);
    groupOf.set(p.sub, group.id);
  }
  for (const module of deps.modules.workshops.default.modules) {
    await eachAtMost(SEED_CONCURRENCY, past.learners, (p, i) =>
      p.completed >= module.id ? doSubmissions(deps, who.get(p.sub)!, p, module.activities, module.id, module.id * past.learners.length + i, true) : undefined);
    const template = MODULE_THREADS[module.id];
    if (!template || !module.activities.some((a) => a.kind === 'discussion')) continue;
    await eachAtMost(SEED_CONCURRENCY, groups, async (g, gi) => {
      const people = past.learners.filter((p) => groupOf.get(p.sub) === g.id && p.completed >= module.id);
      const [first, ...others] = people;
      if (!first) return;
      const { opened } = await seedGroupThread(deps, who, module.id, template, first, others);
      if (others[0]) await giveKudos(deps.discussions, who.get(others[0].sub)!, opened.post.id, KUDOS_REASONS[(module.id + gi) % KUDOS_REASONS.length]!);
    });
  }
  await seedActionPlans(deps, who, past.learners.filter((p) => p.completed === 9));
  await withTransaction(deps.db, (tx) => demo.backdateDemoCohort(tx, facilitator.tenantId, facilitator.cohortId));
}

/** Makes the current demo cohort (the one "Open as" offers); returns its id. */
async function seedCurrentCohort(deps: DemoDeps, where: { tenantId: string; platformId: string }): Promise<string> {
  const urls = demoPlatformUrls(deps.config);
  // Each person's membership is recorded from the very claims the demo platform signs at their launch.
  const who = new Map<string, LaunchContext>();
  const arrive = async (person: DemoPerson) => {
    const launch = toLaunch(LaunchClaims.parse(launchClaims(urls, person, { nonce: 'seed', publicUrl: deps.config.publicUrl })), DEMO_CLIENT_ID);
    who.set(person.sub, (await recordLaunch(deps.db, where, { ...launch, context: launch.context! }, null)).context);
  };
  // The facilitator's launch makes the cohort; the learners follow.
  await arrive(DEMO_PEOPLE[0]!);
  await eachAtMost(SEED_CONCURRENCY, DEMO_PEOPLE.slice(1), arrive);
  // Made-up people get no email: every topic is turned off for them, as they could do themselves.
  await eachAtMost(SEED_CONCURRENCY, [...who.values()], (c) => saveEmailPreferences(deps.db, c, []));
  const facilitator = who.get('demo-facilitator')!;
  const learners = DEMO_PEOPLE.filter((p) => p.role === 'learner');
  const now = deps.modules.now();

  // Eleven weeks in: every module has opened, the course ended two weeks ago, the first check-in is due.
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 8) - 11 * WEEK_MS);
  await setSchedule(deps.modules, facilitator, deps.modules.workshops.default.modules.map((_, i) => new Date(start.getTime() + i * WEEK_MS)));
  await setCheckInSchedule({ ...deps.actionPlans }, facilitator, { endsOn: new Date(now.getTime() - 15 * DAY_MS).toISOString().slice(0, 10), weeks: [2, 4, 8] });

  const preview = await previewGroups(deps, facilitator, 7);
  await commitGroups(deps, facilitator, 7, preview.rosterHash);
  // Formation shuffles by membership id (new at every seed): the facilitator then moves people into
  // the groups the demo's conversations were written for, so every seed is the same cohort.
  const groups = (await groupQueries.listGroups(deps.db, facilitator.tenantId, facilitator.cohortId)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  const names = ['Lighthouse', 'Compass', 'Harbour', 'Kite', 'Orchard'];
  for (const [i, g] of groups.entries()) await renameGroup(deps, facilitator, g.id, names[i] ?? `Group ${i + 1}`);
  const groupOf = new Map<string, string>();
  for (const [i, p] of learners.entries()) {
    const group = groups[i % groups.length]!;
    await moveMemberToGroup(deps, facilitator, who.get(p.sub)!.membershipId, group.id);
    groupOf.set(p.sub, group.id);
  }

  // The commons: the facilitator's welcome and two answers.
  const commonsSpace = await commons(deps.discussions, facilitator);
  const welcome = await startThread(deps.discussions, facilitator, commonsSpace.id, { title: COMMONS_THREAD.title, body: COMMONS_THREAD.opener });
  for (const [i, body] of COMMONS_THREAD.replies.entries()) await replyInThread(deps.discussions, who.get(learners[i * 3]!.sub)!, welcome.thread.id, { body });
  // Jonas asks the cohort; people from the other groups answer.
  const asker = learners.find((p) => p.sub === 'demo-04')!;
  const ask = await startThread(deps.discussions, who.get(asker.sub)!, commonsSpace.id, { title: COMMONS_ASK.title, body: COMMONS_ASK.opener });
  const answerers = learners.filter((p) => groupOf.get(p.sub) !== groupOf.get(asker.sub)).filter((_, i) => i % 4 === 0);
  for (const [i, body] of COMMONS_ASK.replies.entries()) {
    const writer = answerers[i % answerers.length]!;
    const answer = await replyInThread(deps.discussions, who.get(writer.sub)!, ask.thread.id, { body: body.replaceAll('{a}', handleOf(asker)) });
    if (i === 0) {
      await giveKudos(deps.discussions, who.get(asker.sub)!, answer.post.id, KUDOS_REASONS[0]!);
      await replyInThread(deps.discussions, who.get(asker.sub)!, ask.thread.id, { body: OPENER_ANSWER.replaceAll('{b}', handleOf(writer)), parentPostId: answer.post.id });
    }
  }

  // Module by module: each learner's activities up to where they are, and their group's conversation.
  for (const module of deps.modules.workshops.default.modules) {
    // Learners' work is independent of each other's: in parallel, a few seconds sooner.
    await eachAtMost(SEED_CONCURRENCY, learners, (p, i) => {
      const k = module.id * learners.length + i;
      if (p.completed >= module.id) return doSubmissions(deps, who.get(p.sub)!, p, module.activities, module.id, k, true);
      if (p.completed === module.id - 1) return doSubmissions(deps, who.get(p.sub)!, p, module.activities, module.id, k, false);
      return undefined;
    });
    const template = MODULE_THREADS[module.id];
    if (!template || !module.activities.some((a) => a.kind === 'discussion')) continue;
    await eachAtMost(SEED_CONCURRENCY, groups, async (g, gi) => {
      const people = learners.filter((p) => groupOf.get(p.sub) === g.id && p.completed >= module.id);
      const [first, ...others] = people;
      if (!first) return;
      const { opened, firstReplyId } = await seedGroupThread(deps, who, module.id, template, first, others);
      if (module.id === 4) await saveGroupNorms(deps.db, who.get(first.sub)!, g.id, { text: GROUP_NORMS, baseVersion: 0 });
      const thanker = others[0];
      if (thanker) await giveKudos(deps.discussions, who.get(thanker.sub)!, opened.post.id, KUDOS_REASONS[(module.id + gi) % KUDOS_REASONS.length]!);
      if (module.id % 3 === 0 && firstReplyId) await giveKudos(deps.discussions, facilitator, firstReplyId, KUDOS_REASONS[2]!);
      if (module.id === 3 && gi === 1 && others.length >= 2) {
        // One sharp reply, flagged to the facilitator by someone in the group.
        const sharp = await replyInThread(deps.discussions, who.get(others[1]!.sub)!, opened.thread.id, { body: FLAGGED_REPLY.body });
        await flagPost({ db: deps.db }, who.get(first.sub)!, sharp.post.id, FLAGGED_REPLY.reason);
      }
    });
  }

  await seedActionPlans(deps, who, learners.filter((p) => p.completed === 9));
  await withTransaction(deps.db, (tx) => demo.backdateDemoCohort(tx, facilitator.tenantId, facilitator.cohortId));
  return facilitator.cohortId;
}

/**
 * Seeding works on a few people at once (their writes are independent), leaving most of the pool to
 * the visitors' pages; every piece has finished, or failed, before this returns or throws.
 */
const SEED_CONCURRENCY = 3;
/**
 * A group's thread of a module, in the past cohorts and the current one alike: the first learner
 * opens it, the others reply in turn, the third reply answers the first reply, and the opener answers
 * that first reply too (so the network has ties beyond the opener).
 */
async function seedGroupThread(deps: DemoDeps, who: Map<string, LaunchContext>, moduleId: number, template: (typeof MODULE_THREADS)[number], first: DemoPerson, others: DemoPerson[]) {
  const fill = (text: string, writer: DemoPerson, prev: DemoPerson) => text
    .replaceAll('{first}', first.givenName).replaceAll('{job}', writer.job.charAt(0).toLowerCase() + writer.job.slice(1))
    .replaceAll('{intention}', writer.intention).replaceAll('{a}', handleOf(first)).replaceAll('{b}', handleOf(prev));
  const opened = await startThread(deps.discussions, who.get(first.sub)!, (await groupSpaceFor(deps.discussions, who.get(first.sub)!, moduleId))!.id, {
    title: fill(template.title, first, first), body: fill(template.opener, first, first),
  });
  let prev = first;
  let firstReplyId: string | undefined;
  for (const [i, writer] of others.entries()) {
    // The third reply answers the first one (one level of replies): its {b} is that reply's writer.
    const body = fill(template.replies[i % template.replies.length]!, writer, i === 2 ? others[0]! : prev);
    const reply = await replyInThread(deps.discussions, who.get(writer.sub)!, opened.thread.id, { body, parentPostId: i === 2 ? firstReplyId : undefined });
    firstReplyId ??= reply.post.id;
    prev = writer;
  }
  if (firstReplyId && others[0]) {
    await replyInThread(deps.discussions, who.get(first.sub)!, opened.thread.id, { body: fill(OPENER_ANSWER, first, others[0]), parentPostId: firstReplyId });
  }
  return { opened, firstReplyId };
}

async function eachAtMost<T>(limit: number, items: readonly T[], work: (item: T, index: number) => Promise<unknown> | undefined): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        await work(items[i]!, i);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

/** The learner's module work: every required form activity (and now and then an optional one); `whole` false: only the first. */
async function doSubmissions(deps: DemoDeps, who: LaunchContext, p: DemoPerson, activities: readonly Activity[], moduleId: number, n: number, whole: boolean): Promise<void> {
  const forms = activities.filter((a) => a.kind !== 'discussion' && (a.required || n % 3 === 0));
  for (const a of whole ? forms : forms.slice(0, 1)) {
    const outcome = await saveActivity(deps.modules, who, moduleId, a.id, activityForm(a, p, moduleId, n));
    if (outcome.kind === 'invalid') throw new AppError(500, 'demo-seed', `demo seed: ${a.id} refused`);
  }
}

function activityForm(a: Activity, p: DemoPerson, moduleId: number, n: number): Parameters<typeof saveActivity>[4] {
  const base = { intent: 'submit' as const, text: '', evidence: '', link: '', url: '', why: '', tags: '', comment: '' };
  switch (a.kind) {
    case 'reflection':
      return { ...base, text: moduleId === 1 ? p.intention : ACTIVITY_WORDS.reflection[n % ACTIVITY_WORDS.reflection.length]!, shared: n % 2 === 0 ? 'on' : undefined };
    case 'practice':
      return { ...base, evidence: ACTIVITY_WORDS.practice[n % ACTIVITY_WORDS.practice.length]! };
    case 'curation': {
      const c = ACTIVITY_WORDS.curation[n % ACTIVITY_WORDS.curation.length]!;
      return { ...base, url: c.url, why: c.why, tags: 'learning, teams' };
    }
    default: {
      // Five-factor check: higher at the end (module 9) than at the start.
      const ratings = Object.fromEntries(FIVE_FACTORS.map((f, i) => [`rating_${f.id}`, String(Math.min(5, 2 + ((n + i) % 2) + (moduleId === 9 ? 1 : 0)))]));
      return { ...base, ...ratings, comment: ACTIVITY_WORDS.fiveFactorComment[n % ACTIVITY_WORDS.fiveFactorComment.length]! };
    }
  }
}

/** Plans for those who finished: submitted, a partner asked and accepting, the first check-in for some. */
async function seedActionPlans(deps: DemoDeps, who: Map<string, LaunchContext>, finishers: DemoPerson[]): Promise<void> {
  const plansDeps = { ...deps.actionPlans, queue: undefined };
  const due = new Date(deps.modules.now().getTime() + 8 * WEEK_MS).toISOString().slice(0, 10);
  for (const [i, p] of finishers.entries()) {
    const g = PLAN_GOALS[i % PLAN_GOALS.length]!;
    const form = { g1_title: g.title, g1_actions: g.actions.join('\n'), g1_due: due, g1_success: g.success, g1_support: g.support, visibility: i % 2 === 0 ? 'cohort' : 'group', shareCheckIns: 'on', intent: 'submit' };
    const saved = await saveActionPlan(plansDeps, who.get(p.sub)!, form);
    if (saved.kind !== 'saved') throw new AppError(500, 'demo-seed', 'demo seed: action plan refused');
  }
  for (const [i, p] of finishers.entries()) {
    const own = await openOwnPlan(plansDeps, who.get(p.sub)!);
    const partner = own.choosable[0];
    if (partner) {
      await askPartners(plansDeps, who.get(p.sub)!, [partner.membershipId]);
      const partnerSub = [...who.entries()].find(([, c]) => c.membershipId === partner.membershipId)?.[0];
      if (partnerSub && own.plan) await answerPartnerRequest(plansDeps, who.get(partnerSub)!, own.plan.id, 'accept');
    }
    if (i % 2 === 0) {
      const g = PLAN_GOALS[i % PLAN_GOALS.length]!;
      const form: Record<string, string> = { journal: 'First two weeks: one action done, the other started. Asking early felt awkward the first time and normal the second.', shareJournal: 'on' };
      g.actions.forEach((_, ai) => { form[`a_0_${ai}_status`] = ai === 0 ? 'done' : 'in-progress'; form[`a_0_${ai}_note`] = ai === 0 ? 'Done twice already.' : ''; });
      await recordCheckIn(plansDeps, who.get(p.sub)!, 1, form);
    }
  }
}
