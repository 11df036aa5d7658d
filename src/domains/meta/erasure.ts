import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { metaCaptures, metaForms, metaPages } from '../../db/schema';
import type { ActivityRepository } from '../activity/activity.repository';
import type { ContactsRepository } from '../contacts/contacts.repository';
import type { LeadsRepository } from '../leads/leads.repository';

const CHUNK = 500;

/**
 * Deleting what came from Facebook Pages (P12): the leads captured from them, the contacts left with no lead once those
 * are gone (their details came only from those Pages), and the Pages' own rows (tokens, forms, capture records).
 * Contacts that still have leads from elsewhere stay, with those leads.
 */
export class MetaErasure {
  constructor(
    private readonly deps: {
      leadsRepo: LeadsRepository;
      contactsRepo: ContactsRepository;
      activityRepo: ActivityRepository;
    },
  ) {}

  /** Runs inside the caller's transaction. Returns how many leads and contacts were deleted. */
  async erasePages(
    tx: DbOrTx,
    workspaceId: string,
    pageRowIds: string[],
  ): Promise<{ leads: number; contacts: number }> {
    if (pageRowIds.length === 0) return { leads: 0, contacts: 0 };
    const captured = await tx
      .select({ leadId: metaCaptures.leadId })
      .from(metaCaptures)
      .where(
        and(
          eq(metaCaptures.workspaceId, workspaceId),
          inArray(metaCaptures.pageRowId, pageRowIds),
          isNotNull(metaCaptures.leadId),
        ),
      );
    const leadIds = [...new Set(captured.map((r) => r.leadId!))];
    const contactIds = new Set<string>();
    let leadsDeleted = 0;
    for (let i = 0; i < leadIds.length; i += CHUNK) {
      const chunk = leadIds.slice(i, i + CHUNK);
      const rows = await this.deps.leadsRepo.contactsOf(tx, workspaceId, chunk);
      for (const row of rows) contactIds.add(row.contactId);
      await this.deps.activityRepo.deleteForLeads(tx, workspaceId, chunk);
      await this.deps.leadsRepo.delete(tx, workspaceId, chunk);
      leadsDeleted += rows.length;
    }

    let contactsDeleted = 0;
    for (const contactId of contactIds) {
      if ((await this.deps.leadsRepo.idsOfContact(tx, workspaceId, contactId)).length > 0) continue;
      // Contacts merged into this one carried the same person's details: they go with it.
      const family = [contactId, ...(await this.deps.contactsRepo.mergedInto(tx, workspaceId, contactId))];
      for (const id of family) await this.deps.activityRepo.deleteForContact(tx, workspaceId, id);
      await this.deps.contactsRepo.delete(tx, workspaceId, family);
      contactsDeleted += family.length;
    }

    await tx
      .delete(metaCaptures)
      .where(and(eq(metaCaptures.workspaceId, workspaceId), inArray(metaCaptures.pageRowId, pageRowIds)));
    await tx
      .delete(metaForms)
      .where(and(eq(metaForms.workspaceId, workspaceId), inArray(metaForms.pageRowId, pageRowIds)));
    await tx.delete(metaPages).where(and(eq(metaPages.workspaceId, workspaceId), inArray(metaPages.id, pageRowIds)));
    return { leads: leadsDeleted, contacts: contactsDeleted };
  }
}
