// Email opt-outs per person and topic. Every statement is scoped by tenant.
import { sql } from 'kysely';
import type { Executor } from './db.ts';

export async function listOptOuts(ex: Executor, tenantId: string, personId: string): Promise<string[]> {
  const rows = await ex.selectFrom('emailOptOuts').select('topic').where('tenantId', '=', tenantId).where('personId', '=', personId).execute();
  return rows.map((r) => r.topic);
}

/** Replaces the person's opt-outs with exactly `topics`. */
export async function replaceOptOuts(ex: Executor, tenantId: string, personId: string, topics: string[]): Promise<void> {
  await ex.deleteFrom('emailOptOuts').where('tenantId', '=', tenantId).where('personId', '=', personId).execute();
  if (topics.length > 0) await ex.insertInto('emailOptOuts').values(topics.map((topic) => ({ tenantId, personId, topic }))).execute();
}

export async function insertOptOut(ex: Executor, tenantId: string, personId: string, topic: string): Promise<void> {
  await ex.insertInto('emailOptOuts').values({ tenantId, personId, topic }).onConflict((c) => c.doNothing()).execute();
}

/** The person's name, address and language for email: their choice, else their launches', else their deployment's. */
export function findPersonForEmail(ex: Executor, tenantId: string, personId: string) {
  return ex
    .selectFrom('persons as p')
    .innerJoin('tenants as t', 't.id', 'p.tenantId')
    .select(['p.id', 'p.name', 'p.email', sql<string>`coalesce(p.locale, p.launch_locale, t.default_locale)`.as('locale')])
    .where('p.tenantId', '=', tenantId)
    .where('p.id', '=', personId)
    .executeTakeFirst();
}
