// What goes into a person's export, gathered per cohort (their membership there) and written as
// readable Markdown files and one data.json. Gathering reads only the person's own rows, and names
// other people only where the person already saw them (thread context, kudos, partners, comments).
import type { Db } from '../../models/db.ts';
import * as q from '../../models/export.queries.ts';
import * as settings from '../../models/analytics.queries.ts';
import type { Workshop } from '../modules/workshop-content.ts';
import { FIVE_FACTORS } from '../modules/workshop-content.ts';
import { ownNetwork } from '../analytics/analytics.service.ts';
import { egoView } from '../analytics/analytics.views.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { I18n } from '../i18n/i18n.ts';
import { NO_NAME } from '../notifications/notification-text.ts';

/** data.json's shape version: raise it when a field changes meaning or goes away (README, Privacy). */
export const EXPORT_FORMAT_VERSION = 1;
const QUOTE_CHARS = 280;

export interface CohortExport {
  cohort: { id: string; title: string; role: string; joinedAt: string | null };
  responses: Array<{ moduleId: number; moduleTitle: string; activityId: string; activityTitle: string; kind: string; status: string; sharedWithGroup: boolean; submittedAt: string | null; updatedAt: string; content: Record<string, unknown> }>;
  posts: Array<{ id: string; threadTitle: string; space: string; moduleId: number | null; startsThread: boolean; status: string; moderationReason: string | null; createdAt: string; editedAt: string | null; body: string; inReplyTo: { author: string; quote: string } | { hidden: true } | null }>;
  repliesReceived: Array<{ inReplyToPostId: string; author: string; body: string; createdAt: string }>;
  kudos: Array<{ direction: 'given' | 'received'; person: string; reason: string; threadTitle: string; createdAt: string }>;
  actionPlan: null | {
    status: string; visibility: string; submittedAt: string | null; goals: unknown[];
    partners: Array<{ name: string; status: string }>;
    checkIns: Array<{ seq: number; createdAt: string; entries: unknown[]; journal: string; journalShared: boolean }>;
    comments: Array<{ by: string; kind: string; body: string; onCheckIn: number | null; createdAt: string }>;
  };
  nudges: Array<{ message: string; createdAt: string }>;
  /** Null when the cohort's relationship analytics are off. */
  ownNetwork: null | { contacts: Array<{ name: string; given: number; received: number }>; svg: string };
}

