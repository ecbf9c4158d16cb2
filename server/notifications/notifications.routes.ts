// A person's in-app notifications in this cohort (mentions, replies, kudos, flags; grouped by thread), and marking them read.
import { Router } from 'express';
import type { Db } from '../../models/db.ts';
import * as notifications from '../../models/notifications.queries.ts';
import { requireLaunch } from '../http/auth.ts';
import { describeNotification, groupNotifications } from './notification-text.ts';

export function notificationsRouter(deps: { db: Db }): Router {
  const r = Router();

  r.get('/:cohortId/notifications', requireLaunch(deps.db), async (req, res) => {
    const who = req.launch!;
    const rows = await notifications.listNotifications(deps.db, who.tenantId, who.membershipId);
    res.render('notifications/list', {
      title: req.i18n!.t('notifications.title'),
      cohort: { id: who.cohortId },
      person: { name: who.displayName },
      items: groupNotifications(rows, true, (n) => String(n.readAt === null)).map(({ first, latest, count }) => ({
        unread: latest.readAt === null,
        ...(({ message, path }) => ({ text: req.i18n!.text(message), href: path }))(describeNotification(first, who.cohortId, count)),
        when: latest.createdAt,
      })),
    });
  });

  r.post('/:cohortId/notifications/read', requireLaunch(deps.db), async (req, res) => {
    const who = req.launch!;
    await notifications.updateNotificationsRead(deps.db, who.tenantId, who.membershipId);
    res.redirect(303, `/cohorts/${who.cohortId}/notifications`);
  });

  return r;
}
