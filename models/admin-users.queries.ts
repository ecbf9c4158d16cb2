import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { AdminUser } from './schema.ts';

export function findAdminUserByEmail(ex: Executor, email: string): Promise<AdminUser | undefined> {
  return ex.selectFrom('adminUsers').selectAll().where(sql`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
}

export function findAdminUser(ex: Executor, id: string): Promise<AdminUser | undefined> {
  return ex.selectFrom('adminUsers').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertAdminUser(ex: Executor, user: { email: string; passwordHash: string }): Promise<AdminUser> {
  return ex.insertInto('adminUsers').values(user).returningAll().executeTakeFirstOrThrow();
}

export async function updateAdminPasswordHash(ex: Executor, id: string, passwordHash: string): Promise<void> {
  await ex.updateTable('adminUsers').set({ passwordHash }).where('id', '=', id).execute();
}

export async function updateAdminLastLogin(ex: Executor, id: string): Promise<void> {
  await ex.updateTable('adminUsers').set({ lastLoginAt: new Date() }).where('id', '=', id).execute();
}