export interface PersonExport {
  format: 'circlework-personal-export';
  version: number;
  exportedAt: string;
  scope: 'cohort' | 'all';
  person: { name: string | null; email: string | null };
  profile: null | { skills: string; interests: string; canHelpWith: string; findableByOtherCohorts: boolean };
  cohorts: CohortExport[];
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

function quote(source: string): string {
  const flat = source.replace(/\s+/g, ' ').trim();
  if (flat.length <= QUOTE_CHARS) return flat;
  const cut = flat.slice(0, QUOTE_CHARS);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 0 ? cut.lastIndexOf(' ') : QUOTE_CHARS)} …`;
}

export async function gatherExport(
  deps: { db: Db; workshop: Workshop; now: () => Date; i18n: I18n },
  e: { tenantId: string; personId: string; cohortId: string; scope: 'cohort' | 'all' },
): Promise<PersonExport> {
  const ex = deps.db;
  const person = await q.findExportPerson(ex, e.tenantId, e.personId);
  const memberships = await q.listExportMemberships(ex, e.tenantId, e.personId, e.scope === 'cohort' ? e.cohortId : null);
  const cohorts: CohortExport[] = [];
  for (const m of memberships) cohorts.push(await gatherCohort(deps, e.tenantId, e.personId, m));
  return {
    format: 'circlework-personal-export',
    version: EXPORT_FORMAT_VERSION,
    exportedAt: deps.now().toISOString(),
    scope: e.scope,
    person: { name: person?.name ?? null, email: person?.email ?? null },
    profile: person && person.profileUpdatedAt
      ? { skills: person.skills ?? '', interests: person.interests ?? '', canHelpWith: person.canHelpWith ?? '', findableByOtherCohorts: person.searchAllCohorts ?? false }
      : null,
    cohorts,
  };
}

async function gatherCohort(deps: { db: Db; workshop: Workshop; now: () => Date; i18n: I18n }, tenantId: string, personId: string, m: q.ExportMembership): Promise<CohortExport> {
  const { i18n } = deps;
  // Someone whose name the LMS did not share, in the reader's words.
  const nameOr = (n: string | null | undefined) => n ?? i18n.t('export.someone');
  const ex = deps.db;
  const [responses, posts, replies, kudos, plan, nudges, analyticsSettings] = await Promise.all([
    q.listOwnResponses(ex, tenantId, m.membershipId),
    q.listOwnPosts(ex, tenantId, m.membershipId),
    q.listRepliesReceived(ex, tenantId, m.membershipId),
    q.listOwnKudos(ex, tenantId, m.membershipId),
    q.findOwnPlan(ex, tenantId, m.membershipId),
    q.listOwnNudges(ex, tenantId, m.membershipId),
    settings.findAnalyticsSettings(ex, tenantId, m.cohortId),
  ]);
  let actionPlan: CohortExport['actionPlan'] = null;
  if (plan) {
    const [checkIns, partners, comments] = await Promise.all([q.listPlanCheckIns(ex, tenantId, plan.id), q.listPlanPartners(ex, tenantId, plan.id), q.listPlanComments(ex, tenantId, plan.id)]);
    const seqOf = new Map(checkIns.map((c) => [c.id, c.seq]));
    actionPlan = {
      status: plan.status,
      visibility: plan.visibility,
      submittedAt: iso(plan.submittedAt),
      goals: plan.goals,
      partners: partners.map((p) => ({ name: nameOr(p.name), status: p.status })),
      checkIns: checkIns.map((c) => ({ seq: c.seq, createdAt: iso(c.createdAt)!, entries: c.entries, journal: c.journal, journalShared: c.journalShared })),
      comments: comments.map((c) => ({
        by: c.managerInviteId ? i18n.t('export.yourManager') : c.authorMembershipId === m.membershipId ? i18n.t('export.you') : nameOr(c.authorName),
        kind: c.kind,
        body: c.body,
        onCheckIn: c.checkInId ? (seqOf.get(c.checkInId) ?? null) : null,
        createdAt: iso(c.createdAt)!,
      })),
    };
  }
  const relationshipAnalytics = analyticsSettings?.relationshipAnalytics ?? true;
  let network: CohortExport['ownNetwork'] = null;
  if (relationshipAnalytics) {
    // ownNetwork reads only the cohort and the membership from who is asking: this person.
    const who = { tenantId, cohortId: m.cohortId, personId, membershipId: m.membershipId } as LaunchContext;
    network = egoView(await ownNetwork({ db: ex, now: deps.now }, who), i18n);
  }
  const moduleTitle = (id: number | null) => (id === null ? 'Commons' : (deps.workshop.byId(id)?.title ?? `Module ${id}`));
  return {
    cohort: { id: m.cohortId, title: m.cohortTitle, role: m.role, joinedAt: iso(m.firstLaunchAt) },
    responses: responses.map((r) => ({
      moduleId: r.moduleId,
      moduleTitle: moduleTitle(r.moduleId),
      activityId: r.activityId,
      activityTitle: deps.workshop.byId(r.moduleId)?.activities.find((a) => a.id === r.activityId)?.title ?? r.activityId,
      kind: r.kind,
      status: r.status,
      sharedWithGroup: r.shared,
      submittedAt: iso(r.submittedAt),
      updatedAt: iso(r.updatedAt)!,
      content: r.content,
    })),
    posts: posts.map((p) => ({
      id: p.id,
      threadTitle: p.threadTitle,
      space: p.moduleId === null ? i18n.t('discussions.space.commons') : `${moduleTitle(p.moduleId)}${p.groupName ? ` · ${p.groupName}` : ''}`,
      moduleId: p.moduleId,
      startsThread: p.startsThread,
      status: p.status,
      moderationReason: p.moderationReason,
      createdAt: iso(p.createdAt)!,
      editedAt: iso(p.editedAt),
      body: p.bodySource,
      inReplyTo: p.parentShown === null ? null : p.parentShown ? { author: nameOr(p.parentAuthorName), quote: quote(p.parentSource ?? '') } : { hidden: true },
    })),
    repliesReceived: replies.map((r) => ({ inReplyToPostId: r.parentPostId!, author: nameOr(r.authorName), body: r.bodySource, createdAt: iso(r.createdAt)! })),
    kudos: kudos.map((k) => ({ direction: k.direction, person: nameOr(k.otherName), reason: k.reason, threadTitle: k.threadTitle, createdAt: iso(k.createdAt)! })),
    actionPlan,
    nudges: nudges.map((n) => ({ message: n.message, createdAt: iso(n.createdAt)! })),
    ownNetwork: network,
  };
}

// --- Markdown ---------------------------------------------------------------------------------

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'cohort';
const blockquote = (s: string) => s.split('\n').map((l) => `> ${l}`).join('\n');

/** Each file of the zip but data.json: path → text. One folder per cohort. */
export function markdownFiles(data: PersonExport, workshop: Workshop, i18n: I18n): Array<{ name: string; text: string }> {
  const t = i18n.t;
  const files: Array<{ name: string; text: string }> = [];
  const index: string[] = [
    `# ${t('export.md.title')}`, '',
    t('export.md.exported', { when: i18n.dateTime(new Date(data.exportedAt)), name: data.person.name ?? NO_NAME }),
    t('export.md.scope', { scope: data.scope }), '',
    t('export.md.intro'), '',
    `- \`profile.md\`: ${t('export.md.profileFile')}`,
  ];
  files.push({ name: 'profile.md', text: profileMarkdown(data, i18n) });
  data.cohorts.forEach((c, i) => {
    const dir = `${String(i + 1).padStart(2, '0')}-${slug(c.cohort.title)}`;
    index.push('', `## ${c.cohort.title}`, '');
    const modules = [...new Set(c.responses.map((r) => r.moduleId))].sort((a, b) => a - b);
    for (const id of modules) {
      const title = workshop.byId(id)?.title ?? t('export.md.module', { number: id });
      const name = `${dir}/module-${id}.md`;
      files.push({ name, text: moduleMarkdown(c, id, title, i18n) });
      index.push(`- \`${name}\`: ${t('export.md.moduleFile', { title })}`);
    }
    files.push({ name: `${dir}/discussions.md`, text: discussionsMarkdown(c, i18n) });
    index.push(`- \`${dir}/discussions.md\`: ${t('export.md.discussionsFile', { count: c.posts.length })}`);
    if (c.actionPlan) {
      files.push({ name: `${dir}/action-plan.md`, text: planMarkdown(c, i18n) });
      index.push(`- \`${dir}/action-plan.md\`: ${t('export.md.planFile')}`);
    }
    if (c.ownNetwork) {
      files.push({ name: `${dir}/network.md`, text: networkMarkdown(c, i18n) });
      index.push(`- \`${dir}/network.md\`, \`${dir}/network.svg\`: ${t('export.md.networkFile')}`);
      if (c.ownNetwork.svg) files.push({ name: `${dir}/network.svg`, text: c.ownNetwork.svg });
    } else {
      index.push(`- ${t('export.md.networkOff')}`);
    }
  });
  index.push('', '## data.json', '', t('export.md.shapeIntro'), '', DATA_JSON_SHAPE);
  files.unshift({ name: 'README.md', text: index.join('\n') + '\n' });
  return files;
}

