// Discussion spaces, threads and posts, for the cohort named in the URL.
import { msg } from '../i18n/i18n.ts';
import { textFor } from '../i18n/request-locale.ts';
import { Router, type Application, type Request, type Response } from 'express';
import { z } from 'zod';
import * as discussions from '../../models/discussions.queries.ts';
import * as threadPage from '../../models/thread-page.queries.ts';
import { findActiveLaunch, recheckLaunch, requireLaunch } from '../http/auth.ts';
import { createRateLimit } from '../http/rate-limit.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { ModuleParams } from '../modules/modules.schemas.ts';
import * as svc from './discussions.service.ts';
import { moduleSpacesView, postView, spaceView, threadView } from './discussions.views.ts';
import type { PostEventsHub } from '../realtime/post-events-hub.ts';
import { openEventStream } from '../realtime/event-stream.ts';
import type { LiveStreamSlots } from '../realtime/live-stream-slots.ts';
import { quoteForReply } from './post-rendering.ts';
import { fieldsOfPost } from './post-fields.ts';
import { postHref } from './post-links.ts';
import { createPostRenderer, type PostView } from './post-html.ts';
import type { Workshops } from '../editions/workshops.ts';
import type { DraftTarget } from '../../models/post-drafts.queries.ts';
import type { AppError } from '../errors.ts';
import { readUploadForm } from '../media/upload-form.ts';
import { memberPhotoUrls, photoUrlsOf } from '../media/profile-photos.ts';
import { FileTooLargeError, FileTypeRefusedError, storeUpload, type MediaDeps } from '../media/media.service.ts';
import { attachmentPickerView } from '../media/attachment-view.ts';

/** An error after which the form comes back with what was typed (and its files): bad input, a file refused. */
function keepsTheForm(err: unknown): err is AppError {
  return err instanceof ValidationError || err instanceof FileTooLargeError || err instanceof FileTypeRefusedError;
}

