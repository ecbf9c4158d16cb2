// The facilitator's group page: preview and form groups, move people, rename groups.
import { Router } from 'express';
import crypto from 'node:crypto';
import { z } from 'zod';
import * as groupQueries from '../../models/groups.queries.ts';
import { requireLaunch } from '../http/auth.ts';
import { AppError } from '../errors.ts';
import { commitGroups, moveMemberToGroup, previewGroups, renameGroup, type GroupsDeps } from './groups.service.ts';
import { groupsPageView } from './groups.views.ts';
import { memberPhotoUrls } from '../media/profile-photos.ts';

const FormBody = z.object({ seed: z.coerce.number().int().min(0).max(2 ** 32 - 1), rosterHash: z.string().regex(/^[0-9a-f]{16}$/) });
const MoveParams = z.object({ cohortId: z.uuid(), membershipId: z.uuid() });
const MoveBody = z.object({ groupId: z.uuid() });
const GroupParams = z.object({ cohortId: z.uuid(), groupId: z.uuid() });
const RenameBody = z.object({ name: z.string().max(200).default('') });

export function groupsRouter(deps: GroupsDeps): Router {
  const r = Router();
  const facilitator = requireLaunch(deps.db, 'facilitator');

  r.get('/:cohortId/console/groups', facilitator, async (req, res) => {
    const who = req.launch!;
    const existing = await groupQueries.listGroups(deps.db, who.tenantId, who.cohortId);
    const members = existing.length > 0 ? await groupQueries.listGroupMembers(deps.db, who.tenantId, who.cohortId) : [];
    const seed = z.coerce.number().int().min(0).max(2 ** 32 - 1).catch(() => crypto.randomInt(2 ** 31)).parse(req.query.seed ?? crypto.randomInt(2 ** 31));
    const preview = existing.length === 0 ? await previewGroups(deps, who, seed).catch((err) => (err instanceof AppError && err.status === 400 ? err : Promise.reject(err))) : undefined;
    const previewOk = preview && !('status' in preview) ? preview : undefined;
    const photos = await memberPhotoUrls(deps.db, who, [...members.map((m) => m.membershipId), ...(previewOk?.groups.flatMap((g) => g.members.map((m) => m.membershipId)) ?? [])]);
    res.render('groups/groups', { title: req.i18n!.t('groups.page.title'), ...groupsPageView(req.i18n!, who, existing, members, preview, photos) });
  });

  r.post('/:cohortId/console/groups', facilitator, async (req, res) => {
    const { seed, rosterHash } = FormBody.parse(req.body ?? {});
    await commitGroups(deps, req.launch!, seed, rosterHash);
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/console/groups?formed=1`);
  });

  r.post('/:cohortId/console/groups/members/:membershipId', facilitator, async (req, res) => {
    const { membershipId } = MoveParams.parse(req.params);
    const { groupId } = MoveBody.parse(req.body ?? {});
    await moveMemberToGroup(deps, req.launch!, membershipId, groupId);
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/console/groups?moved=1`);
  });

  r.post('/:cohortId/console/groups/:groupId/name', facilitator, async (req, res) => {
    const { groupId } = GroupParams.parse(req.params);
    const { name } = RenameBody.parse(req.body ?? {});
    await renameGroup(deps, req.launch!, groupId, name);
    res.redirect(303, `/cohorts/${req.launch!.cohortId}/console/groups?renamed=1`);
  });

  return r;
}
