// The state/nonce pairs this tool issued at OIDC login; each is consumed once by its launch.
import { sql } from 'kysely';
import type { Executor } from './db.ts';

export async function insertLtiLogin(ex: Executor, login: { state: string; nonce: string }): Promise<void> {
  await ex.insertInto('ltiLogins').values(login).execute();
}

/** Deletes and returns the login if it matches and is younger than maxAgeSeconds: a second call finds nothing. */
export async function deleteLtiLogin(
  ex: Executor,
  login: { state: string; nonce: string },
  maxAgeSeconds: number,
): Promise<boolean> {
  const row = await ex
    .deleteFrom('ltiLogins')
    .where('state', '=', login.state)
    .where('nonce', '=', login.nonce)
    .where('createdAt', '>', sql<Date>`now() - make_interval(secs => ${maxAgeSeconds})`)
    .returning('state')
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