const SpaceParams = z.object({ cohortId: z.uuid(), spaceId: z.uuid() });
// A thread's id as the database writes it (lowercase): the page's live updates and its forms' draft
// target are built from it, and a URL may spell it in capitals.
const ThreadParams = z.object({ cohortId: z.uuid(), threadId: z.uuid().transform((id) => id.toLowerCase()) });
const PostParams = z.object({ cohortId: z.uuid(), postId: z.uuid() });
// The files kept on a form (ticked in its file picker, or uploaded by its script): one id or several.
const AttachmentIds = z.union([z.uuid(), z.array(z.uuid()).max(50)]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const ThreadBody = z.object({ title: z.string().max(1000).default(''), body: z.string().max(40_000).default(''), attachmentIds: AttachmentIds });
const ReplyBody = z.object({ body: z.string().max(40_000).default(''), parentPostId: z.uuid().optional().or(z.literal('').transform(() => undefined)), attachmentIds: AttachmentIds });
/** Most files one post takes. */
const MAX_FILES_PER_POST = 10;
const PreviewBody = z.object({ body: z.string().max(40_000).default('') });
const KudosBody = z.object({ reason: z.string().max(1000).default('') });
// Which page of the thread: anything but a post id is no anchor (the first page opens instead).
// A quote opens the page of the post quoted, like a link to a post.
const anchor = z.uuid().optional().catch(undefined);
const ThreadPageQuery = z.object({ quote: anchor, post: anchor, after: anchor, before: anchor, page: z.literal('latest').optional().catch(undefined) });
/** Top-level posts on one page of a thread (a reply comes with its parent). */
export const THREAD_PAGE_SIZE = 50;

function threadWindow(query: unknown, replying: boolean): threadPage.ThreadWindow {
  const q = ThreadPageQuery.parse(query);
  // A reply that could not be posted comes back where replies go: the latest page.
  if (replying) return { from: 'latest' };
  if (q.quote ?? q.post) return { from: 'at', postId: (q.quote ?? q.post)! };
  if (q.after) return { from: 'after', postId: q.after };
  if (q.before) return { from: 'before', postId: q.before };
  return q.page === 'latest' ? { from: 'latest' } : { from: 'first' };
}
const DeleteBody = z.object({ confirmed: z.literal('yes').optional() });

const REFUSED_POST = /^\/cohorts\/([0-9a-f-]{36})\/(?:spaces\/([0-9a-f-]{36})\/threads|threads\/([0-9a-f-]{36})\/posts)$/;

/** For the CSRF check: a refused new thread or reply is kept as a server-side draft of its author. */
export function keepRefusedPostForm(deps: svc.DiscussionsDeps): (req: Request) => Promise<boolean> {
  return async (req) => {
    // The full path (originalUrl): a multipart form is refused from inside the router, where req.path is shorter.
    const m = req.method === 'POST' ? REFUSED_POST.exec(req.originalUrl.split('?')[0]!) : null;
    if (!m) return false;
    const who = await findActiveLaunch(deps.db, req, m[1]!);
    const form = ThreadBody.extend({ keptDraftAt: z.iso.datetime().pipe(z.coerce.date()).optional().catch(undefined) }).safeParse(req.body ?? {});
    if (!who || !form.success) return false;
    return svc.keepRefusedPost(deps, who, m[2] ? `space:${m[2]}` : `thread:${m[3]!}`, form.data);
  };
}

/**
 * The posting rate limits: per person (tenant + person), not per address, a burst limit and a
 * steady one, shared by all processes. A file uploaded on its own (the composer) counts as a post.
 */
export function createPostingLimits(db: svc.DiscussionsDeps['db']) {
  const perPerson = (req: Request) => `${req.launch!.tenantId}:${req.launch!.personId}`;
  return [
    createRateLimit({ db, name: 'post-burst', windowMs: 10_000, limit: 5, key: perPerson, message: msg('limits.postBurst') }),
    createRateLimit({ db, name: 'post-minute', windowMs: 60_000, limit: 15, key: perPerson, message: msg('limits.postMinute') }),
  ];
}

// One renderer per app: it keeps renderings when the app caches its views (production).
const postRenderers = new WeakMap<Application, ReturnType<typeof createPostRenderer>>();
function postRenderer(req: Request) {
  let render = postRenderers.get(req.app);
  if (!render) postRenderers.set(req.app, (render = createPostRenderer({ cache: req.app.enabled('view cache') })));
  return render;
}
const renderPost = (req: Request, post: PostView): string => postRenderer(req)(post, req.i18n!);

export function discussionsRouter(deps: svc.DiscussionsDeps & { workshops: Workshops; postEvents: PostEventsHub; liveStreams: LiveStreamSlots; media: MediaDeps }): Router {
  const r = Router();
  const member = requireLaunch(deps.db);
  const postingLimits = createPostingLimits(deps.db);

  /**
   * A post form's fields, with its files (if sent as multipart) stored as pending attachments of
   * the form's draft: only once this person may post there, and a file refused (too large, not a
   * type we take) comes back as `refused` with the fields, so the page keeps what was typed.
   */
  async function readPostForm(req: Request, res: Response, target: DraftTarget) {
    const who = req.launch!;
    if (req.is('multipart/form-data')) await svc.assertCanPostTo(deps, who, target);
    const maxFileBytes = Math.max(...Object.values(deps.media.limits.maxBytes));
    return readUploadForm(req, res, { maxFileBytes, maxFiles: MAX_FILES_PER_POST, store: (file, name) => storeUpload(deps.media, who, target, file, name) });
  }

  r.get('/:cohortId/commons', member, async (req, res) => {
    const space = await svc.commons(deps, req.launch!);
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/spaces/${space.id}`);
  });

  r.get('/:cohortId/modules/:moduleId/space', member, async (req, res) => {
    const { moduleId } = ModuleParams.parse(req.params);
    const who = req.launch!;
    if (who.role === 'facilitator') {
      const spaces = await svc.groupSpacesOfModule(deps, who, moduleId);
      const photos = await memberPhotoUrls(deps.db, who, spaces.flatMap((s) => s.summary.members.map((m) => m.membershipId)));
      return res.render('discussions/module-spaces', { title: req.i18n!.t('discussions.moduleSpaces.pageTitle'), ...moduleSpacesView(req.i18n!, who, (await deps.workshops.forCohort(who.tenantId, who.cohortId)).byId(moduleId)?.title, spaces, photos) });
    }
    const space = await svc.groupSpaceFor(deps, who, moduleId);
    if (!space) return res.render('discussions/no-group', { title: req.i18n!.t('groups.noGroup.heading'), cohort: { id: who.cohortId }, person: { name: who.displayName } });
    res.redirect(303, `/cohorts/${who.cohortId}/spaces/${space.id}`);
  });

  r.get('/:cohortId/spaces/:spaceId', member, async (req, res) => renderSpace(req, res, 200));

  r.post('/:cohortId/spaces/:spaceId/threads', member, ...postingLimits, async (req, res) => {
    const { spaceId } = SpaceParams.parse(req.params);
    const upload = await readPostForm(req, res, `space:${spaceId}`);
    const form = ThreadBody.parse(upload.fields);
    try {
      if (upload.refused) throw upload.refused;
      const { thread } = await svc.startThread(deps, req.launch!, spaceId, { ...form, attachmentIds: [...form.attachmentIds, ...upload.stored.map((a) => a.id)] });
      res.redirect(303, `/cohorts/${req.launch!.cohortId}/threads/${thread.id}`);
    } catch (err) {
      if (!keepsTheForm(err)) throw err;
      await renderSpace(req, res, err.status, { error: textFor(req, err.userMessage), form });
    }
  });

  r.get('/:cohortId/threads/:threadId', member, async (req, res) => renderThread(req, res, 200));

  // The composer's preview: the text rendered by the same renderer as a post (sanitised HTML).
  r.post('/:cohortId/posts/preview', member, async (req, res) => {
    const { body } = PreviewBody.parse(req.body ?? {});
    res.type('html').set('Cache-Control', 'no-store').send(svc.previewPost(body));
  });

  // Live updates: new posts in this space, as server-sent events carrying ids only.
  r.get('/:cohortId/spaces/:spaceId/events', member, async (req, res) => {
    const { spaceId } = SpaceParams.parse(req.params);
    const who = req.launch!;
    const space = await svc.findVisibleSpace(deps, who, spaceId);
    const release = deps.liveStreams.acquire(`${who.tenantId}:${who.personId}`);
    // Before every event to every open stream of the space: the standing from the app's caches
    // (kept true by NOTIFY), so the commons' streams cost no round trip per event.
    const mayStillSee = async () => {
      const now = await recheckLaunch(deps.db, who, req.caches);
      return now !== undefined && svc.stillSeesSpace(deps, now, space);
    };
    openEventStream(req, res, { subscribe: (s) => deps.postEvents.subscribe(who.tenantId, space.id, s), mayStillSee, release });
  });

  // One post's HTML, for the live update of a thread page (the same checks as the thread).
  r.get('/:cohortId/posts/:postId/fragment', member, async (req, res) => {
    const { postId } = PostParams.parse(req.params);
    const who = req.launch!;
    const found = await discussions.findPost(deps.db, who.tenantId, postId);
    if (!found) throw new NotFoundError('post');
    await svc.findVisibleSpace(deps, who, found.spaceId);
    // A hidden post reaches only its author and the facilitators, here as on the thread page.
    if (found.status === 'hidden' && who.role !== 'facilitator' && found.authorMembershipId !== who.membershipId) throw new NotFoundError('post');
    // The author's photo comes with the post, as on the thread page.
    const [row] = await threadPage.listThreadPosts(deps.db, who.tenantId, found.threadId, { onlyPostId: found.id });
    res.type('html').send(renderPost(req, postView(req.i18n!, who, found.threadId, row!)));
  });

  r.post('/:cohortId/threads/:threadId/posts', member, ...postingLimits, async (req, res) => {
    const { threadId } = ThreadParams.parse(req.params);
    const upload = await readPostForm(req, res, `thread:${threadId}`);
    const form = ReplyBody.parse(upload.fields);
    try {
      if (upload.refused) throw upload.refused;
      const { post } = await svc.replyInThread(deps, req.launch!, threadId, { ...form, attachmentIds: [...form.attachmentIds, ...upload.stored.map((a) => a.id)] });
      res.redirect(303, postHref(req.launch!.cohortId, threadId, post.id));
    } catch (err) {
      if (!keepsTheForm(err)) throw err;
      await renderThread(req, res, err.status, { error: textFor(req, err.userMessage), body: form.body, parentPostId: form.parentPostId });
    }
  });

  // The author's edit form has a page of its own: on the thread page, each own post's source in a
  // field of the page's one form would be sent with every other action there.
  r.get('/:cohortId/posts/:postId/edit', member, async (req, res) => {
    const { postId } = PostParams.parse(req.params);
    const who = req.launch!;
    const post = await svc.findOwnPostToEdit(deps, who, postId);
    res.render('discussions/edit-post', { title: req.i18n!.t('discussions.edit.title'), cohort: { id: who.cohortId }, person: { name: who.displayName }, postId, source: post.bodySource, backHref: postHref(who.cohortId, post.threadId, post.id) });
  });

  r.post('/:cohortId/posts/:postId/edit', member, async (req, res) => {
    const { postId } = PostParams.parse(req.params);
    const { body } = ReplyBody.parse(req.body ?? {});
    const post = await svc.editPost(deps, req.launch!, postId, body);
    res.redirect(303, postHref(req.launch!.cohortId, post.threadId, post.id));
  });

  r.post('/:cohortId/posts/:postId/delete', member, async (req, res) => {
    const { postId } = PostParams.parse(req.params);
    const { confirmed } = DeleteBody.parse(req.body ?? {});
    const who = req.launch!;
    if (!confirmed) {
      // Checked before anything is read out: only the author, in a space they can see, gets this page.
      const post = await svc.findOwnPostToDelete(deps, who, postId);
      return res.render('discussions/confirm-delete', { title: req.i18n!.t('discussions.delete.title'), cohort: { id: who.cohortId }, person: { name: who.displayName }, postId, backHref: `/cohorts/${who.cohortId}/threads/${post.threadId}` });
    }
    const post = await svc.deleteOwnPost(deps, who, postId);
    res.redirect(303, `/cohorts/${who.cohortId}/threads/${post.threadId}`);
  });

  r.post('/:cohortId/posts/:postId/kudos', member, ...postingLimits, async (req, res) => {
    const { postId } = PostParams.parse(req.params);
    const { reason } = KudosBody.parse(fieldsOfPost(req.body, postId));
    const post = await svc.giveKudos(deps, req.launch!, postId, reason);
    res.redirect(303, postHref(req.launch!.cohortId, post.threadId, post.id));
  });

  async function renderSpace(req: Request, res: Response, status: number, flash?: { error: string; form: { title: string; body: string } }) {
    const { spaceId } = SpaceParams.parse(req.params);
    const who = req.launch!;
    // The space comes with its page, checked (404 unless this person sees it) before any of it is used.
    const [{ space, threads, norms, keptForm, members }, workshop] = await Promise.all([svc.spacePageFor(deps, who, spaceId), deps.workshops.forCohort(who.tenantId, who.cohortId)]);
    // A form sent back with an error shows what was sent, not the kept draft.
    const kept = flash ? undefined : keptForm.draft;
    const pending = who.role === 'observer' ? [] : keptForm.pending;
    const form = flash ?? (kept ? { error: '', form: { title: kept.title, body: kept.body } } : undefined);
    // The photos came with the threads and the strip.
    const photos = photoUrlsOf(who, [
      ...threads.flatMap((t) => [{ membershipId: t.authorMembershipId, photoId: t.authorPhotoId, photoHash: t.authorPhotoHash }, ...t.participants]),
      ...members,
    ]);
    res.status(status).render('discussions/space', { title: req.i18n!.t('discussions.space.pageTitle'), picker: attachmentPickerView(pending, deps.media.limits.maxBytes), keptDraft: Boolean(kept), keptDraftAt: kept?.updatedAt.toISOString(), ...spaceView(req.i18n!, who, space, threads, workshop, form, norms, members, photos) });
  }

  async function renderThread(req: Request, res: Response, status: number, flash?: { error: string; body: string; parentPostId?: string | undefined }) {
    const { threadId } = ThreadParams.parse(req.params);
    const who = req.launch!;
    const window = threadWindow(req.query, flash !== undefined);
    const quoteId = flash ? undefined : ThreadPageQuery.parse(req.query).quote;
    // The thread, its space, the page and what this person kept on the reply form, checked together.
    const { thread, space, page: listed, keptForm } = await svc.threadPageFor(deps, who, threadId, window, THREAD_PAGE_SIZE, { quoteId });
    // A form sent back with an error shows what was sent, not the kept draft.
    const draftRow = flash ? undefined : keptForm.draft;
    const pending = who.role === 'observer' ? [] : keptForm.pending;
    // The authors' photos came with the page's own query (the view addresses them); the rows go as
    // read, so that a kept page's rows keep their renderings (post-html.ts).
    const page = listed;
    const quote = quoteId ? page.posts.find((p) => p.id === quoteId && p.status === 'visible') : undefined;
    // A quote-reply starts from the quote; otherwise a kept draft comes back into the form.
    const kept = quote ? undefined : draftRow;
    const draft = flash ?? (quote ? { error: '', body: quoteForReply(quote.bodySource ?? '', quote.authorName ?? req.i18n!.t('discussions.someone'), req.i18n!), parentPostId: quote.id } : kept ? { error: '', body: kept.body } : undefined);
    res.status(status).render('discussions/thread', { title: thread.title, picker: attachmentPickerView(pending, deps.media.limits.maxBytes), keptDraft: Boolean(kept), keptDraftAt: kept?.updatedAt.toISOString(), flagged: req.query.flagged === '1', ...threadView(req.i18n!, who, space, thread, page, (row, key, view) => postRenderer(req).row(row, key, view, req.i18n!), draft) });
  }

  return r;
}
