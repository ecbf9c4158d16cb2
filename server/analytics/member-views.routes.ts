// What the dashboard adds to members' own pages, without touching those pages' routes: their own
// network on their profile, put in res.locals for the template. (A learner's nudges come with the
// hub's own statement: server/modules/modules.service.ts, hubFor.)
// Mounted before the hub and profile routers; it only reads, and passes every request on.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import { findActiveLaunch } from '../http/auth.ts';
import { ownNetwork, RelationshipAnalyticsOffError } from './analytics.service.ts';
import { egoView } from './analytics.views.ts';
import { memberPhotoUrls } from '../media/profile-photos.ts';
import { avatarView } from '../http/avatar.ts';

const CohortParams = z.object({ cohortId: z.uuid() });

export function memberViewsRouter(deps: { db: Db; now?: () => Date }): Router {
  const r = Router();
  const withLaunch = (fill: (req: Request, res: Response, who: NonNullable<Awaited<ReturnType<typeof findActiveLaunch>>>) => Promise<void>) =>
    async (req: Request, res: Response, next: NextFunction) => {
      const params = CohortParams.safeParse(req.params);
      const who = params.success ? await findActiveLaunch(deps.db, req, params.data.cohortId) : undefined;
      if (who) await fill(req, res, who);
      next();
    };

  r.get('/:cohortId/profile', withLaunch(async (req, res, who) => {
    try {
      const contacts = await ownNetwork({ db: deps.db, now: deps.now ?? (() => new Date()) }, who);
      // The table's faces (the export's copy of this table has none).
      const [view, photos] = [egoView(contacts, req.i18n!), await memberPhotoUrls(deps.db, who, contacts.map((c) => c.membershipId))];
      res.locals.ownNetwork = { ...view, contacts: view.contacts.map((c, i) => ({ ...c, avatar: avatarView(contacts[i]!.membershipId, c.name, photos.get(contacts[i]!.membershipId)) })) };
    } catch (err) {
      if (!(err instanceof RelationshipAnalyticsOffError)) throw err;
      res.locals.ownNetworkOff = true;
    }
  }));

  return r;
}
