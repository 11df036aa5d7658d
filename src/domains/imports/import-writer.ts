import type { DbOrTx } from '../../db/client';
import type { LeadAnswer } from '../../db/schema';
import { newId } from '../../lib/ids';
import { searchTextOf } from '../contacts/identity';
import type { ImportContext, PreparedLead, PreparedRow } from './column-mapping';
import type {
  ContactFacts,
  ContactPatchRow,
  ImportsRepository,
  LeadPatchRow,
  NewContactRow,
  NewLeadRow,
} from './imports.repository';

/**
 * The chunked bulk writer. A chunk of prepared rows is planned with three lookups (identities, leads by external id,
 * the latest lead of each matched contact), decided row by row in memory, then written with one statement per table
 * (`insert … select from unnest(…)`). The same planner runs the dry run: it then writes nothing and keeps what it
 * "created" in memory, so a person repeated across chunks still counts as an update.
 */

export type RowAction = 'create' | 'update' | 'reject';

export interface RowOutcome {
  row: number;
  action: RowAction;
  name: string;
  email: string | null;
  phone: string | null;
  reason?: string;
}

export interface ChunkResult {
  created: number;
  updated: number;
  rejected: number;
  outcomes: RowOutcome[];
}

interface ContactState {
  id: string;
  isNew: boolean;
  changed: boolean;
  name: string;
  email: string | null;
  phone: string | null;
  phoneInvalid: boolean;
  city: string | null;
  country: string | null;
  ownerId: string | null;
  createdAt: Date | null;
}

const identityKey = (kind: string, value: string) => `${kind}\u0000${value}`;
const externalKey = (source: string, externalId: string) => `${source}\u0000${externalId}`;

export class ChunkPlanner {
  /** Contacts and leads made or touched by this planner (kept across chunks only in a dry run). */
  private contacts = new Map<string, ContactState>();
  private identities = new Map<string, string>();
  private newLeads = new Map<string, NewLeadRow>();
  private leadPatches = new Map<string, LeadPatchRow>();
  private leadByExternal = new Map<string, string>();
  private leadByContact = new Map<string, string>();
  private newIdentities: { kind: string; value: string; contactId: string }[] = [];

  constructor(
    private readonly ctx: ImportContext,
    private readonly repo: ImportsRepository,
    private readonly options: { dryRun: boolean },
  ) {}

  /** Plans a chunk and, unless this is a dry run, writes it in `tx` (the caller commits it with the checkpoint). */
  async process(
    tx: DbOrTx,
    workspaceId: string,
    rows: PreparedRow[],
    operationId: string | null,
  ): Promise<ChunkResult> {
    if (!this.options.dryRun) this.reset();
    const valid = rows.filter((r): r is Extract<PreparedRow, { ok: true }> => r.ok).map((r) => r.lead);
    await this.lookUp(tx, workspaceId, valid);

    const outcomes: RowOutcome[] = [];
    const result: ChunkResult = { created: 0, updated: 0, rejected: 0, outcomes };
    for (const r of rows) {
      if (!r.ok) {
        result.rejected++;
        outcomes.push({ row: r.row, action: 'reject', name: '', email: null, phone: null, reason: r.reason });
        continue;
      }
      const action = this.decide(r.lead);
      if (action === 'create') result.created++;
      else result.updated++;
      const contact = this.contacts.get(this.contactOfRow.get(r.lead.row)!)!;
      outcomes.push({ row: r.lead.row, action, name: contact.name, email: contact.email, phone: contact.phone });
    }

    if (!this.options.dryRun) {
      const inserted = await this.write(tx, workspaceId);
      // A lead whose external id was inserted meanwhile by another path (a webhook) was skipped, not created.
      const skipped = this.newLeads.size - inserted;
      result.created -= skipped;
      result.updated += skipped;
      const rejects = rows.filter((r): r is Extract<PreparedRow, { ok: false }> => !r.ok);
      if (operationId) await this.repo.insertRejects(tx, workspaceId, operationId, rejects);
    }
    return result;
  }

