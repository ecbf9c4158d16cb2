// Signed links (only their token's hash is stored). Every statement is scoped by tenant.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { SignedLinkPurpose } from './schema.ts';

export interface SignedLinkRow {
  tenantId: string;
  id: string;
  purpose: SignedLinkPurpose;
  subjectId: string;
  cohortId: string;
  singleUse: boolean;
  returnTo: string | null;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = ['tenantId', 'id', 'purpose', 'subjectId', 'cohortId', 'singleUse', 'returnTo', 'expiresAt', 'usedAt', 'revokedAt'] as const;

export async function insertSignedLink(
  ex: Executor,
  l: { tenantId: string; purpose: SignedLinkPurpose; subjectId: string; cohortId: string; tokenHash: Buffer; singleUse: boolean; returnTo: string | null; expiresAt: Date },
): Promise<string> {
  return (await ex.insertInto('signedLinks').values(l).returning('id').executeTakeFirstOrThrow()).id;
}

export function findSignedLinkByHash(ex: Executor, tenantId: string, tokenHash: Buffer): Promise<SignedLinkRow | undefined> {
  return ex.selectFrom('signedLinks').select(COLUMNS).where('tenantId', '=', tenantId).where('tokenHash', '=', tokenHash).executeTakeFirst();
}

/** Marks a single-use link used; false when it already was (a concurrent use lost the race). */
export async function markSignedLinkUsed(ex: Executor, tenantId: string, id: string, now: Date): Promise<boolean> {
  const res = await ex.updateTable('signedLinks').set({ usedAt: now }).where('tenantId', '=', tenantId).where('id', '=', id).where('usedAt', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function revokeSignedLinksOf(ex: Executor, tenantId: string, purpose: SignedLinkPurpose, subjectId: string): Promise<void> {
  await ex
    .updateTable('signedLinks')
    .set({ revokedAt: sql`now()` })
    .where('tenantId', '=', tenantId)
    .where('purpose', '=', purpose)
    .where('subjectId', '=', subjectId)
    .where('revokedAt', 'is', null)
    .execute();
}
