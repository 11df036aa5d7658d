import { and, desc, eq, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, rowsOf } from '../../db/client';
import { contactIdentities, contactMerges, contacts, type IdentityKind, leads } from '../../db/schema';
import type { Identity } from './identity';

export type ContactRow = typeof contacts.$inferSelect;
export type ContactInsert = typeof contacts.$inferInsert;
export type MergeRow = typeof contactMerges.$inferSelect;

/** Contacts having at least one lead owned by `ownerId`: what an agent may see. */
const hasLeadOwnedBy = (workspaceId: string, ownerId: string) =>
  sql`exists (select 1 from ${leads} l where l.workspace_id = ${workspaceId} and l.contact_id = ${contacts.id} and l.owner_id = ${ownerId})`;

/** Queries of contacts, their identities and merges; every one takes `workspaceId` first. */
export class ContactsRepository {
  constructor(private readonly db: Db) {}

  /** A contact that is not merged into another (merged ones are hidden until the merge is undone). */
  async get(
    workspaceId: string,
    contactId: string,
    options: { ownerScope?: string; tx?: DbOrTx; forUpdate?: boolean; includeMerged?: boolean } = {},
  ): Promise<ContactRow | undefined> {
    const conditions: SQL[] = [eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)];
    if (!options.includeMerged) conditions.push(isNull(contacts.mergedInto));
    if (options.ownerScope) conditions.push(hasLeadOwnedBy(workspaceId, options.ownerScope));
    const query = (options.tx ?? this.db)
      .select()
      .from(contacts)
      .where(and(...conditions))
      .limit(1);
    const [row] = options.forUpdate ? await query.for('update') : await query;
    return row;
  }

  async list(
    workspaceId: string,
    options: { q?: string; before?: { createdAt: string; id: string }; limit: number; ownerScope?: string },
  ): Promise<(ContactRow & { cursorAt: string })[]> {
    const conditions: SQL[] = [eq(contacts.workspaceId, workspaceId), isNull(contacts.mergedInto)];
    if (options.ownerScope) conditions.push(hasLeadOwnedBy(workspaceId, options.ownerScope));
    if (options.q) {
      const text = `%${options.q.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
      const digits = options.q.replace(/\D/g, '').replace(/^0+/, '');
      const byText = or(sql`lower(${contacts.name}) like ${text}`, sql`${contacts.email} like ${text}`)!;
      conditions.push(
        digits.length >= 3 && /^[+\d\s().-]+$/.test(options.q)
          ? or(byText, sql`regexp_replace(coalesce(${contacts.phone}, ''), '\\D', '', 'g') like ${`%${digits}%`}`)!
          : byText,
      );
    }
    if (options.before) {
      const at = sql`${options.before.createdAt}::timestamptz`;
      conditions.push(sql`(${contacts.createdAt}, ${contacts.id}) < (${at}, ${options.before.id})`);
    }
    return this.db
      .select({
        ...contactColumns,
        cursorAt: sql<string>`to_char(${contacts.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      })
      .from(contacts)
      .where(and(...conditions))
      .orderBy(desc(contacts.createdAt), desc(contacts.id))
      .limit(options.limit);
  }

  async insert(tx: DbOrTx, row: ContactInsert): Promise<ContactRow> {
    const [contact] = await tx.insert(contacts).values(row).returning();
    return contact!;
  }

  async update(tx: DbOrTx, workspaceId: string, contactId: string, patch: Partial<ContactInsert>): Promise<ContactRow> {
    const [contact] = await tx
      .update(contacts)
      .set(patch)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)))
      .returning();
    return contact!;
  }

  /** Removes a contact, its identities, its merge records and the contacts merged into it. */
  async delete(tx: DbOrTx, workspaceId: string, contactIds: string[]): Promise<void> {
    if (contactIds.length === 0) return;
    await tx
      .delete(contactIdentities)
      .where(and(eq(contactIdentities.workspaceId, workspaceId), inArray(contactIdentities.contactId, contactIds)));
    await tx
      .delete(contactMerges)
      .where(
        and(
          eq(contactMerges.workspaceId, workspaceId),
          or(inArray(contactMerges.survivorId, contactIds), inArray(contactMerges.mergedId, contactIds)),
        ),
      );
    await tx.delete(contacts).where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.id, contactIds)));
  }

  /** Contacts merged into this one (hidden, kept for undo). */
  async mergedInto(tx: DbOrTx, workspaceId: string, contactId: string): Promise<string[]> {
    const rows = await tx
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.mergedInto, contactId)));
    return rows.map((r) => r.id);
  }

  // Identities

  async findIdentities(tx: DbOrTx, workspaceId: string, identities: Identity[]) {
    if (identities.length === 0) return [];
    return tx
      .select({ kind: contactIdentities.kind, value: contactIdentities.value, contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(
        and(
          eq(contactIdentities.workspaceId, workspaceId),
          or(...identities.map((i) => and(eq(contactIdentities.kind, i.kind), eq(contactIdentities.value, i.value)))),
        ),
      );
  }

  /**
   * Claims identities for a contact. Values that already belong to someone are left alone (`ON CONFLICT DO NOTHING`,
   * which also waits for a concurrent transaction claiming the same value); returns the ones this call claimed.
   */
  async claimIdentities(
    tx: DbOrTx,
    workspaceId: string,
    contactId: string,
    identities: Identity[],
  ): Promise<Identity[]> {
    if (identities.length === 0) return [];
    // Always in the same order, so two transactions claiming the same pair cannot deadlock.
    const sorted = [...identities].sort((a, b) => `${a.kind}:${a.value}`.localeCompare(`${b.kind}:${b.value}`));
    return tx
      .insert(contactIdentities)
      .values(sorted.map((i) => ({ workspaceId, kind: i.kind, value: i.value, contactId })))
      .onConflictDoNothing()
      .returning({ kind: contactIdentities.kind, value: contactIdentities.value });
  }

  async listIdentities(workspaceId: string, contactId: string, tx: DbOrTx = this.db): Promise<Identity[]> {
    return tx
      .select({ kind: contactIdentities.kind, value: contactIdentities.value })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.workspaceId, workspaceId), eq(contactIdentities.contactId, contactId)))
      .orderBy(contactIdentities.kind, contactIdentities.value);
  }

  async releaseIdentity(
    tx: DbOrTx,
    workspaceId: string,
    contactId: string,
    kind: IdentityKind,
    value: string,
  ): Promise<void> {
    await tx
      .delete(contactIdentities)
      .where(
        and(
          eq(contactIdentities.workspaceId, workspaceId),
          eq(contactIdentities.contactId, contactId),
          eq(contactIdentities.kind, kind),
          eq(contactIdentities.value, value),
        ),
      );
  }

  async moveIdentities(tx: DbOrTx, workspaceId: string, identities: Identity[], contactId: string): Promise<void> {
    for (let i = 0; i < identities.length; i += 500) {
      const chunk = identities.slice(i, i + 500);
      await tx
        .update(contactIdentities)
        .set({ contactId })
        .where(
          and(
            eq(contactIdentities.workspaceId, workspaceId),
            or(...chunk.map((x) => and(eq(contactIdentities.kind, x.kind), eq(contactIdentities.value, x.value)))),
          ),
        );
    }
  }

  // Merges

  async insertMerge(tx: DbOrTx, row: typeof contactMerges.$inferInsert): Promise<MergeRow> {
    const [merge] = await tx.insert(contactMerges).values(row).returning();
    return merge!;
  }

  async getMerge(tx: DbOrTx, workspaceId: string, mergeId: string, forUpdate = false): Promise<MergeRow | undefined> {
    const query = tx
      .select()
      .from(contactMerges)
      .where(and(eq(contactMerges.workspaceId, workspaceId), eq(contactMerges.id, mergeId)))
      .limit(1);
    const [row] = forUpdate ? await query.for('update') : await query;
    return row;
  }

  async markMergeUndone(tx: DbOrTx, workspaceId: string, mergeId: string, undoneBy: string | null): Promise<void> {
    await tx
      .update(contactMerges)
      .set({ undoneAt: new Date(), undoneBy })
      .where(and(eq(contactMerges.workspaceId, workspaceId), eq(contactMerges.id, mergeId)));
  }

  // Duplicates

  /**
   * Contacts that may be the same person: the same email in any case or spacing, or a phone ending in the same four
   * digits (the caller then compares whole numbers and names). `similarity` is pg_trgm's on the lower-cased names.
   * Each match is written exactly as its index (contacts_email_idx, contacts_phone_last4_idx) so that a workspace's
   * contacts are not all scanned: change one, change the other with a migration.
   */
  async duplicateCandidates(
    workspaceId: string,
    contact: ContactRow,
    options: { ownerScope?: string; limit: number },
  ): Promise<(ContactRow & { similarity: number })[]> {
    const matches: SQL[] = [];
    if (contact.email) matches.push(sql`lower(btrim(${contacts.email})) = ${contact.email.trim().toLowerCase()}`);
    const last4 = (contact.phone ?? '').replace(/\D/g, '').slice(-4);
    if (last4.length === 4)
      matches.push(sql`right(regexp_replace(coalesce(${contacts.phone}, ''), '\\D', '', 'g'), 4) = ${last4}`);
    if (matches.length === 0) return [];
    const conditions: SQL[] = [
      eq(contacts.workspaceId, workspaceId),
      isNull(contacts.mergedInto),
      sql`${contacts.id} <> ${contact.id}`,
      or(...matches)!,
    ];
    if (options.ownerScope) conditions.push(hasLeadOwnedBy(workspaceId, options.ownerScope));
    const rows = await this.db
      .select({
        ...contactColumns,
        similarity: sql<number>`similarity(lower(${contacts.name}), ${contact.name.toLowerCase()})`,
      })
      .from(contacts)
      .where(and(...conditions))
      .orderBy(desc(contacts.createdAt))
      .limit(options.limit);
    return rows.map((r) => ({ ...r, similarity: Number(r.similarity) }));
  }

  async userName(userId: string): Promise<string | null> {
    const [row] = rowsOf<{ name: string }>(await this.db.execute(sql`select name from users where id = ${userId}`));
    return row?.name ?? null;
  }
}

const contactColumns = {
  workspaceId: contacts.workspaceId,
  id: contacts.id,
  name: contacts.name,
  email: contacts.email,
  phone: contacts.phone,
  phoneInvalid: contacts.phoneInvalid,
  city: contacts.city,
  country: contacts.country,
  custom: contacts.custom,
  tags: contacts.tags,
  ownerId: contacts.ownerId,
  mergedInto: contacts.mergedInto,
  createdAt: contacts.createdAt,
  updatedAt: contacts.updatedAt,
};
