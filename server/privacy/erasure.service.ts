// Erasure of a person in a tenant, asked for by the person (their profile) or by the tool admin (the
// console, per deployment). Irreversible, in one transaction:
// - what others' material hangs on (their threads and posts, kudos they received, the audit log,
//   norms versions, announcements, nudges and mutes they made) moves to a new anonymous person, the
//   *former participant*, in new memberships with new ids: nothing keeps an id that was theirs;
// - their posts stay under "A former participant" (the tenant's policy 'keep', the default: others'
//   replies still make sense; the body stays, the name goes) or become "deleted by its author" with
//   their text gone ('delete'); mentions of them in anyone's post name the former participant;
// - everything private goes with their memberships and person (the foreign keys cascade): responses
//   (reflections, drafts, curations, five-factor answers), completions, pending grades (no score is
//   sent to the LMS after; what the LMS already holds is untouched), their plan with its check-ins,
//   comments and manager invites, notifications, drafts, profile, email preferences, exports; and
//   the sessions, links and counters that name them;
// - the erasure is logged: who asked, when, the tenant, and a keyed hash of the LMS user id.
// Analytics follow from the rows: the cohort's counts still include what they wrote (now the former
// participant's, an inactive member: not a learner of the cohort any more, so not "quiet" either),
// and the network shows the former participant as one anonymous node, so others' ties, reciprocity
// and isolation stay as they were. A new launch of the same LMS user makes a new person with nothing.
import { msg } from '../i18n/i18n.ts';
import crypto from 'node:crypto';
import type { Db } from '../../models/db.ts';
import * as q from '../../models/erasure.queries.ts';
import { deleteNamedRolesNaming } from '../../models/named-roles.queries.ts';
import type { PostsOnErasure } from '../../models/schema.ts';
import type { LaunchContext } from '../launch-context.ts';
import { NotFoundError, ValidationError , type UserText } from '../errors.ts';

/** What the person (or the admin) types to confirm; compared without regard to case or outer spaces. */
export const ERASE_PHRASE = 'erase my data';
export const ADMIN_ERASE_PHRASE = 'erase this person';

export interface ErasureDeps {
  db: Db;
  /** Keys the audit log's hash of the LMS user id (a plain hash of a Moodle user number is easily reversed). */
  erasureKey: string;
}

export type ErasureRequester = { by: 'person'; who: LaunchContext } | { by: 'tool-admin'; adminUserId: string; tenantId: string };

export interface ErasureResult {
  memberships: number;
  postsKept: number;
  postsDeleted: number;
  policy: PostsOnErasure;
}

/** The keyed hash the audit log keeps instead of who was erased. */
export function subjectHash(key: string, tenantId: string, sub: string): string {
  return crypto.createHmac('sha256', key).update(`erasure\n${tenantId}\n${sub}`).digest('hex');
}

/** Both confirmations, or a 400 that changes nothing: the typed phrase and the "cannot be undone" box. */
export function checkConfirmation(phrase: string, expected: string, form: { typed: string; understood: boolean }): void {
  const fieldErrors: Record<string, UserText> = {};
  if (!form.understood) fieldErrors['understood'] = msg('privacy.erase.tickBox');
  if (form.typed.trim().toLowerCase() !== phrase.toLowerCase()) fieldErrors['phrase'] = msg('privacy.erase.typePhrase', { phrase: expected });
  if (Object.keys(fieldErrors).length > 0) throw new ValidationError(msg('privacy.erase.notErased'), fieldErrors);
}

/**
 * Erases the person: the launch's own person (a person erases only themselves), or the one a tool
 * admin names in the tenant of the admin's page. Another tenant's person is not found (404).
 */
export async function erasePerson(deps: ErasureDeps, requester: ErasureRequester, personId: string): Promise<ErasureResult> {
  const tenantId = requester.by === 'person' ? requester.who.tenantId : requester.tenantId;
  if (requester.by === 'person' && requester.who.personId !== personId) throw new NotFoundError('person');
  return deps.db.transaction().execute(async (tx) => {
    const person = await q.lockErasablePerson(tx, tenantId, personId);
    if (!person) throw new NotFoundError('person');
    const policy = await q.findPostsOnErasure(tx, tenantId);
    const memberships = await q.listPersonMemberships(tx, tenantId, personId);
    const ids = memberships.map((m) => m.id);
    let postsKept = 0;
    let postsDeleted = 0;
    // Sessions, links and counters go even for a person with no membership left.
    await q.deleteSignedLinksOf(tx, tenantId, personId, ids);
    await q.deleteAnnouncementEmailsOf(tx, tenantId, personId);
    await q.deleteTracesOf(tx, personId, person.email);
    await deleteNamedRolesNaming(tx, tenantId, person.sub, person.email);
    if (ids.length > 0) {
      const formerPersonId = await q.insertFormerParticipant(tx, tenantId);
      const map = await q.insertFormerMemberships(tx, tenantId, personId, formerPersonId);
      if (policy === 'delete') {
        postsDeleted = await q.blankAuthoredPosts(tx, tenantId, ids);
        await q.blankAuthoredThreadTitles(tx, tenantId, ids);
        for (const column of q.KEPT_BY_POLICY) await q.deleteByMemberships(tx, tenantId, column, ids);
      } else {
        postsKept = await q.countAuthoredPosts(tx, tenantId, ids);
        for (const column of q.KEPT_BY_POLICY) await q.moveToFormerMemberships(tx, tenantId, column, map);
      }
      for (const column of q.ALWAYS_MOVED) await q.moveToFormerMemberships(tx, tenantId, column, map);
      await q.moveModerationTargets(tx, tenantId, map);
      await q.deleteCohortFigures(tx, tenantId, memberships.map((m) => m.cohortId));
      // Only a member of a space was ever mentioned in it.
      await q.rewriteMentions(tx, tenantId, personId, formerPersonId, person.name ? person.name.replace(/\s+/g, '').toLowerCase() : null);
    }
    await q.deletePerson(tx, tenantId, personId);
    await q.insertErasure(tx, {
      tenantId,
      subjectHash: subjectHash(deps.erasureKey, tenantId, person.sub),
      requestedBy: requester.by,
      adminUserId: requester.by === 'tool-admin' ? requester.adminUserId : null,
      postsPolicy: policy,
      memberships: ids.length,
      postsKept,
      postsDeleted,
    });
    return { memberships: ids.length, postsKept, postsDeleted, policy };
  });
}

/** The deployment's policy for an erased person's posts (the tool admin's console). */
export async function setPostsOnErasure(db: Db, tenantId: string, policy: PostsOnErasure): Promise<void> {
  await q.upsertPostsOnErasure(db, tenantId, policy);
}
