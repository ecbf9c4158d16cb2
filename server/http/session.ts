// Our own session (express-session in PostgreSQL) and Passport over it: LTI launches log a person in
// through server/launches/launch.ts; the tool admin logs in with email and password (local strategy).
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { DbHandle } from '../../models/db.ts';
import type { Request, RequestHandler } from 'express';
import type { Config } from '../config.ts';
import type { SessionUser } from '../launch-context.ts';
import type { SharedCache } from '../cache/shared-cache.ts';
import { issueCsrfToken } from './csrf.ts';

const PgStore = connectPgSimple(session);
export const SESSION_COOKIE = 'cw.sid';

type StoredSession = session.SessionData;

/** A session as the cache keeps it: its JSON (each reader parses its own copy) and when it ends. */
interface KeptSession {
  json: string;
  expires: number | undefined;
}
const kept = (sess: StoredSession): KeptSession => ({ json: JSON.stringify(sess), expires: sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : undefined });
const keepSession = (sid: string) => ({ expires }: KeptSession) => ({ tags: [`session:${sid}`], ttlMs: expires === undefined ? undefined : expires - Date.now() });

/**
 * The PostgreSQL store read through the app's cache, keyed by sid. Saves and destroys write to
 * PostgreSQL first; a trigger's NOTIFY then drops the copy in every process (this one at once).
 * A kept session is dropped at its own expiry; each reader gets its own copy to change, parsed from
 * the kept JSON (a session is JSON in PostgreSQL; parsing is ~3× cheaper than structuredClone).
 */
export class CachedPgStore extends PgStore {
  readonly #cache: SharedCache;
  /** Sessions read from PostgreSQL in this request (not made new for it). */
  readonly #stored = new WeakSet<session.Session>();
  /** What each session object was last saved as, so the same content is not written twice. */
  readonly #saved = new WeakMap<object, string>();

  constructor(options: ConstructorParameters<typeof PgStore>[0], cache: SharedCache) {
    super(options);
    this.#cache = cache;
    // No touch at all (see createSession): with one, express-session asks at the end of every
    // response whether to touch, hashing the whole session once more (its 4th hash of the request).
    Object.defineProperty(this, 'touch', { value: undefined });
  }

  override createSession(req: Request, sess: StoredSession): session.Session & session.SessionData {
    const made = super.createSession(req, sess);
    this.#stored.add(made);
    return made;
  }

  /**
   * A new id at login (passport regenerates): the stored session goes, as before. A session made new
   * for this request was never stored (its id is fresh), so there is nothing to delete.
   */
  override regenerate(req: Request, done: (err?: unknown) => void): void {
    if (req.session && this.#stored.has(req.session)) return super.regenerate(req, done);
    (this as unknown as { generate(r: Request): void }).generate(req);
    done();
  }

  override get(sid: string, done: (err: unknown, sess?: StoredSession | null) => void): void {
    this.#cache
      .read<KeptSession>(
        `session:${sid}`,
        () => new Promise((resolve, reject) => super.get(sid, (err, sess) => (err ? reject(err) : resolve(sess ? kept(sess) : undefined)))),
        keepSession(sid),
      )
      .then((found) => done(null, found ? (JSON.parse(found.json) as StoredSession) : null), done);
  }

  // Passport saves the session at login before the redirect is sent; express-session then saves it
  // again at the end of the response (the id changed since the request began), its cookie's expiry
  // moved on by a few milliseconds. With nothing else changed, that second write is skipped.
  // What was saved is kept: the next request (a launch's first page) reads it from memory. The write
  // is the cache's load, so a change heard while it is in flight (this very save's NOTIFY, when it
  // replaces a stored session) spoils the copy, as for any load.
  override set(sid: string, sess: StoredSession, done?: (err?: unknown) => void): void {
    const { cookie: _expiry, ...content } = sess;
    const json = JSON.stringify(content);
    if (this.#saved.get(sess) === `${sid} ${json}`) {
      done?.();
      return;
    }
    this.#cache.forget(`session:${sid}`);
    this.#cache
      .read<KeptSession>(`session:${sid}`, () => new Promise((resolve, reject) => super.set(sid, sess, (err) => (err ? reject(err) : resolve(kept(sess))))), keepSession(sid))
      .then(
        () => {
          this.#saved.set(sess, `${sid} ${json}`);
          done?.();
        },
        (err: unknown) => {
          this.#saved.delete(sess);
          done?.(err);
        },
      );
  }

  override destroy(sid: string, done?: (err?: unknown) => void): void {
    super.destroy(sid, (err) => {
      this.#cache.forget(`session:${sid}`);
      done?.(err);
    });
  }
}

export interface SessionSetup {
  middleware: RequestHandler[];
  passport: passport.PassportStatic;
  close(): void;
}

export function createSession(opts: {
  config: Config;
  pool: DbHandle['pool'];
  secret: string;
  /** Sessions are read through it. */
  cache: SharedCache;
  verifyAdmin: (email: string, password: string) => Promise<{ id: string } | undefined>;
}): SessionSetup {
  // No touch: it was an UPDATE of the session's expiry on every GET. The expiry is set whenever the
  // session is saved (each launch renews it), which is also when the browser gets a fresh cookie.
  const store = new CachedPgStore({ pool: opts.pool, tableName: 'http_sessions', createTableIfMissing: false, pruneSessionInterval: 15 * 60, disableTouch: true }, opts.cache);
  const secure = opts.config.secureCookies;
  const sessionMiddleware = session({
    name: SESSION_COOKIE,
    store,
    secret: opts.secret,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: opts.config.trustProxy !== false,
    cookie: {
      httpOnly: true,
      secure,
      // Inside the LMS iframe we are a third party: only SameSite=None cookies travel (and need https),
      // and browsers that block third-party cookies keep them only when Partitioned (CHIPS).
      sameSite: secure ? 'none' : 'lax',
      partitioned: secure,
      maxAge: 8 * 3600 * 1000,
    },
  });

  // An instance of our own, not the global singleton: tests run several apps in one process.
  const pp = new passport.Passport() as unknown as passport.PassportStatic;
  // A new signed-in session starts with its CSRF token, saved with the login: otherwise the first
  // page would make one and write the session again.
  pp.serializeUser((req: Request, user: Express.User, done: (err: unknown, id?: unknown) => void) => {
    if (req.res) issueCsrfToken(req, req.res);
    done(null, user);
  });
  pp.deserializeUser((user: SessionUser, done) => done(null, user));
  pp.use(
    'admin-local',
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      opts
        .verifyAdmin(email, password)
        .then((admin) => done(null, admin ? ({ launches: {}, adminId: admin.id } satisfies SessionUser) : false))
        .catch(done);
    }),
  );
  return {
    middleware: [sessionMiddleware, pp.initialize(), pp.session()],
    passport: pp,
    close: () => store.close(),
  };
}