  private reset() {
    this.contacts.clear();
    this.identities.clear();
    this.newLeads.clear();
    this.leadPatches.clear();
    this.leadByExternal.clear();
    this.leadByContact.clear();
    this.newIdentities = [];
    this.contactOfRow.clear();
  }

  private contactOfRow = new Map<number, string>();
  /** Existing leads by (source, external id) and by contact, from the database (this chunk's lookups). */
  private dbLeadByExternal = new Map<string, { id: string; contactId: string }>();
  private dbLeadByContact = new Map<string, string>();

  private async lookUp(tx: DbOrTx, workspaceId: string, valid: PreparedLead[]) {
    const kinds: string[] = [];
    const values: string[] = [];
    const seen = new Set<string>();
    for (const lead of valid) {
      for (const i of lead.identities) {
        const key = identityKey(i.kind, i.value);
        if (seen.has(key) || this.identities.has(key)) continue;
        seen.add(key);
        kinds.push(i.kind);
        values.push(i.value);
      }
    }
    for (const found of await this.repo.findIdentities(tx, workspaceId, kinds, values)) {
      this.identities.set(identityKey(found.kind, found.value), found.contactId);
      this.knowContact(found.contactId, found);
    }

    this.dbLeadByExternal.clear();
    this.dbLeadByContact.clear();
    if (this.ctx.upsertKey === 'external_id') {
      const sources: string[] = [];
      const ids: string[] = [];
      for (const lead of valid) {
        if (!lead.externalId || this.leadByExternal.has(externalKey(lead.source, lead.externalId))) continue;
        sources.push(lead.source);
        ids.push(lead.externalId);
      }
      for (const l of await this.repo.findLeadsByExternalId(tx, workspaceId, sources, ids)) {
        this.dbLeadByExternal.set(externalKey(l.source, l.externalId), { id: l.id, contactId: l.contactId });
        this.knowContact(l.contactId, l);
      }
    } else if (this.ctx.upsertKey === 'email' || this.ctx.upsertKey === 'phone') {
      const contactIds = [...new Set(valid.flatMap((lead) => this.keyContact(lead) ?? []))].filter(
        (id) => !this.contacts.get(id)?.isNew && !this.leadByContact.has(id),
      );
      for (const l of await this.repo.latestLeadsOfContacts(tx, workspaceId, contactIds, this.ctx.source)) {
        this.dbLeadByContact.set(l.contactId, l.id);
      }
    }
  }

  private knowContact(id: string, facts: ContactFacts) {
    if (this.contacts.has(id)) return;
    const { name, email, phone, phoneInvalid, city, country } = facts;
    this.contacts.set(id, {
      id,
      isNew: false,
      changed: false,
      name,
      email,
      phone,
      phoneInvalid,
      city,
      country,
      ownerId: null,
      createdAt: null,
    });
  }

  /** The contact the upsert key identity points at, if any. */
  private keyContact(lead: PreparedLead): string | undefined {
    const kind = this.ctx.upsertKey;
    const identity = lead.identities.find((i) => i.kind === kind);
    return identity ? this.identities.get(identityKey(identity.kind, identity.value)) : undefined;
  }

  private decide(lead: PreparedLead): 'create' | 'update' {
    const ext = lead.externalId ? externalKey(lead.source, lead.externalId) : null;
    let leadId: string | undefined;
    let contactId: string | undefined;

    if (this.ctx.upsertKey === 'external_id' && ext) {
      leadId = this.leadByExternal.get(ext);
      const existing = this.dbLeadByExternal.get(ext);
      if (!leadId && existing) {
        leadId = existing.id;
        this.leadByExternal.set(ext, existing.id);
      }
      if (leadId) contactId = this.newLeads.get(leadId)?.contactId ?? existing?.contactId;
    }
    if (!contactId) {
      contactId = this.keyContact(lead);
      if (!contactId) {
        for (const i of lead.identities) {
          contactId = this.identities.get(identityKey(i.kind, i.value));
          if (contactId) break;
        }
      }
    }
    if (
      !leadId &&
      contactId &&
      (this.ctx.upsertKey === 'email' || this.ctx.upsertKey === 'phone') &&
      this.keyContact(lead) === contactId
    ) {
      leadId = this.leadByContact.get(contactId) ?? this.dbLeadByContact.get(contactId);
    }

    const contact = contactId ? this.contacts.get(contactId)! : this.newContact(lead);
    this.absorbIntoContact(contact, lead, leadId !== undefined);
    this.contactOfRow.set(lead.row, contact.id);

    if (leadId) {
      const pending = this.newLeads.get(leadId);
      if (pending) mergeIntoNewLead(pending, lead);
      else this.mergePatch(leadId, lead);
      if (this.ctx.upsertKey === 'email' || this.ctx.upsertKey === 'phone') this.leadByContact.set(contact.id, leadId);
      return 'update';
    }
    const id = newId();
    this.newLeads.set(id, this.newLead(id, contact.id, lead));
    if (ext) this.leadByExternal.set(ext, id);
    this.leadByContact.set(contact.id, id);
    return 'create';
  }