export const DATA_JSON_SHAPE = [
  `\`{ format: "circlework-personal-export", version: ${EXPORT_FORMAT_VERSION}, exportedAt, scope: "cohort" | "all", person: { name, email }, profile: { skills, interests, canHelpWith, findableByOtherCohorts } | null, cohorts: [...] }\``,
  '',
  'Each cohort: `cohort { id, title, role, joinedAt }`; `responses[]` (`moduleId, activityId, activityTitle, kind` = reflection | practice | curation | five-factor-check, `status, sharedWithGroup, submittedAt, content` as you entered it); `posts[]` (`threadTitle, space, startsThread, status` = visible | hidden | deleted, `moderationReason, body` in Markdown, `inReplyTo { author, quote } | { hidden: true } | null`); `repliesReceived[]`; `kudos[]` (`direction` = given | received, `person, reason`); `actionPlan { goals, partners, checkIns, comments } | null`; `nudges[]`; `ownNetwork { contacts[{ name, given, received }], svg } | null` (null when relationship analytics are off). Dates are ISO 8601 in UTC.',
].join('\n');

function profileMarkdown(d: PersonExport, i18n: I18n): string {
  const t = i18n.t;
  const notShared = t('export.md.notShared');
  const lines = [`# ${t('export.md.profileTitle')}`, '', t('export.md.name', { name: d.person.name ?? notShared }), t('export.md.email', { email: d.person.email ?? notShared }), ''];
  if (!d.profile) lines.push(t('export.md.noProfile'));
  else lines.push(`## ${t('export.md.skills')}`, '', d.profile.skills || '—', '', `## ${t('export.md.interests')}`, '', d.profile.interests || '—', '', `## ${t('export.md.canHelp')}`, '', d.profile.canHelpWith || '—', '', t('export.md.findable', { findable: String(d.profile.findableByOtherCohorts) }));
  return lines.join('\n') + '\n';
}

