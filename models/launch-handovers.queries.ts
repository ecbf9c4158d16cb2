// One-use hand-overs of a verified launch to a new window (only the token's hash is stored).
import type { Executor } from './db.ts';
import type { LaunchContext } from '../server/launch-context.ts';

export async function insertLaunchHandover(ex: Executor, h: { tokenHash: Buffer; launch: LaunchContext; returnTo: string; expiresAt: Date }): Promise<void> {
  await ex.insertInto('launchHandovers').values({ ...h, launch: JSON.stringify(h.launch) }).execute();
}

/** Deletes and returns the hand-over if it has not expired: a second call finds nothing. */
export async function takeLaunchHandover(ex: Executor, tokenHash: Buffer, now: Date): Promise<{ launch: LaunchContext; returnTo: string } | undefined> {
  return ex
    .deleteFrom('launchHandovers')
    .where('tokenHash', '=', tokenHash)
    .where('expiresAt', '>', now)
    .returning(['launch', 'returnTo'])
    .executeTakeFirst();
}

export async function deleteExpiredLaunchHandovers(ex: Executor, now: Date): Promise<number> {
  const res = await ex.deleteFrom('launchHandovers').where('expiresAt', '<=', now).executeTakeFirst();
  return Number(res.numDeletedRows);
}
