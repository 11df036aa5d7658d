import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { type LeadSource, leads } from '../../db/schema';
import type { JobQueue } from '../../jobs/queue';
import { AppError, forbidden, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { ActivityRepository } from '../activity/activity.repository';
import type { ActivityEntry, ActivityService } from '../activity/activity.service';
import type { Actor, AuditService } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import type { ContactsRepository } from '../contacts/contacts.repository';
import { type ContactsService, contactView, dedupe, stripNulls } from '../contacts/contacts.service';
import { searchTextOf } from '../contacts/identity';
import type { FieldsService } from '../fields/fields.service';
import type { PipelinesService, Placement } from '../pipelines/pipelines.service';
import type { RoutingRuleRow } from '../routing/routing.repository';
import type { RoutingService } from '../routing/routing.service';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import { compileLeadQuery, encodeCursor, type LeadQuery } from './lead-query';
import { runBulkLeadAction } from './leads.jobs';
import { COUNT_CAP, type LeadRow, type LeadsRepository } from './leads.repository';
import {
  type BulkAction,
  type BulkSelection,
  type LeadCreate,
  type LeadPatch,
  type LeadQueryBody,
  leadView,
} from './leads.schemas';
import { ownerScopeOf, userIdOf } from './visibility';

/** Up to this many leads, a bulk action runs in the request; beyond, in a job with progress. */
export const BULK_SYNC_LIMIT = 500;
const BULK_CHUNK = 1000;

/** What a bulk operation keeps in `operations.details`. */
interface BulkDetails {
  action: BulkAction;
  selection: BulkSelection;
  ownerScope: string | null;
  actor: { type: Actor['type']; id: string | null };
  /** Leads created after the request are not part of it. */
  createdUpTo: string;
  /** The last lead id done, so a retried job resumes where it stopped. */
  lastId?: string | null;
}

const invalid = (path: string, message: string) =>
  new AppError('validation_failed', message, { details: [{ path, message }] });

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

/** Leads: create (identity-resolved, routed), read, update, delete, query, bulk. */
/** What the leads of one capture batch (one transaction) share: reads done once, timeline entries written once. */
interface CaptureBatch {
  placement?: Placement;
  rules?: RoutingRuleRow[];
  activities: ActivityEntry[];
}

export class LeadsService {
  constructor(
    private readonly deps: {
      db: Db;
      audit: AuditService;
      workspaces: WorkspacesService;
      pipelines: PipelinesService;
      fields: FieldsService;
      routing: RoutingService;
      activity: ActivityService;
      contacts: ContactsService;
      queue: JobQueue;
      repo: LeadsRepository;
      contactsRepo: ContactsRepository;
      activityRepo: ActivityRepository;
    },
  ) {}

  // Reading

  async query(access: WorkspaceAccess, body: LeadQueryBody) {
    this.deps.workspaces.assertCan(access, 'leads.read');
    const specs = await this.deps.fields.specs(access.workspaceId, 'lead');
    const ownerId = ownerScopeOf(access);
    const compiled = compileLeadQuery(access.workspaceId, body, specs, { ownerId, cursor: body.cursor });
    const rows = await this.deps.repo.page(compiled, body.limit + 1);
    const page = rows.slice(0, body.limit);
    const last = page.at(-1);
    let count: { value: number; exact: boolean } | null = null;
    if (body.count !== 'none') {
      const { where } = body.cursor ? compileLeadQuery(access.workspaceId, body, specs, { ownerId }) : compiled;
      if (body.count === 'exact') {
        count = { value: await this.deps.repo.count(where), exact: true };
      } else {
        const n = await this.deps.repo.count(where, COUNT_CAP + 1);
        count = n > COUNT_CAP ? { value: COUNT_CAP, exact: false } : { value: n, exact: true };
      }
    }
    return {
      items: page.map(leadView),
      nextCursor: rows.length > body.limit && last ? encodeCursor(last.sortValue, last.id) : null,
      count,
    };
  }

  /** `GET /leads`: the simple filters API users ask for most, as a query. */
  list(
    access: WorkspaceAccess,
    query: {
      q?: string;
      stageId?: string;
      ownerId?: string;
      cursor?: string;
      limit: number;
      count: 'auto' | 'exact' | 'none';
    },
  ) {
    const filters: LeadQuery['filters'] = [];
    if (query.stageId) filters.push({ field: 'stage_id', op: 'eq', value: query.stageId });
    if (query.ownerId) filters.push({ field: 'owner_id', op: 'eq', value: query.ownerId });
    return this.query(access, {
      q: query.q,
      filters,
      sort: { field: 'created_at', direction: 'desc' },
      cursor: query.cursor,
      limit: query.limit,
      count: query.count,
    });
  }

  async get(access: WorkspaceAccess, leadId: string) {
    this.deps.workspaces.assertCan(access, 'leads.read');
    const lead = await this.visible(access, leadId);
    const contact = await this.deps.contactsRepo.get(access.workspaceId, lead.contactId, { includeMerged: true });
    if (!contact) throw notFound('This lead');
    const ownerName = lead.ownerId ? await this.deps.repo.userName(lead.ownerId) : null;
    return {
      ...leadView(lead),
      contact: contactView(contact),
      owner: lead.ownerId ? { id: lead.ownerId, name: ownerName } : null,
    };
  }

  async timeline(access: WorkspaceAccess, leadId: string, query: { cursor?: string; limit: number }) {
    this.deps.workspaces.assertCan(access, 'leads.read');
    await this.visible(access, leadId);
    return this.deps.activity.timeline(access.workspaceId, { leadId }, query);
  }

  async tags(access: WorkspaceAccess) {
    this.deps.workspaces.assertCan(access, 'leads.read');
    return this.deps.repo.tags(access.workspaceId, ownerScopeOf(access));
  }

  // Writing

  async create(access: WorkspaceAccess, input: LeadCreate) {
    this.deps.workspaces.assertCan(access, 'leads.write');
    const workspaceId = access.workspaceId;
    const scope = ownerScopeOf(access);
    if ((input.contact === undefined) === (input.contactId === undefined)) {
      throw invalid('contact', 'Give either contact (name, email, phone…) or contactId');
    }
    if (input.contact && !input.contact.name?.trim() && !input.contact.email?.trim() && !input.contact.phone?.trim()) {
      throw invalid('contact', 'Give at least a name, an email or a phone number');
    }
    if (input.ownerId) await this.assertAssignable(access, input.ownerId);
    const defaultCountry = await this.deps.contacts.defaultCountry(workspaceId);
    const custom = stripNulls(
      await this.deps.fields.validate(workspaceId, 'lead', input.custom ?? {}, { partial: false, defaultCountry }),
    );
    const source = input.source ?? (access.principal.kind === 'api_key' ? 'api' : 'manual');
    const prepared = { ...input, source, custom };
    const context = {
      actor: access.actor,
      ownerScope: scope ?? null,
      selfId: userIdOf(access) ?? null,
      defaultCountry,
    };
    try {
      const lead = await this.deps.db.transaction(async (tx) => {
        if (input.externalId) {
          const existing = await this.deps.repo.findByExternalId(tx, workspaceId, source, input.externalId);
          if (existing) throw externalIdTaken(existing.id);
        }
        return this.insertLead(tx, workspaceId, prepared, context);
      });
      return leadView(lead);
    } catch (error) {
      // Two captures with the same external id at once: the unique index decides, the loser is told which lead won.
      if (input.externalId && isUniqueViolation(error)) {
        const existing = await this.deps.repo.findByExternalId(this.deps.db, workspaceId, source, input.externalId);
        if (existing) throw externalIdTaken(existing.id);
      }
      throw error;
    }
  }

  /**
   * Leads captured by the system (Meta Lead Ads, channels) inside the caller's transaction: each contact is resolved,
   * each lead routed and its timeline written, as for `create`. Custom values must already be validated. The caller
   * owns idempotency (the `(source, externalId)` unique key makes a second insert fail). The workspace's country,
   * default placement and routing rules are read once for the whole batch.
   */
  async captureMany(
    tx: DbOrTx,
    workspaceId: string,
    inputs: (LeadCreate & { source: LeadSource; custom: Record<string, unknown> })[],
    actor: Actor,
    options: { defaultCountry?: string } = {},
  ): Promise<LeadRow[]> {
    const defaultCountry = options.defaultCountry ?? (await this.deps.contacts.defaultCountry(workspaceId, tx));
    const batch: CaptureBatch = { activities: [] };
    const context = { actor, ownerScope: null, selfId: null, defaultCountry, batch };
    const rows: LeadRow[] = [];
    for (const input of inputs) rows.push(await this.insertLead(tx, workspaceId, input, context));
    await this.deps.activity.record(tx, workspaceId, actor, batch.activities);
    return rows;
  }

  private async insertLead(
    tx: DbOrTx,
    workspaceId: string,
    input: LeadCreate & { source: LeadSource; custom: Record<string, unknown> },
    context: {
      actor: Actor;
      ownerScope: string | null;
      selfId: string | null;
      defaultCountry: string;
      batch?: CaptureBatch;
    },
  ): Promise<LeadRow> {
    const { source, custom } = input;
    let contactCreated = false;
    let contact: Awaited<ReturnType<ContactsService['resolveForCapture']>>['contact'];
    if (input.contactId) {
      const found = await this.deps.contactsRepo.get(workspaceId, input.contactId, {
        tx,
        ownerScope: context.ownerScope ?? undefined,
      });
      if (!found) throw notFound('This contact');
      contact = found;
    } else {
      const resolved = await this.deps.contacts.resolveForCapture(
        tx,
        workspaceId,
        input.contact ?? {},
        context.defaultCountry,
      );
      contact = resolved.contact;
      contactCreated = resolved.created;
    }
    const { batch } = context;
    const byDefault = !input.pipelineId && !input.stageId;
    const placement =
      (byDefault ? batch?.placement : undefined) ??
      (await this.deps.pipelines.resolvePlacement(tx, workspaceId, {
        pipelineId: input.pipelineId,
        stageId: input.stageId,
      }));
    if (batch && byDefault) batch.placement = placement;
    let ownerId: string | null;
    let routed = false;
    if (input.ownerId !== undefined) ownerId = input.ownerId;
    else if (context.ownerScope) ownerId = context.selfId;
    else {
      if (batch) batch.rules ??= await this.deps.routing.enabledRules(tx, workspaceId);
      ownerId = await this.deps.routing.chooseOwner(
        tx,
        workspaceId,
        {
          source,
          formId: input.formId,
          formName: input.formName,
          campaignName: input.campaignName,
          platform: input.platform,
          country: contact.country,
          custom,
        },
        batch?.rules,
      );
      routed = ownerId !== null;
    }
    const now = new Date();
    const row = await this.deps.repo.insert(tx, {
      workspaceId,
      id: newId(),
      contactId: contact.id,
      name: contact.name,
      email: contact.email,
      phone: contact.phone,
      search: searchTextOf(contact.name, contact.email, contact.phone),
      source,
      externalId: input.externalId || null,
      formId: input.formId || null,
      formName: input.formName || null,
      campaignId: input.campaignId || null,
      campaignName: input.campaignName || null,
      adsetId: input.adsetId || null,
      adsetName: input.adsetName || null,
      adId: input.adId || null,
      adName: input.adName || null,
      platform: input.platform || null,
      answers: input.answers ?? [],
      pipelineId: placement.pipelineId,
      stageId: placement.stageId,
      ownerId,
      value: input.value ?? null,
      currency: input.currency ?? null,
      tags: dedupe(input.tags ?? []),
      custom,
      createdAt: now,
      updatedAt: now,
      stageChangedAt: now,
    });
    const on = { leadId: row.id, contactId: row.contactId };
    const entries: ActivityEntry[] = [
      {
        type: 'lead.created',
        ...on,
        data: { source, pipelineId: row.pipelineId, stageId: row.stageId, ownerId, contactCreated },
      },
    ];
    if (routed) entries.push({ type: 'lead.assigned', ...on, data: { from: null, to: ownerId, by: 'routing' } });
    if (batch) batch.activities.push(...entries);
    else await this.deps.activity.record(tx, workspaceId, context.actor, entries);
    return row;
  }

  async update(access: WorkspaceAccess, leadId: string, patch: LeadPatch) {
    this.deps.workspaces.assertCan(access, 'leads.write');
    const workspaceId = access.workspaceId;
    await this.visible(access, leadId);
    if (patch.ownerId) await this.assertAssignable(access, patch.ownerId);
    else if (patch.ownerId === null && ownerScopeOf(access))
      throw forbidden('Your role can only assign leads to yourself.');
    const stage = patch.stageId ? await this.deps.pipelines.getStage(workspaceId, patch.stageId) : undefined;
    if (patch.stageId && !stage) throw invalid('stageId', 'This stage does not exist.');
    const defaultCountry = await this.deps.contacts.defaultCountry(workspaceId);
    const custom =
      patch.custom === undefined
        ? undefined
        : await this.deps.fields.validate(workspaceId, 'lead', patch.custom, { partial: true, defaultCountry });

    const updated = await this.deps.db.transaction(async (tx) => {
      const lead = (await this.deps.repo.get(workspaceId, leadId, { tx, forUpdate: true }))!;
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (patch.name !== undefined || patch.email !== undefined || patch.phone !== undefined) {
        const contact = (await this.deps.contactsRepo.get(workspaceId, lead.contactId, {
          tx,
          forUpdate: true,
          includeMerged: true,
        }))!;
        const applied = await this.deps.contacts.applyPersonalFields(
          tx,
          workspaceId,
          contact,
          { name: patch.name, email: patch.email, phone: patch.phone },
          defaultCountry,
        );
        Object.assign(changes, applied.changes);
      }
      const set: Partial<LeadRow> = {};
      const change = <K extends keyof LeadRow>(key: K, to: LeadRow[K], label: string = key) => {
        if (JSON.stringify(lead[key]) === JSON.stringify(to)) return;
        set[key] = to;
        changes[label] = { from: lead[key], to };
      };
      if (patch.value !== undefined) change('value', patch.value);
      if (patch.currency !== undefined) change('currency', patch.currency);
      if (patch.tags !== undefined) change('tags', dedupe(patch.tags));
      if (custom !== undefined) {
        const merged = stripNulls({ ...lead.custom, ...custom });
        for (const key of Object.keys(custom)) {
          const [from, to] = [lead.custom[key] ?? null, merged[key] ?? null];
          if (JSON.stringify(from) !== JSON.stringify(to)) changes[`custom.${key}`] = { from, to };
        }
        set.custom = merged;
      }
      const entries: ActivityEntry[] = [];
      const on = { leadId, contactId: lead.contactId };
      const now = new Date();
      if (stage && stage.id !== lead.stageId) {
        const from = await this.deps.pipelines.getStage(workspaceId, lead.stageId, tx);
        set.stageId = stage.id;
        set.pipelineId = stage.pipelineId;
        set.stageChangedAt = now;
        entries.push({
          type: 'lead.stage_changed',
          ...on,
          data: { from: { id: lead.stageId, name: from?.name ?? null }, to: { id: stage.id, name: stage.name } },
        });
      }
      if (patch.ownerId !== undefined && patch.ownerId !== lead.ownerId) {
        set.ownerId = patch.ownerId;
        entries.push({ type: 'lead.assigned', ...on, data: { from: lead.ownerId, to: patch.ownerId } });
      }
      if (Object.keys(changes).length) entries.unshift({ type: 'lead.updated', ...on, data: { changes } });
      if (Object.keys(set).length) await this.deps.repo.update(tx, workspaceId, leadId, { ...set, updatedAt: now });
      await this.deps.activity.record(tx, workspaceId, access.actor, entries);
      return (await this.deps.repo.get(workspaceId, leadId, { tx }))!;
    });
    return leadView(updated);
  }

  async delete(access: WorkspaceAccess, leadId: string): Promise<void> {
    this.deps.workspaces.assertCan(access, 'leads.delete');
    await this.visible(access, leadId);
    await this.deps.db.transaction(async (tx) => {
      const lead = await this.deps.repo.get(access.workspaceId, leadId, { tx, forUpdate: true });
      if (!lead) throw notFound('This lead');
      await this.removeLeads(tx, access.workspaceId, [lead], access.actor);
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: 'lead.deleted',
          target: { type: 'lead', id: leadId },
        },
        tx,
      );
    });
  }

  private async removeLeads(tx: DbOrTx, workspaceId: string, rows: { id: string; contactId: string }[], actor: Actor) {
    const ids = rows.map((r) => r.id);
    await this.deps.activityRepo.deleteForLeads(tx, workspaceId, ids);
    await this.deps.repo.delete(tx, workspaceId, ids);
    await this.deps.activity.record(
      tx,
      workspaceId,
      actor,
      rows.map((r) => ({ type: 'lead.deleted', contactId: r.contactId, data: { leadId: r.id } })),
    );
  }

  // Bulk

  async bulk(
    access: WorkspaceAccess,
    input: { selection: BulkSelection; action: BulkAction },
  ): Promise<{ updated: number } | { operationId: string }> {
    this.deps.workspaces.assertCan(access, 'leads.write');
    if (input.action.type === 'delete') this.deps.workspaces.assertCan(access, 'leads.delete');
    if (input.action.type === 'assign') {
      if (input.action.ownerId) await this.assertAssignable(access, input.action.ownerId);
      else if (ownerScopeOf(access)) throw forbidden('Your role can only assign leads to yourself.');
    }
    if (
      input.action.type === 'move_stage' &&
      !(await this.deps.pipelines.getStage(access.workspaceId, input.action.stageId))
    ) {
      throw invalid('action.stageId', 'This stage does not exist.');
    }
    const scope = ownerScopeOf(access);
    const createdUpTo = new Date().toISOString();
    const where = await this.bulkWhere(access.workspaceId, input.selection, scope ?? null, createdUpTo);
    const total = await this.deps.repo.count(where);
    const auditAction = `lead.bulk_${input.action.type}`;

    if (total <= BULK_SYNC_LIMIT) {
      const updated = await this.deps.db.transaction(async (tx) => {
        const ids = await this.deps.repo.idsAfter(tx, where, null, BULK_SYNC_LIMIT);
        const count = await this.applyBulk(tx, access.workspaceId, ids, input.action, access.actor, scope);
        await this.deps.audit.record(
          { workspaceId: access.workspaceId, actor: access.actor, action: auditAction, metadata: { count } },
          tx,
        );
        return count;
      });
      return { updated };
    }

    const details: BulkDetails = {
      action: input.action,
      selection: input.selection,
      ownerScope: scope ?? null,
      actor: { type: access.actor.type, id: access.actor.id },
      createdUpTo,
      lastId: null,
    };
    const operationId = newId();
    await this.deps.db.transaction(async (tx) => {
      await this.deps.repo.insertOperation(tx, {
        workspaceId: access.workspaceId,
        id: operationId,
        kind: 'bulk',
        status: 'pending',
        total,
        processed: 0,
        details: details as unknown as Record<string, unknown>,
        createdBy: userIdOf(access),
        createdAt: new Date(),
      });
      await this.deps.queue.send(runBulkLeadAction, { workspaceId: access.workspaceId, operationId }, { tx });
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: auditAction,
          target: { type: 'operation', id: operationId },
          metadata: { count: total, operationId },
        },
        tx,
      );
    });
    return { operationId };
  }

  /** The job behind a large bulk action: chunks of 1,000 leads, each in its own transaction with its progress. */
  async runBulk(workspaceId: string, operationId: string): Promise<void> {
    const op = await this.deps.repo.getOperation(workspaceId, operationId);
    if (op?.kind !== 'bulk' || op.status === 'succeeded') return;
    const details = op.details as unknown as BulkDetails;
    const actor: Actor = { type: details.actor.type, id: details.actor.id };
    let processed = op.processed;
    let lastId = details.lastId ?? null;
    try {
      await this.deps.repo.updateOperation(this.deps.db, workspaceId, operationId, { status: 'running', error: null });
      const where = await this.bulkWhere(workspaceId, details.selection, details.ownerScope, details.createdUpTo);
      for (;;) {
        const done = await this.deps.db.transaction(async (tx) => {
          const ids = await this.deps.repo.idsAfter(tx, where, lastId, BULK_CHUNK);
          if (ids.length === 0) return true;
          await this.applyBulk(tx, workspaceId, ids, details.action, actor, details.ownerScope ?? undefined);
          processed += ids.length;
          lastId = ids.at(-1)!;
          await this.deps.repo.updateOperation(tx, workspaceId, operationId, {
            processed,
            details: { ...details, lastId } as unknown as Record<string, unknown>,
          });
          return ids.length < BULK_CHUNK;
        });
        if (done) break;
      }
      await this.deps.repo.updateOperation(this.deps.db, workspaceId, operationId, {
        status: 'succeeded',
        processed,
        finishedAt: new Date(),
      });
    } catch (error) {
      // Marked failed now; a retry of the job resumes after `lastId` and sets it running again.
      await this.deps.repo.updateOperation(this.deps.db, workspaceId, operationId, {
        status: 'failed',
        error: 'The bulk action stopped before the end. It will be retried.',
        finishedAt: new Date(),
      });
      throw error;
    }
  }

  private async bulkWhere(
    workspaceId: string,
    selection: BulkSelection,
    ownerScope: string | null,
    createdUpTo: string,
  ): Promise<SQL> {
    const upTo = sql`${leads.createdAt} <= ${createdUpTo}::timestamptz`;
    if ('ids' in selection) {
      const conditions: SQL[] = [
        eq(leads.workspaceId, workspaceId),
        inArray(leads.id, [...new Set(selection.ids)]),
        upTo,
      ];
      if (ownerScope) conditions.push(eq(leads.ownerId, ownerScope));
      return and(...conditions)!;
    }
    const specs = await this.deps.fields.specs(workspaceId, 'lead');
    const compiled = compileLeadQuery(workspaceId, selection.query, specs, { ownerId: ownerScope ?? undefined });
    return and(compiled.where, upTo)!;
  }

  /** Applies one action to a chunk of leads with a timeline entry per changed lead; returns how many it covered. */
  private async applyBulk(
    tx: DbOrTx,
    workspaceId: string,
    ids: string[],
    action: BulkAction,
    actor: Actor,
    ownerScope: string | undefined,
  ): Promise<number> {
    const rows = await this.deps.repo.lockMany(tx, workspaceId, ids, ownerScope);
    const now = new Date();
    const entries: ActivityEntry[] = [];
    switch (action.type) {
      case 'assign': {
        const changed = rows.filter((r) => r.ownerId !== action.ownerId);
        await this.deps.repo.setMany(
          tx,
          workspaceId,
          changed.map((r) => r.id),
          { ownerId: action.ownerId, updatedAt: now },
        );
        for (const r of changed) {
          entries.push({
            type: 'lead.assigned',
            leadId: r.id,
            contactId: r.contactId,
            data: { from: r.ownerId, to: action.ownerId, bulk: true },
          });
        }
        break;
      }
      case 'tag': {
        const remove = new Set(action.remove ?? []);
        const pairs: [string, string[]][] = [];
        for (const r of rows) {
          const tags = dedupe([...r.tags, ...(action.add ?? [])]).filter((t) => !remove.has(t));
          if (JSON.stringify(tags) === JSON.stringify(r.tags)) continue;
          pairs.push([r.id, tags]);
          entries.push({
            type: 'lead.updated',
            leadId: r.id,
            contactId: r.contactId,
            data: { changes: { tags: { from: r.tags, to: tags } }, bulk: true },
          });
        }
        await this.deps.repo.setTagsMany(tx, workspaceId, pairs, now);
        break;
      }
      case 'move_stage': {
        const stage = await this.deps.pipelines.getStage(workspaceId, action.stageId, tx);
        if (!stage) throw invalid('action.stageId', 'This stage does not exist.');
        const changed = rows.filter((r) => r.stageId !== stage.id);
        const names = new Map<string, string | null>();
        for (const stageId of new Set(changed.map((r) => r.stageId))) {
          names.set(stageId, (await this.deps.pipelines.getStage(workspaceId, stageId, tx))?.name ?? null);
        }
        await this.deps.repo.setMany(
          tx,
          workspaceId,
          changed.map((r) => r.id),
          { stageId: stage.id, pipelineId: stage.pipelineId, stageChangedAt: now, updatedAt: now },
        );
        for (const r of changed) {
          entries.push({
            type: 'lead.stage_changed',
            leadId: r.id,
            contactId: r.contactId,
            data: {
              from: { id: r.stageId, name: names.get(r.stageId) ?? null },
              to: { id: stage.id, name: stage.name },
              bulk: true,
            },
          });
        }
        break;
      }
      case 'delete':
        await this.removeLeads(tx, workspaceId, rows, actor);
        return rows.length;
    }
    await this.deps.activity.record(tx, workspaceId, actor, entries);
    return rows.length;
  }

  // Checks

  /** The lead if the caller may see it; 404 for other workspaces' ids and for agents' colleagues' leads. */
  private async visible(access: WorkspaceAccess, leadId: string): Promise<LeadRow> {
    const lead = await this.deps.repo.get(access.workspaceId, leadId, { ownerScope: ownerScopeOf(access) });
    if (!lead) throw notFound('This lead');
    return lead;
  }

  /** Agents keep their leads: they may assign to themselves only. Owners must be members of the workspace. */
  private async assertAssignable(access: WorkspaceAccess, ownerId: string): Promise<void> {
    const scope = ownerScopeOf(access);
    if (scope && ownerId !== scope) throw forbidden('Your role can only assign leads to yourself.');
    if (!(await this.deps.repo.member(access.workspaceId, ownerId))) {
      throw invalid('ownerId', 'This person is not a member of the workspace.');
    }
  }
}

const externalIdTaken = (leadId: string) =>
  new AppError('conflict', 'A lead with this external id from this source already exists.', {
    details: [{ path: `leadId:${leadId}`, message: 'Already captured as this lead' }],
  });