function moduleMarkdown(c: CohortExport, moduleId: number, title: string, i18n: I18n): string {
  const t = i18n.t;
  const lines = [`# ${title}`, '', `${c.cohort.title}`, ''];
  for (const r of c.responses.filter((x) => x.moduleId === moduleId)) {
    lines.push(`## ${r.activityTitle}`, '', `*${t('export.md.response', { kind: r.kind.replace(/-/g, ''), submitted: String(r.status === 'submitted'), date: r.submittedAt ? i18n.date(new Date(r.submittedAt)) : '', shared: String(r.sharedWithGroup) })}*`, '');
    const k = r.content;
    if (r.kind === 'reflection') lines.push(String(k.text ?? ''));
    else if (r.kind === 'practice') lines.push(String(k.evidence ?? ''), ...(k.link ? ['', t('export.md.link', { link: String(k.link) })] : []));
    else if (r.kind === 'curation') lines.push(t('export.md.link', { link: String(k.url ?? '') }), '', t('export.md.why', { why: String(k.why ?? '') }), ...(Array.isArray(k.tags) && k.tags.length ? ['', t('export.md.tags', { tags: k.tags.join(', ') })] : []));
    else if (r.kind === 'five-factor-check') {
      const ratings = (k.ratings ?? {}) as Record<string, unknown>;
      lines.push(`| ${t('export.md.factor')} | ${t('export.md.rating')} |`, '|---|---|', ...FIVE_FACTORS.map((f) => `| ${f.label} | ${String(ratings[f.id] ?? '—')} |`));
      if (k.comment) lines.push('', t('export.md.comment', { comment: String(k.comment) }));
    } else lines.push('```json', JSON.stringify(k, null, 2), '```');
    lines.push('');
  }
  return lines.join('\n');
}