  private newContact(lead: PreparedLead): ContactState {
    const contact: ContactState = {
      ...blankContact(newId()),
      isNew: true,
      ownerId: lead.ownerId ?? this.ctx.defaults.ownerId,
      createdAt: lead.createdAt,
    };
    this.contacts.set(contact.id, contact);
    return contact;
  }

  /** Adds the row's person data to the contact: fills gaps; when the row updates a lead (an upsert match, or a repeat within the file) its name wins. */
  private absorbIntoContact(contact: ContactState, lead: PreparedLead, matched: boolean) {
    const before = `${contact.name}|${contact.email}|${contact.phone}|${contact.city}|${contact.country}`;
    if (lead.name && (!contact.name || matched)) contact.name = lead.name;
    if (lead.email && !contact.email) contact.email = lead.email;
    if (lead.phone && !contact.phone) {
      contact.phone = lead.phone;
      contact.phoneInvalid = lead.phoneInvalid;
    }
    if (lead.city && !contact.city) contact.city = lead.city;
    if (lead.country && !contact.country) contact.country = lead.country;
    if (
      !contact.isNew &&
      before !== `${contact.name}|${contact.email}|${contact.phone}|${contact.city}|${contact.country}`
    ) {
      contact.changed = true;
    }
    for (const i of lead.identities) {
      const key = identityKey(i.kind, i.value);
      if (this.identities.has(key)) continue; // belongs to this or another contact already: never moved by an import
      this.identities.set(key, contact.id);
      this.newIdentities.push({ kind: i.kind, value: i.value, contactId: contact.id });
    }
  }

  private newLead(id: string, contactId: string, lead: PreparedLead): NewLeadRow {
    const stage = lead.stage ?? { id: this.ctx.defaults.stageId, pipelineId: this.ctx.defaults.pipelineId };
    const a = lead.attribution;
    return {
      id,
      contactId,
      name: '',
      email: null,
      phone: null,
      search: '',
      source: lead.source,
      externalId: lead.externalId,
      formId: a.form_id ?? null,
      formName: a.form_name ?? null,
      campaignId: a.campaign_id ?? null,
      campaignName: a.campaign_name ?? null,
      adsetId: a.adset_id ?? null,
      adsetName: a.adset_name ?? null,
      adId: a.ad_id ?? null,
      adName: a.ad_name ?? null,
      platform: a.platform ?? null,
      answers: lead.answers,
      pipelineId: stage.pipelineId,
      stageId: stage.id,
      ownerId: lead.ownerId ?? this.ctx.defaults.ownerId,
      value: lead.value,
      currency: lead.currency,
      custom: lead.custom,
      tags: lead.tags,
      createdAt: lead.createdAt,
    };
  }

