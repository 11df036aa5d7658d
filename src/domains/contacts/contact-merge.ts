import type { DbOrTx } from '../../db/client';
import { AppError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { ActivityRepository } from '../activity/activity.repository';
import type { ActivityEntry } from '../activity/activity.service';
import type { Actor, AuditService } from '../audit/audit.service';
import type { LeadsRepository } from '../leads/leads.repository';
import type { ContactRow, ContactsRepository, MergeRow } from './contacts.repository';
import type { Identity } from './identity';
import { searchTextOf } from './identity';

export interface MergeDeps {
  repo: ContactsRepository;
  leadsRepo: LeadsRepository;
  activityRepo: ActivityRepository;
  audit: AuditService;
  record: (tx: DbOrTx, workspaceId: string, actor: Actor, entries: ActivityEntry[]) => Promise<void>;
}

/** The survivor's own fields, kept in the merge record so that undo restores them exactly. */
type SurvivorFields = Pick<
  ContactRow,
  'name' | 'email' | 'phone' | 'phoneInvalid' | 'city' | 'country' | 'tags' | 'custom' | 'ownerId'
>;

/** What a merge moved from the merged contact to the survivor: exactly what undo moves back. */
export interface MergeMoved {
  leadIds: string[];
  noteIds: string[];
  taskIds: string[];
  activityIds: string[];
  identities: Identity[];
  survivorBefore: SurvivorFields;
}

const survivorFields = (c: ContactRow): SurvivorFields => ({
  name: c.name,
  email: c.email,
  phone: c.phone,
  phoneInvalid: c.phoneInvalid,
  city: c.city,
  country: c.country,
  tags: c.tags,
  custom: c.custom,
  ownerId: c.ownerId,
});

const copyOf = (c: ContactRow) => ({
  name: c.name,
  email: c.email,
  phone: c.phone,
  search: searchTextOf(c.name, c.email, c.phone),
});

/**
 * Merges `otherId` into `survivorId` inside `tx`: every lead, note, task, identity and timeline entry of the other
 * contact moves to the survivor, the survivor fills its empty fields from the other, and the other is hidden
 * (`merged_into`). The merge record keeps the moved ids and the survivor's fields before, for undo.
 */
export async function mergeContacts(
  deps: MergeDeps,
  tx: DbOrTx,
  workspaceId: string,
  ids: { survivorId: string; otherId: string },
  actor: Actor,
  userId: string | null,
): Promise<{ mergeId: string; contact: ContactRow }> {
  // Lock in id order so two opposite merges of the same pair cannot deadlock.
  const locked = new Map<string, ContactRow | undefined>();
  for (const id of [ids.survivorId, ids.otherId].sort()) {
    locked.set(id, await deps.repo.get(workspaceId, id, { tx, forUpdate: true }));
  }
  const survivor = locked.get(ids.survivorId);
  const other = locked.get(ids.otherId);
  if (!survivor) throw notFound('This contact');
  if (!other) throw notFound('The other contact');

  const leadIds = await deps.leadsRepo.idsOfContact(tx, workspaceId, other.id);
  const owned = await deps.activityRepo.idsOfContact(tx, workspaceId, other.id);
  const identities = await deps.repo.listIdentities(workspaceId, other.id, tx);
  const moved: MergeMoved = { leadIds, ...owned, identities, survivorBefore: survivorFields(survivor) };

  await deps.leadsRepo.moveToContact(tx, workspaceId, leadIds, survivor.id);
  await deps.activityRepo.moveToContact(tx, workspaceId, owned, survivor.id);
  await deps.repo.moveIdentities(tx, workspaceId, identities, survivor.id);

  const now = new Date();
  const filled = await deps.repo.update(tx, workspaceId, survivor.id, {
    name: survivor.name || other.name,
    email: survivor.email ?? other.email,
    ...(survivor.phone ? {} : { phone: other.phone, phoneInvalid: other.phoneInvalid }),
    city: survivor.city ?? other.city,
    country: survivor.country ?? other.country,
    ownerId: survivor.ownerId ?? other.ownerId,
    tags: [...new Set([...survivor.tags, ...other.tags])],
    custom: { ...other.custom, ...survivor.custom },
    updatedAt: now,
  });
  await deps.leadsRepo.copyContact(tx, workspaceId, survivor.id, copyOf(filled));
  await deps.repo.update(tx, workspaceId, other.id, { mergedInto: survivor.id, updatedAt: now });

  const mergeId = newId();
  await deps.repo.insertMerge(tx, {
    workspaceId,
    id: mergeId,
    survivorId: survivor.id,
    mergedId: other.id,
    moved: moved as unknown as Record<string, unknown>,
    mergedBy: userId,
    mergedAt: now,
  });
  const counts = {
    leads: leadIds.length,
    notes: owned.noteIds.length,
    tasks: owned.taskIds.length,
    activities: owned.activityIds.length,
    identities: identities.length,
  };
  await deps.record(tx, workspaceId, actor, [
    {
      type: 'contact.merged',
      contactId: survivor.id,
      data: { mergeId, mergedId: other.id, mergedName: other.name, moved: counts },
    },
  ]);
  await deps.audit.record(
    {
      workspaceId,
      actor,
      action: 'contact.merged',
      target: { type: 'contact', id: survivor.id },
      metadata: { mergeId, mergedId: other.id, ...counts },
    },
    tx,
  );
  return { mergeId, contact: filled };
}

/** Moves back exactly what the merge moved, restores the survivor's fields and shows the merged contact again. */
export async function undoMerge(
  deps: MergeDeps,
  tx: DbOrTx,
  workspaceId: string,
  merge: MergeRow,
  actor: Actor,
  userId: string | null,
): Promise<ContactRow> {
  if (merge.undoneAt) throw new AppError('conflict', 'This merge has already been undone.');
  const other = await deps.repo.get(workspaceId, merge.mergedId, { tx, forUpdate: true, includeMerged: true });
  const survivor = await deps.repo.get(workspaceId, merge.survivorId, { tx, forUpdate: true });
  if (!other || !survivor || other.mergedInto !== survivor.id) {
    throw new AppError(
      'conflict',
      'This merge can no longer be undone: one of the contacts was deleted or merged again.',
    );
  }
  const moved = merge.moved as unknown as MergeMoved;

  await deps.leadsRepo.moveToContact(tx, workspaceId, moved.leadIds, other.id);
  await deps.activityRepo.moveToContact(tx, workspaceId, moved, other.id);
  await deps.repo.moveIdentities(tx, workspaceId, moved.identities, other.id);

  const now = new Date();
  const restored = await deps.repo.update(tx, workspaceId, survivor.id, { ...moved.survivorBefore, updatedAt: now });
  const unhidden = await deps.repo.update(tx, workspaceId, other.id, { mergedInto: null, updatedAt: now });
  await deps.leadsRepo.copyContact(tx, workspaceId, restored.id, copyOf(restored));
  await deps.leadsRepo.copyContact(tx, workspaceId, unhidden.id, copyOf(unhidden));
  await deps.repo.markMergeUndone(tx, workspaceId, merge.id, userId);

  const data = { mergeId: merge.id, survivorId: survivor.id, mergedId: other.id };
  await deps.record(tx, workspaceId, actor, [
    { type: 'contact.merge_undone', contactId: survivor.id, data },
    { type: 'contact.merge_undone', contactId: other.id, data },
  ]);
  await deps.audit.record(
    {
      workspaceId,
      actor,
      action: 'contact.merge_undone',
      target: { type: 'contact', id: survivor.id },
      metadata: data,
    },
    tx,
  );
  return restored;
}
