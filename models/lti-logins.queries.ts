// The state/nonce pairs this tool issued at OIDC login; each is consumed once by its launch.
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from './db.ts';

/** A login's state and the nonce we put into its redirect, as its launch brings them back. */
export interface LtiLogin {
  state: string;
  nonce: string;
}

/** How long a login's state and nonce stay usable: the LMS answers the OIDC request within seconds. */
export const LOGIN_MAX_AGE_SECONDS = 600;

/** The login row is young enough to be used (LOGIN_MAX_AGE_SECONDS). */
const stillOpen = sql<boolean>`created_at > now() - make_interval(secs => ${LOGIN_MAX_AGE_SECONDS})`;

export async function insertLtiLogin(ex: Executor, login: LtiLogin): Promise<void> {
  await ex.insertInto('ltiLogins').values(login).execute();
}

/**
 * A data-modifying CTE's body that deletes the login if it matches and is younger than
 * LOGIN_MAX_AGE_SECONDS, returning one row: a second launch with the same pair gets none (a
 * concurrent one waits for the first to commit, then finds the row gone).
 */
export function consumeLtiLogin(login: LtiLogin): RawBuilder<{ state: string }> {
  return sql`DELETE FROM lti_logins
    WHERE state = ${login.state} AND nonce = ${login.nonce} AND ${stillOpen}
    RETURNING state`;
}

/** Uses up the login whatever its age (a launch refused after ltijs verified it: sent again, it is a replay). */
export async function useUpLtiLogin(ex: Executor, login: LtiLogin): Promise<void> {
  await ex.deleteFrom('ltiLogins').where('state', '=', login.state).where('nonce', '=', login.nonce).execute();
}

/** Whether the login is still there to be used (not yet used up, nor too old). */
export async function isLtiLoginOpen(ex: Executor, login: LtiLogin): Promise<boolean> {
  const row = await ex
    .selectFrom('ltiLogins')
    .select('state')
    .where('state', '=', login.state)
    .where('nonce', '=', login.nonce)
    .where(stillOpen)
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteExpiredLtiLogins(ex: Executor, maxAgeSeconds: number): Promise<number> {
  const res = await ex
    .deleteFrom('ltiLogins')
    .where('createdAt', '<', sql<Date>`now() - make_interval(secs => ${maxAgeSeconds})`)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