  private mergePatch(leadId: string, lead: PreparedLead) {
    const a = lead.attribution;
    const prev = this.leadPatches.get(leadId);
    const patch: LeadPatchRow = {
      id: leadId,
      externalId: lead.externalId ?? prev?.externalId ?? null,
      formId: a.form_id ?? prev?.formId ?? null,
      formName: a.form_name ?? prev?.formName ?? null,
      campaignId: a.campaign_id ?? prev?.campaignId ?? null,
      campaignName: a.campaign_name ?? prev?.campaignName ?? null,
      adsetId: a.adset_id ?? prev?.adsetId ?? null,
      adsetName: a.adset_name ?? prev?.adsetName ?? null,
      adId: a.ad_id ?? prev?.adId ?? null,
      adName: a.ad_name ?? prev?.adName ?? null,
      platform: a.platform ?? prev?.platform ?? null,
      answers: lead.answers.length ? mergeAnswers(prev?.answers ?? [], lead.answers) : (prev?.answers ?? null),
      pipelineId: lead.stage?.pipelineId ?? prev?.pipelineId ?? null,
      stageId: lead.stage?.id ?? prev?.stageId ?? null,
      setOwner: lead.ownerId !== undefined || (prev?.setOwner ?? false),
      ownerId: lead.ownerId ?? prev?.ownerId ?? null,
      value: lead.value ?? prev?.value ?? null,
      currency: lead.currency ?? prev?.currency ?? null,
      custom: { ...prev?.custom, ...lead.custom },
      tags: [...new Set([...(prev?.tags ?? []), ...lead.tags])],
    };
    this.leadPatches.set(leadId, patch);
  }

  private async write(tx: DbOrTx, workspaceId: string): Promise<number> {
    const contacts = [...this.contacts.values()];
    const copyOf = (c: ContactState) => ({
      name: c.name,
      email: c.email,
      phone: c.phone,
      search: searchTextOf(c.name, c.email, c.phone),
    });
    await this.repo.insertIdentities(tx, workspaceId, this.newIdentities);
    await this.repo.insertContacts(
      tx,
      workspaceId,
      contacts.filter((c) => c.isNew).map((c): NewContactRow => ({ ...c })),
    );
    const changed = contacts.filter((c) => c.changed);
    await this.repo.updateContacts(
      tx,
      workspaceId,
      changed.map((c): ContactPatchRow => ({ ...c })),
    );
    await this.repo.syncLeadCopies(
      tx,
      workspaceId,
      changed.map((c) => ({ contactId: c.id, ...copyOf(c) })),
    );
    const newLeads = [...this.newLeads.values()].map((l) => ({ ...l, ...copyOf(this.contacts.get(l.contactId)!) }));
    const inserted = await this.repo.insertLeads(tx, workspaceId, newLeads);
    await this.repo.updateLeads(tx, workspaceId, [...this.leadPatches.values()]);
    return inserted;
  }
}

function blankContact(id: string): ContactState {
  return {
    id,
    isNew: false,
    changed: false,
    name: '',
    email: null,
    phone: null,
    phoneInvalid: false,
    city: null,
    country: null,
    ownerId: null,
    createdAt: null,
  };
}

function mergeAnswers(previous: LeadAnswer[], next: LeadAnswer[]): LeadAnswer[] {
  const keys = new Set(next.map((a) => a.key));
  return [...previous.filter((a) => !keys.has(a.key)), ...next];
}

/** A later row for a lead created earlier in the same chunk: its values fill in and win, like an update would. */
function mergeIntoNewLead(target: NewLeadRow, lead: PreparedLead) {
  const a = lead.attribution;
  target.externalId ??= lead.externalId;
  target.formId = a.form_id ?? target.formId;
  target.formName = a.form_name ?? target.formName;
  target.campaignId = a.campaign_id ?? target.campaignId;
  target.campaignName = a.campaign_name ?? target.campaignName;
  target.adsetId = a.adset_id ?? target.adsetId;
  target.adsetName = a.adset_name ?? target.adsetName;
  target.adId = a.ad_id ?? target.adId;
  target.adName = a.ad_name ?? target.adName;
  target.platform = a.platform ?? target.platform;
  if (lead.answers.length) target.answers = mergeAnswers(target.answers, lead.answers);
  if (lead.stage) {
    target.stageId = lead.stage.id;
    target.pipelineId = lead.stage.pipelineId;
  }
  if (lead.ownerId !== undefined) target.ownerId = lead.ownerId;
  target.value = lead.value ?? target.value;
  target.currency = lead.currency ?? target.currency;
  target.custom = { ...target.custom, ...lead.custom };
  target.tags = [...new Set([...target.tags, ...lead.tags])];
}
