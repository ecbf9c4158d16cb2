// Rate limits with express-rate-limit, counted in PostgreSQL so every app process shares them.
import { rateLimit, type Store, type Options, type IncrementResponse } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import type { Db } from '../../models/db.ts';
import * as limits from '../../models/rate-limits.queries.ts';
import { AppError, type UserText } from '../errors.ts';

class PostgresRateLimitStore implements Store {
  #windowMs = 60_000;
  prefix: string;
  private readonly db: Db;
  constructor(db: Db, prefix: string) {
    this.db = db;
    this.prefix = prefix;
  }
  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }
  async increment(key: string): Promise<IncrementResponse> {
    const { hits, resetAt } = await limits.incrementRateLimit(this.db, `${this.prefix}:${key}`, this.#windowMs);
    return { totalHits: hits, resetTime: resetAt };
  }
  async decrement(key: string): Promise<void> {
    await limits.decrementRateLimit(this.db, `${this.prefix}:${key}`);
  }
  async resetKey(key: string): Promise<void> {
    await limits.deleteRateLimit(this.db, `${this.prefix}:${key}`);
  }
}

export function createRateLimit(opts: {
  db: Db;
  name: string;
  windowMs: number;
  limit: number;
  message: UserText;
  key?: (req: Request) => string;
  /** Count only failures (a wrong password), not every request. */
  skipSuccessfulRequests?: boolean;
}): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    store: new PostgresRateLimitStore(opts.db, opts.name),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: opts.skipSuccessfulRequests ?? false,
    ...(opts.key ? { keyGenerator: opts.key } : {}),
    handler: (_req, _res, next) => next(new AppError(429, `rate-limit:${opts.name}`, opts.message)),
  });
}
