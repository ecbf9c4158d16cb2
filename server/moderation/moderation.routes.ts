// Moderation routes: a member's flag, and the facilitators' queue, post and thread actions, audit
// log, mutes and announcements under /cohorts/:id/console/moderation and …/console/announcements.
import { textFor, textsFor } from '../i18n/request-locale.ts';
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../models/db.ts';
import * as groups from '../../models/groups.queries.ts';
import { requireLaunch } from '../http/auth.ts';
import { ValidationError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import * as svc from './moderation.service.ts';
import { muteMember, unmuteMember, membersForModeration } from './mutes.service.ts';
import { announce, announcementsFor } from './announcements.service.ts';
import { auditLog } from './audit-log.service.ts';
import * as s from './moderation.schemas.ts';
import { fieldsOfPost } from '../discussions/post-fields.ts';
import { announcementsView, logView, membersView, moderatePostView, pageBase, queueView } from './moderation.views.ts';
import { postHref } from '../discussions/post-links.ts';

export function moderationRouter(deps: { db: Db; queue?: JobQueue | undefined }): Router {
  const r = Router();
  const member = requireLaunch(deps.db);
  const facilitator = requireLaunch(deps.db, 'facilitator');
  const base = (req: Request) => `/cohorts/${req.launch!.cohortId}/console/moderation`;
  const backTo = (req: Request, from: 'queue' | 'thread', post: { id: string; threadId: string }, done: string) =>
    from === 'queue' ? `${base(req)}?done=${done}` : postHref(req.launch!.cohortId, post.threadId, post.id);

  r.post('/:cohortId/posts/:postId/flag', member, async (req, res) => {
    const { postId } = s.PostParams.parse(req.params);
    const { flagReason: reason } = s.FlagBody.parse(fieldsOfPost(req.body, postId));
    try {
      const post = await svc.flagPost(deps, req.launch!, postId, reason);
      res.redirect(303, `/cohorts/${req.launch!.cohortId}/threads/${post.threadId}?flagged=1&post=${post.id}#post-${post.id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(400).render('moderation/flag', { ...pageBase(req.launch!, req.i18n!.t('moderation.flag.heading')), postId, reason, error: err.userMessage, errorSummary: [{ field: 'flagReason', message: err.userMessage }] });
    }
  });

  r.get('/:cohortId/console/moderation', facilitator, async (req, res) => {
    const entries = await svc.moderationQueue(deps, req.launch!);
    res.render('moderation/queue', queueView(req.i18n!, req.launch!, entries, typeof req.query.done === 'string' ? req.query.done : undefined));
  });

  // Hide and delete: the first POST shows a confirmation with the reason; the second (confirmed) acts.
  for (const action of ['hide', 'delete'] as const) {
    r.post(`/:cohortId/console/moderation/posts/:postId/${action}`, facilitator, async (req, res) => {
      const { postId } = s.PostParams.parse(req.params);
      const form = s.ReasonBody.parse(req.body ?? {});
      const who = req.launch!;
      const post = await svc.findPostOfCohort(deps, who, postId);
      const confirm = (status: number, error?: string) =>
        res.status(status).render('moderation/confirm', { ...pageBase(who, req.i18n!.t(`moderation.confirm.${action}.heading`)), action, postId, excerpt: post.bodySource.slice(0, 500), reason: form.reason, from: form.from, error, errorSummary: error ? [{ field: 'reason', message: error }] : [], backHref: form.from === 'queue' ? base(req) : postHref(who.cohortId, post.threadId, post.id) });
      if (!form.confirmed) return confirm(200);
      try {
        await (action === 'hide' ? svc.hidePost : svc.deletePost)(deps, who, postId, form.reason);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return confirm(400, textFor(req, err.userMessage));
      }
      res.redirect(303, backTo(req, form.from, post, action));
    });
  }

  // A post's moderation page, linked from each post of a thread: hide and delete with their reason, edit.
  r.get('/:cohortId/console/moderation/posts/:postId', facilitator, async (req, res) => {
    const { postId } = s.PostParams.parse(req.params);
    const who = req.launch!;
    const post = await svc.findPostOfCohort(deps, who, postId);
    res.render('moderation/post', { ...pageBase(who, req.i18n!.t('moderation.post.heading')), ...moderatePostView(who, post) });
  });

  r.post('/:cohortId/console/moderation/posts/:postId/restore', facilitator, async (req, res) => {
    const { postId } = s.PostParams.parse(req.params);
    const { from } = s.FromBody.parse(req.body ?? {});
    const post = await svc.restorePost(deps, req.launch!, postId);
    res.redirect(303, backTo(req, from, post, 'restore'));
  });

  r.post('/:cohortId/console/moderation/posts/:postId/endorse', facilitator, async (req, res) => {
    const { postId } = s.PostParams.parse(req.params);
    const { endorsed } = s.EndorseBody.parse(req.body ?? {});
    const post = await svc.setEndorsed(deps, req.launch!, postId, endorsed === 'yes');
    res.redirect(303, backTo(req, 'thread', post, 'endorse'));
  });

  r.get('/:cohortId/console/moderation/posts/:postId/edit', facilitator, async (req, res) => renderEdit(req, res, 200));

  r.post('/:cohortId/console/moderation/posts/:postId/edit', facilitator, async (req, res) => {
    const { postId } = s.PostParams.parse(req.params);
    const form = s.EditBody.parse(req.body ?? {});
    try {
      const post = await svc.editPostAsFacilitator(deps, req.launch!, postId, form);
      res.redirect(303, backTo(req, 'thread', post, 'edit'));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderEdit(req, res, 400, { error: textFor(req, err.userMessage), field: 'body' in err.fieldErrors ? 'body' : 'reason', ...form });
    }
  });

  for (const change of ['pin', 'unpin', 'lock', 'unlock'] as const) {
    r.post(`/:cohortId/console/moderation/threads/:threadId/${change}`, facilitator, async (req, res) => {
      const { threadId } = s.ThreadParams.parse(req.params);
      await svc.setThreadState(deps, req.launch!, threadId, change);
      res.redirect(303, `/cohorts/${req.launch!.cohortId}/threads/${threadId}`);
    });
  }

  r.post('/:cohortId/console/moderation/flags/:flagId/dismiss', facilitator, async (req, res) => {
    const { flagId } = s.FlagParams.parse(req.params);
    await svc.dismissFlag(deps, req.launch!, flagId);
    res.redirect(303, `${base(req)}?done=dismiss`);
  });

  r.get('/:cohortId/console/moderation/log', facilitator, async (req, res) => {
    const filter = s.LogQuery.parse(req.query);
    try {
      const { rows, members } = await auditLog(deps, req.launch!, filter);
      res.render('moderation/log', logView(req.i18n!, req.launch!, rows, members, filter));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const { members } = await auditLog(deps, req.launch!, { action: '', person: '', from: '', to: '' });
      res.status(400).render('moderation/log', logView(req.i18n!, req.launch!, [], members, filter, { message: textFor(req, err.userMessage), fields: textsFor(req, err.fieldErrors) }));
    }
  });

  r.get('/:cohortId/console/moderation/members', facilitator, async (req, res) => renderMembers(req, res, 200));

  r.post('/:cohortId/console/moderation/members/:membershipId/mute', facilitator, async (req, res) => {
    const { membershipId } = s.MemberParams.parse(req.params);
    const form = s.MuteBody.parse(req.body ?? {});
    try {
      await muteMember(deps, req.launch!, membershipId, form);
      res.redirect(303, `${base(req)}/members?done=mute`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderMembers(req, res, 400, { membershipId, error: textFor(req, err.userMessage), ...form });
    }
  });

  r.post('/:cohortId/console/moderation/members/:membershipId/unmute', facilitator, async (req, res) => {
    const { membershipId } = s.MemberParams.parse(req.params);
    await unmuteMember(deps, req.launch!, membershipId);
    res.redirect(303, `${base(req)}/members?done=unmute`);
  });

  r.get('/:cohortId/console/announcements', facilitator, async (req, res) => renderAnnouncements(req, res, 200));

  r.post('/:cohortId/console/announcements', facilitator, async (req, res) => {
    const form = s.AnnouncementBody.parse(req.body ?? {});
    try {
      await announce(deps, req.launch!, form);
      res.redirect(303, `/cohorts/${req.launch!.cohortId}/console/announcements?sent=1`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderAnnouncements(req, res, 400, { error: textFor(req, err.userMessage), fields: textsFor(req, err.fieldErrors), form });
    }
  });

  async function renderEdit(req: Request, res: Response, status: number, flash?: { error: string; field: 'body' | 'reason'; body: string; reason: string }) {
    const { postId } = s.PostParams.parse(req.params);
    const who = req.launch!;
    const post = await svc.findPostOfCohort(deps, who, postId);
    res.status(status).render('moderation/edit', { ...pageBase(who, req.i18n!.t('moderation.edit.heading')), postId, body: flash?.body ?? post.bodySource, reason: flash?.reason ?? '', bodyError: flash?.field === 'body' ? flash.error : undefined, reasonError: flash?.field === 'reason' ? flash.error : undefined, errorSummary: flash ? [{ field: flash.field, message: flash.error }] : [], backHref: postHref(who.cohortId, post.threadId, post.id) });
  }

  async function renderMembers(req: Request, res: Response, status: number, flash?: { membershipId: string; error: string; period: string; reason: string }) {
    const rows = await membersForModeration(deps, req.launch!);
    res.status(status).render('moderation/members', membersView(req.i18n!, req.launch!, rows, flash, typeof req.query.done === 'string' ? req.query.done : undefined));
  }

  async function renderAnnouncements(req: Request, res: Response, status: number, flash?: Parameters<typeof announcementsView>[4]) {
    const who = req.launch!;
    const [list, all] = await Promise.all([announcementsFor(deps, who), groups.listGroups(deps.db, who.tenantId, who.cohortId)]);
    res.status(status).render('moderation/announcements', announcementsView(req.i18n!, who, all, list, flash, req.query.sent === '1'));
  }

  return r;
}
