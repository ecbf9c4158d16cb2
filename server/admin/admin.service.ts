// The tool admin's account: seeded from config, verified at login.
import { hash, verify } from '@node-rs/argon2';
import type { Db } from '../../models/db.ts';
import * as admins from '../../models/admin-users.queries.ts';

/** Creates the admin from ADMIN_EMAIL/ADMIN_PASSWORD, or updates the password when it changed. */
export async function seedAdmin(db: Db, account: { email: string; password: string }): Promise<'created' | 'updated' | 'unchanged'> {
  const existing = await admins.findAdminUserByEmail(db, account.email);
  if (!existing) {
    await admins.insertAdminUser(db, { email: account.email, passwordHash: await hash(account.password) });
    return 'created';
  }
  if (await verify(existing.passwordHash, account.password)) return 'unchanged';
  await admins.updateAdminPasswordHash(db, existing.id, await hash(account.password));
  return 'updated';
}

// A hash to verify against when the email is unknown, so both cases take the same time.
let decoyHash: Promise<string> | undefined;

export async function verifyAdmin(db: Db, email: string, password: string): Promise<{ id: string } | undefined> {
  const admin = await admins.findAdminUserByEmail(db, email.trim());
  decoyHash ??= hash('circlework-decoy-password');
  const ok = await verify(admin?.passwordHash ?? (await decoyHash), password);
  if (!admin || !ok) return undefined;
  await admins.updateAdminLastLogin(db, admin.id);
  return { id: admin.id };
}
