import type { Db, DbOrTx } from '../../db/client';
import { AppError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { ActivityRepository } from '../activity/activity.repository';
import type { ActivityEntry, ActivityService } from '../activity/activity.service';
import type { Actor, AuditService } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import type { FieldsService } from '../fields/fields.service';
import type { LeadsRepository } from '../leads/leads.repository';
import { leadView } from '../leads/leads.schemas';
import { ownerScopeOf, userIdOf } from '../leads/visibility';
import type { WorkspacesRepository } from '../workspaces/workspaces.repository';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import { duplicateReasons } from './contact-duplicates';
import { mergeContacts, undoMerge } from './contact-merge';
import type { ContactRow, ContactsRepository } from './contacts.repository';
import type { ContactCreate, ContactFields, ContactPatch } from './contacts.schemas';
import { type Identity, normaliseContactPoint, searchTextOf } from './identity';

export interface ContactsDeps {
  db: Db;
  audit: AuditService;
  workspaces: WorkspacesService;
  workspacesRepo: WorkspacesRepository;
  fields: FieldsService;
  activity: ActivityService;
  repo: ContactsRepository;
  leadsRepo: LeadsRepository;
  activityRepo: ActivityRepository;
}

/** What a contact's leads copy from it (kept in step on every change). */
export const leadCopyOf = (c: Pick<ContactRow, 'name' | 'email' | 'phone'>) => ({
  name: c.name,
  email: c.email,
  phone: c.phone,
  search: searchTextOf(c.name, c.email, c.phone),
});

export const contactView = (c: ContactRow) => ({
  id: c.id,
  name: c.name,
  email: c.email,
  phone: c.phone,
  phoneInvalid: c.phoneInvalid,
  city: c.city,
  country: c.country,
  tags: c.tags,
  custom: c.custom,
  ownerId: c.ownerId,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', message, { details: [{ path, message }] });

/** "This email or phone already belongs to a contact": 409 naming that contact, so the client can open it. */
const identityTaken = (contactId: string) =>
  new AppError('conflict', 'This email address or phone number already belongs to another contact.', {
    details: [{ path: `contactId:${contactId}`, message: 'Already used by this contact' }],
  });

/** Identity kinds the product prefers when one capture matches two people: email first, then phone. */
const PREFERENCE = ['email', 'phone'];
const byPreference = (a: { kind: string }, b: { kind: string }) =>
  PREFERENCE.indexOf(a.kind) - PREFERENCE.indexOf(b.kind);

const PERSONAL_FIELDS = ['name', 'email', 'phone', 'city', 'country'] as const;

/** Contacts: identity resolution, CRUD, duplicates, merge and undo. */
export class ContactsService {
  constructor(private readonly deps: ContactsDeps) {}

  /** Pass `tx` inside a transaction (on PGlite a query outside it waits for it). */
  async defaultCountry(workspaceId: string, tx?: DbOrTx): Promise<string> {
    return (await this.deps.workspacesRepo.getWorkspace(workspaceId, tx))?.defaultCountry ?? 'MY';
  }

  /**
   * Finds the contact a capture belongs to by its normalised email or phone, or creates it, inside the caller's
   * transaction. Two concurrent captures of one new person end on one contact: identities are claimed with
   * `ON CONFLICT DO NOTHING` (which waits for the other transaction) and re-read. A contact found this way gets the
   * capture's details it lacked (an empty name, a missing phone).
   */
  async resolveForCapture(
    tx: DbOrTx,
    workspaceId: string,
    input: ContactFields,
    defaultCountry: string,
  ): Promise<{ contact: ContactRow; created: boolean }> {
    const point = normaliseContactPoint({ email: input.email, phone: input.phone }, defaultCountry);
    if (point.emailInvalid) throw invalid('contact.email', 'Enter a valid email address');
    const repo = this.deps.repo;

    let contactId = (await repo.findIdentities(tx, workspaceId, point.identities)).sort(byPreference)[0]?.contactId;
    if (!contactId && point.identities.length > 0) {
      const candidate = newId();
      const claimed = await repo.claimIdentities(tx, workspaceId, candidate, point.identities);
      if (claimed.length === point.identities.length) {
        const contact = await this.insertContact(tx, workspaceId, candidate, input, point);
        return { contact, created: true };
      }
      // Someone claimed one of these first (perhaps a concurrent capture of the same person): join them.
      const owners = (await repo.findIdentities(tx, workspaceId, point.identities)).filter(
        (r) => r.contactId !== candidate,
      );
      contactId = owners.sort(byPreference)[0]!.contactId;
      if (claimed.length) await repo.moveIdentities(tx, workspaceId, claimed, contactId);
    }
    if (!contactId) return { contact: await this.insertContact(tx, workspaceId, newId(), input, point), created: true };

    const contact = (await repo.get(workspaceId, contactId, { tx, forUpdate: true, includeMerged: true }))!;
    await repo.claimIdentities(tx, workspaceId, contact.id, point.identities);
    const fill: Partial<ContactRow> = {};
    const name = input.name?.trim();
    if (!contact.name && name) fill.name = name;
    if (!contact.email && point.email) fill.email = point.email;
    if (!contact.phone && point.phone) {
      fill.phone = point.phone;
      fill.phoneInvalid = point.phoneInvalid;
    }
    if (!contact.city && input.city) fill.city = input.city;
    if (!contact.country && input.country) fill.country = input.country;
    if (Object.keys(fill).length === 0) return { contact, created: false };
    const updated = await repo.update(tx, workspaceId, contact.id, { ...fill, updatedAt: new Date() });
    await this.deps.leadsRepo.copyContact(tx, workspaceId, contact.id, leadCopyOf(updated));
    return { contact: updated, created: false };
  }

  private insertContact(
    tx: DbOrTx,
    workspaceId: string,
    id: string,
    input: ContactFields & { tags?: string[]; custom?: Record<string, unknown>; ownerId?: string | null },
    point: ReturnType<typeof normaliseContactPoint>,
  ): Promise<ContactRow> {
    const now = new Date();
    return this.deps.repo.insert(tx, {
      workspaceId,
      id,
      name: input.name?.trim() ?? '',
      email: point.email,
      phone: point.phone,
      phoneInvalid: point.phoneInvalid,
      city: input.city || null,
      country: input.country || null,
      tags: dedupe(input.tags ?? []),
      custom: input.custom ?? {},
      ownerId: input.ownerId ?? null,
      createdAt: now,
      updatedAt: now,
    });
  }

  /**
   * Changes a contact's name, email or phone (and city, country) and every lead's copy of them, in the caller's
   * transaction. A new email or phone becomes the contact's identity; one that belongs to someone else is a 409.
   * Returns the field changes (from → to) for the timeline.
   */
  async applyPersonalFields(
    tx: DbOrTx,
    workspaceId: string,
    contact: ContactRow,
    input: ContactFields,
    defaultCountry: string,
  ): Promise<{ contact: ContactRow; changes: Record<string, { from: unknown; to: unknown }> }> {
    const repo = this.deps.repo;
    const patch: Partial<ContactRow> = {};
    if (input.name !== undefined) patch.name = input.name?.trim() ?? '';
    if (input.city !== undefined) patch.city = input.city || null;
    if (input.country !== undefined) patch.country = input.country || null;
    const point = normaliseContactPoint({ email: input.email, phone: input.phone }, defaultCountry);
    const release: Identity[] = [];
    const claim: Identity[] = [];
    if (input.email !== undefined) {
      if (point.emailInvalid) throw invalid('email', 'Enter a valid email address');
      if (point.email !== contact.email) {
        patch.email = point.email;
        if (contact.email) release.push({ kind: 'email', value: contact.email });
        if (point.email) claim.push({ kind: 'email', value: point.email });
      }
    }
    if (input.phone !== undefined && point.phone !== contact.phone) {
      patch.phone = point.phone;
      patch.phoneInvalid = point.phoneInvalid;
      const oldE164 = normaliseContactPoint({ phone: contact.phone }, defaultCountry).identities[0];
      if (oldE164) release.push(oldE164);
      const e164 = point.identities.find((i) => i.kind === 'phone');
      if (e164) claim.push(e164);
    }
    for (const identity of release)
      await repo.releaseIdentity(tx, workspaceId, contact.id, identity.kind, identity.value);
    if (claim.length) {
      const claimed = await repo.claimIdentities(tx, workspaceId, contact.id, claim);
      if (claimed.length < claim.length) {
        const owners = (await repo.findIdentities(tx, workspaceId, claim)).filter((r) => r.contactId !== contact.id);
        if (owners[0]) throw identityTaken(owners[0].contactId);
      }
    }
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of [...PERSONAL_FIELDS, 'phoneInvalid'] as const) {
      if (key in patch && patch[key] !== contact[key]) changes[key] = { from: contact[key], to: patch[key] };
    }
    if (Object.keys(changes).length === 0) return { contact, changes };
    const updated = await repo.update(tx, workspaceId, contact.id, { ...patch, updatedAt: new Date() });
    await this.deps.leadsRepo.copyContact(tx, workspaceId, contact.id, leadCopyOf(updated));
    return { contact: updated, changes };
  }

  // HTTP-facing operations

  async list(access: WorkspaceAccess, query: { q?: string; cursor?: string; limit: number }) {
    this.deps.workspaces.assertCan(access, 'leads.read');
    const before = query.cursor ? decodeContactCursor(query.cursor) : undefined;
    const rows = await this.deps.repo.list(access.workspaceId, {
      q: query.q?.trim() || undefined,
      before,
      limit: query.limit + 1,
      ownerScope: ownerScopeOf(access),
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => contactView(r)),
      nextCursor: rows.length > query.limit && last ? encodeContactCursor(last.cursorAt, last.id) : null,
    };
  }

  async create(access: WorkspaceAccess, input: ContactCreate) {
    this.deps.workspaces.assertCan(access, 'leads.write');
    const defaultCountry = await this.defaultCountry(access.workspaceId);
    const point = normaliseContactPoint({ email: input.email, phone: input.phone }, defaultCountry);
    if (point.emailInvalid) throw invalid('email', 'Enter a valid email address');
    if (!input.name?.trim() && !point.email && !point.phone)
      throw invalid('name', 'Give at least a name, an email or a phone number');
    if (input.ownerId) await this.assertMember(access.workspaceId, input.ownerId, 'ownerId');
    const custom = stripNulls(
      await this.deps.fields.validate(access.workspaceId, 'contact', input.custom ?? {}, {
        partial: false,
        defaultCountry,
      }),
    );
    const contact = await this.deps.db.transaction(async (tx) => {
      const id = newId();
      const claimed = await this.deps.repo.claimIdentities(tx, access.workspaceId, id, point.identities);
      if (claimed.length < point.identities.length) {
        const owner = (await this.deps.repo.findIdentities(tx, access.workspaceId, point.identities)).find(
          (r) => r.contactId !== id,
        );
        throw identityTaken(owner!.contactId);
      }
      const row = await this.insertContact(tx, access.workspaceId, id, { ...input, custom }, point);
      await this.deps.activity.record(tx, access.workspaceId, access.actor, [
        { type: 'contact.created', contactId: id },
      ]);
      return row;
    });
    return contactView(contact);
  }

  async get(access: WorkspaceAccess, contactId: string) {
    this.deps.workspaces.assertCan(access, 'leads.read');
    const scope = ownerScopeOf(access);
    const contact = await this.visible(access, contactId);
    const [identities, leads] = await Promise.all([
      this.deps.repo.listIdentities(access.workspaceId, contactId),
      this.deps.leadsRepo.listByContact(access.workspaceId, contactId, { ownerScope: scope }),
    ]);
    return { ...contactView(contact), identities, leads: leads.map(leadView) };
  }

  async update(access: WorkspaceAccess, contactId: string, patch: ContactPatch) {
    this.deps.workspaces.assertCan(access, 'leads.write');
    await this.visible(access, contactId);
    const defaultCountry = await this.defaultCountry(access.workspaceId);
    if (patch.ownerId) await this.assertMember(access.workspaceId, patch.ownerId, 'ownerId');
    const custom =
      patch.custom === undefined
        ? undefined
        : await this.deps.fields.validate(access.workspaceId, 'contact', patch.custom, {
            partial: true,
            defaultCountry,
          });
    const updated = await this.deps.db.transaction(async (tx) => {
      const contact = (await this.deps.repo.get(access.workspaceId, contactId, { tx, forUpdate: true }))!;
      const applied = await this.applyPersonalFields(tx, access.workspaceId, contact, patch, defaultCountry);
      const changes = { ...applied.changes };
      const rest: Partial<ContactRow> = {};
      if (patch.tags !== undefined) {
        const tags = dedupe(patch.tags);
        if (!sameList(tags, contact.tags)) {
          rest.tags = tags;
          changes.tags = { from: contact.tags, to: tags };
        }
      }
      if (custom !== undefined) {
        const merged = stripNulls({ ...applied.contact.custom, ...custom });
        for (const key of Object.keys(custom)) {
          if (JSON.stringify(contact.custom[key] ?? null) !== JSON.stringify(merged[key] ?? null)) {
            changes[`custom.${key}`] = { from: contact.custom[key] ?? null, to: merged[key] ?? null };
          }
        }
        rest.custom = merged;
      }
      if (patch.ownerId !== undefined && patch.ownerId !== contact.ownerId) {
        rest.ownerId = patch.ownerId;
        changes.ownerId = { from: contact.ownerId, to: patch.ownerId };
      }
      let row = applied.contact;
      if (Object.keys(rest).length)
        row = await this.deps.repo.update(tx, access.workspaceId, contactId, { ...rest, updatedAt: new Date() });
      if (Object.keys(changes).length) {
        await this.deps.activity.record(tx, access.workspaceId, access.actor, [
          { type: 'contact.updated', contactId, data: { changes } },
        ]);
      }
      return row;
    });
    return contactView(updated);
  }

  /** Removes the contact with its leads, notes, tasks, timeline and identities (and contacts merged into it). */
  async delete(access: WorkspaceAccess, contactId: string): Promise<void> {
    this.deps.workspaces.assertCan(access, 'leads.delete');
    await this.visible(access, contactId);
    await this.deps.db.transaction(async (tx) => {
      await this.deps.repo.get(access.workspaceId, contactId, { tx, forUpdate: true });
      const contactIds = [contactId, ...(await this.deps.repo.mergedInto(tx, access.workspaceId, contactId))];
      let leadCount = 0;
      for (const id of contactIds) {
        const leadIds = await this.deps.leadsRepo.idsOfContact(tx, access.workspaceId, id);
        leadCount += leadIds.length;
        await this.deps.activityRepo.deleteForLeads(tx, access.workspaceId, leadIds);
        await this.deps.activityRepo.deleteForContact(tx, access.workspaceId, id);
        await this.deps.leadsRepo.delete(tx, access.workspaceId, leadIds);
      }
      await this.deps.repo.delete(tx, access.workspaceId, contactIds);
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: 'contact.deleted',
          target: { type: 'contact', id: contactId },
          metadata: { leads: leadCount },
        },
        tx,
      );
    });
  }

  async timeline(access: WorkspaceAccess, contactId: string, query: { cursor?: string; limit: number }) {
    this.deps.workspaces.assertCan(access, 'leads.read');
    await this.visible(access, contactId);
    return this.deps.activity.timeline(
      access.workspaceId,
      { contactId },
      { ...query, ownerScope: ownerScopeOf(access) },
    );
  }

  async duplicates(access: WorkspaceAccess, contactId: string) {
    this.deps.workspaces.assertCan(access, 'leads.read');
    const contact = await this.visible(access, contactId);
    const defaultCountry = await this.defaultCountry(access.workspaceId);
    const candidates = await this.deps.repo.duplicateCandidates(access.workspaceId, contact, {
      ownerScope: ownerScopeOf(access),
      limit: 200,
    });
    return candidates
      .map(({ similarity, ...candidate }) => ({
        contact: contactView(candidate),
        reasons: duplicateReasons(contact, candidate, similarity, defaultCountry),
      }))
      .filter((d) => d.reasons.length > 0)
      .slice(0, 50);
  }

  async merge(access: WorkspaceAccess, survivorId: string, otherId: string) {
    this.deps.workspaces.assertCan(access, 'leads.write');
    await this.visible(access, survivorId);
    if (survivorId === otherId) throw invalid('otherContactId', 'A contact cannot be merged into itself.');
    await this.visible(access, otherId, 'The other contact');
    const result = await this.deps.db.transaction((tx) =>
      mergeContacts(this.mergeDeps(), tx, access.workspaceId, { survivorId, otherId }, access.actor, userIdOf(access)),
    );
    return { mergeId: result.mergeId, contact: contactView(result.contact) };
  }

  async undoMerge(access: WorkspaceAccess, mergeId: string) {
    this.deps.workspaces.assertCan(access, 'leads.write');
    const found = await this.deps.repo.getMerge(this.deps.db, access.workspaceId, mergeId);
    if (!found) throw notFound('This merge');
    await this.visible(access, found.survivorId, 'This merge');
    const survivor = await this.deps.db.transaction(async (tx) => {
      const merge = (await this.deps.repo.getMerge(tx, access.workspaceId, mergeId, true))!;
      return undoMerge(this.mergeDeps(), tx, access.workspaceId, merge, access.actor, userIdOf(access));
    });
    return { contact: contactView(survivor) };
  }

  private mergeDeps() {
    return {
      repo: this.deps.repo,
      leadsRepo: this.deps.leadsRepo,
      activityRepo: this.deps.activityRepo,
      audit: this.deps.audit,
      record: (tx: DbOrTx, workspaceId: string, actor: Actor, entries: ActivityEntry[]) =>
        this.deps.activity.record(tx, workspaceId, actor, entries),
    };
  }

  /** The contact if the caller may see it; 404 otherwise (another workspace's id, merged, or not an agent's). */
  async visible(access: WorkspaceAccess, contactId: string, what = 'This contact'): Promise<ContactRow> {
    const contact = await this.deps.repo.get(access.workspaceId, contactId, { ownerScope: ownerScopeOf(access) });
    if (!contact) throw notFound(what);
    return contact;
  }

  private async assertMember(workspaceId: string, userId: string, path: string): Promise<void> {
    if (!(await this.deps.leadsRepo.member(workspaceId, userId)))
      throw invalid(path, 'This person is not a member of the workspace.');
  }
}

export function dedupe(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))];
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Custom values set to null are removed rather than stored. */
export function stripNulls(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined));
}

function encodeContactCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeContactCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    if (
      typeof createdAt === 'string' &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(createdAt) &&
      typeof id === 'string' &&
      /^[0-9a-f-]{36}$/i.test(id)
    ) {
      return { createdAt, id };
    }
  } catch {
    // falls through to the error below
  }
  throw new AppError('validation_failed', 'The cursor is not valid. Start again from the first page.');
}
