// Manager invites to an action plan. Every statement is scoped by tenant.
import { sql } from 'kysely';
import type { Executor } from './db.ts';

export interface ManagerInviteRow {
  id: string;
  planId: string;
  email: string;
  status: 'active' | 'revoked';
  acknowledgedAt: Date | null;
  emailsStoppedAt: Date | null;
  createdAt: Date;
}

export function listManagerInvites(ex: Executor, tenantId: string, planId: string): Promise<ManagerInviteRow[]> {
  return ex
    .selectFrom('managerInvites')
    .select(['id', 'planId', 'email', 'status', 'acknowledgedAt', 'emailsStoppedAt', 'createdAt'])
    .where('tenantId', '=', tenantId)
    .where('planId', '=', planId)
    .orderBy('createdAt')
    .execute();
}

export function findManagerInvite(ex: Executor, tenantId: string, inviteId: string): Promise<ManagerInviteRow | undefined> {
  return ex
    .selectFrom('managerInvites')
    .select(['id', 'planId', 'email', 'status', 'acknowledgedAt', 'emailsStoppedAt', 'createdAt'])
    .where('tenantId', '=', tenantId)
    .where('id', '=', inviteId)
    .executeTakeFirst();
}

export async function insertManagerInvite(ex: Executor, i: { tenantId: string; planId: string; email: string }): Promise<string> {
  return (await ex.insertInto('managerInvites').values(i).returning('id').executeTakeFirstOrThrow()).id;
}

export async function revokeManagerInvite(ex: Executor, tenantId: string, inviteId: string): Promise<void> {
  await ex.updateTable('managerInvites').set({ status: 'revoked', revokedAt: sql`now()` }).where('tenantId', '=', tenantId).where('id', '=', inviteId).where('status', '=', 'active').execute();
}

export async function updateManagerAcknowledged(ex: Executor, tenantId: string, inviteId: string): Promise<void> {
  await ex.updateTable('managerInvites').set({ acknowledgedAt: sql`coalesce(acknowledged_at, now())` }).where('tenantId', '=', tenantId).where('id', '=', inviteId).execute();
}

export async function updateManagerEmailsStopped(ex: Executor, tenantId: string, inviteId: string): Promise<void> {
  await ex.updateTable('managerInvites').set({ emailsStoppedAt: sql`coalesce(emails_stopped_at, now())` }).where('tenantId', '=', tenantId).where('id', '=', inviteId).execute();
}
