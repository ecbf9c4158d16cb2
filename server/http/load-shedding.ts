// Past capacity, answer at once with a 503 page instead of queueing requests for tens of seconds:
// every page needs a database connection, so the pool's queue of waiting requests is the measure.
import type { RequestHandler } from 'express';
import type pg from 'pg';
import { AppError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';

export function shedLoad(pool: Pick<pg.Pool, 'waitingCount'>, maxWaiting: number): RequestHandler {
  return (_req, res, next) => {
    if (pool.waitingCount <= maxWaiting) return next();
    res.setHeader('Retry-After', '5');
    next(new AppError(503, 'busy', msg('errors.busy')));
  };
}