function discussionsMarkdown(c: CohortExport, i18n: I18n): string {
  const t = i18n.t;
  const day = (s: string) => i18n.date(new Date(s));
  const lines = [`# ${t('export.md.discussions')}`, '', c.cohort.title, '', `## ${t('export.md.yourPosts', { count: c.posts.length })}`, ''];
  if (c.posts.length === 0) lines.push(t('export.md.none'), '');
  for (const p of c.posts) {
    const mark = p.status === 'visible' ? '' : ` — ${t('export.md.moderated', { status: p.status, reason: p.moderationReason ?? NO_NAME })}`;
    lines.push(`### ${p.startsThread ? p.threadTitle : t('export.md.re', { title: p.threadTitle })}`, '', `*${p.space}, ${i18n.dateTime(new Date(p.createdAt))}${p.editedAt ? `, ${t('discussions.post.edited')}` : ''}${mark}*`, '');
    if (p.inReplyTo && 'hidden' in p.inReplyTo) lines.push(`> ${t('export.md.replyHidden')}`, '');
    else if (p.inReplyTo) lines.push(blockquote(t('export.md.wrote', { author: p.inReplyTo.author, quote: p.inReplyTo.quote })), '');
    lines.push(p.body, '');
  }
  lines.push(`## ${t('export.md.repliesReceived', { count: c.repliesReceived.length })}`, '');
  for (const r of c.repliesReceived) lines.push(`- **${r.author}**, ${day(r.createdAt)}: ${r.body.replace(/\s+/g, ' ')}`);
  lines.push('', `## ${t('export.md.kudos')}`, '');
  for (const k of c.kudos) lines.push(`- ${t('export.md.kudosLine', { direction: k.direction, person: k.person, thread: k.threadTitle, date: day(k.createdAt), reason: k.reason })}`);
  if (c.kudos.length === 0) lines.push(t('export.md.none'));
  if (c.nudges.length) lines.push('', `## ${t('export.md.nudges')}`, '', ...c.nudges.map((n) => `- ${day(n.createdAt)}: ${n.message}`));
  return lines.join('\n') + '\n';
}

function planMarkdown(c: CohortExport, i18n: I18n): string {
  const t = i18n.t;
  const day = (s: string) => i18n.date(new Date(s));
  const p = c.actionPlan!;
  const lines = [`# ${t('plans.own.title')}`, '', c.cohort.title, '', `*${t('export.md.planState', { status: p.status, date: p.submittedAt ? day(p.submittedAt) : '', visibility: t('plans.visibility', { value: p.visibility }) })}*`, ''];
  (p.goals as Array<{ title: string; actions: string[]; dueOn: string; success: string; support: string }>).forEach((g, i) => {
    lines.push(`## ${t('plans.goalTitle', { number: i + 1, title: g.title })}`, '', ...g.actions.map((a) => `- ${a}`), '', t('export.md.due', { date: g.dueOn ? day(g.dueOn) : '' }), t('export.md.success', { text: g.success }), t('export.md.support', { text: g.support }), '');
  });
  if (p.partners.length) lines.push(`## ${t('plans.own.partners')}`, '', ...p.partners.map((x) => `- ${t('plans.partnerStatus', { name: x.name, status: x.status })}`), '');
  for (const ci of p.checkIns) {
    lines.push(`## ${t('plans.checkIn.heading', { seq: ci.seq, date: day(ci.createdAt) })}`, '');
    for (const e of ci.entries as Array<{ text: string; status: string; note: string }>) lines.push(`- ${e.text}: ${t('plans.status', { status: e.status })}${e.note ? ` — ${e.note}` : ''}`);
    if (ci.journal) lines.push('', t('export.md.journal', { shared: String(ci.journalShared) }), '', ci.journal);
    lines.push('');
  }
  lines.push(`## ${t('export.md.comments')}`, '');
  if (p.comments.length === 0) lines.push(t('export.md.none'));
  for (const k of p.comments) lines.push(`- ${t('export.md.commentLine', { by: k.by, checkIn: k.onCheckIn ?? 0, date: day(k.createdAt), kind: k.kind, body: k.body })}`);
  return lines.join('\n') + '\n';
}

function networkMarkdown(c: CohortExport, i18n: I18n): string {
  const t = i18n.t;
  const n = c.ownNetwork!;
  const lines = [`# ${t('export.md.network')}`, '', c.cohort.title, '', t('export.md.networkLead'), ''];
  if (n.contacts.length === 0) lines.push(t('export.md.noInteractions'));
  else lines.push(`| ${t('export.md.person')} | ${t('export.md.fromYou')} | ${t('export.md.toYou')} |`, '|---|---|---|', ...n.contacts.map((x) => `| ${x.name} | ${i18n.number(x.given)} | ${i18n.number(x.received)} |`));
  return lines.join('\n') + '\n';
}
