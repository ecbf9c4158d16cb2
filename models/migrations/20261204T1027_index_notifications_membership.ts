import { sql, type Kysely } from 'kysely';

// An index for the foreign key notifications(tenant_id, membership_id): a person's notifications, read ones included, are listed by membership; the partial index holds only unread ones.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX notifications_membership_idx ON notifications (tenant_id, membership_id)`.execute(db);
}
