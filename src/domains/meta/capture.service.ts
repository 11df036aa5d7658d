import type { Config } from '../../app/config';
import type { Db } from '../../db/client';
import type { MetaCaptureStatus } from '../../db/schema';
import type { JobQueue } from '../../jobs/queue';
import { AppError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Logger } from '../../lib/logger';
import { SYSTEM_ACTOR } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import type { ContactsService } from '../contacts/contacts.service';
import type { FieldsService } from '../fields/fields.service';
import type { LeadsRepository } from '../leads/leads.repository';
import type { LeadsService } from '../leads/leads.service';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import type { MetaConnectionService } from './connection.service';
import type { MetaCredentials } from './credentials';
import type { MetaFormsService } from './forms.service';
import { type GraphClient, GraphError } from './graph-client';
import { type GraphLead, LEAD_FIELDS, mapLead, parseMetaTime } from './lead-mapping';
import { reconnectReason } from './meta.errors';
import { metaCapture, metaReconcile } from './meta.jobs';
import type { MetaCaptureRow, MetaFormRow, MetaPageRow, MetaRepository } from './meta.repository';

/** Reconciliation re-reads this much before the cursor: Meta may index a lead a little after its created_time. */
const CURSOR_OVERLAP_SECONDS = 600;
const BACKFILL_DAYS = 90;
/** Exponential backoff for transient errors without a wait from Meta: 5 s, 10 s, 20 s … up to 15 minutes. */
const BACKOFF_BASE_MS = 5_000;
const BACKOFF_CAP_MS = 15 * 60_000;
/** Processed webhook bodies are kept this long (for support), then deleted by the reconciliation sweep. */
const EVENT_RETENTION_MS = 7 * 24 * 3600_000;

const META_ID = /^\d{1,40}$/;

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

export function captureView(row: MetaCaptureRow) {
  return {
    leadgenId: row.leadgenId,
    pageRowId: row.pageRowId,
    formId: row.formId,
    status: row.status,
    via: row.via,
    attempts: row.attempts,
    errorKind: row.errorKind,
    lastError: row.lastError,
    leadId: row.leadId,
    receivedAt: row.receivedAt,
    capturedAt: row.capturedAt,
  };
}

const encodeCursor = (row: MetaCaptureRow) =>
  Buffer.from(`${row.receivedAt.toISOString()}|${row.leadgenId}`).toString('base64url');

function decodeCursor(cursor: string): { receivedAt: Date; leadgenId: string } {
  const [at, leadgenId] = Buffer.from(cursor, 'base64url').toString().split('|');
  const receivedAt = new Date(at ?? '');
  if (!leadgenId || !META_ID.test(leadgenId) || Number.isNaN(receivedAt.getTime())) {
    throw new AppError('validation_failed', 'The cursor is not valid. Start again from the first page.', {
      details: [{ path: 'querystring.cursor', message: 'Not a cursor from this list' }],
    });
  }
  return { receivedAt, leadgenId };
}

/**
 * Turning Meta leads into leads, exactly once: the `meta.capture` job (GET the lead, map, create in one transaction
 * with its capture row), Graph errors turned into waiting, retrying or failing, and reconciliation, which pages
 * each form's leads so that a lead whose webhook never came still arrives.
 */
export class MetaCaptureService {
  /** Row id → when this process last wrote its `last_lead_at` (see `touchLastLead`). */
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly deps: {
      db: Db;
      config: Config;
      repo: MetaRepository;
      graph: GraphClient;
      credentials: MetaCredentials;
      queue: JobQueue;
      leads: LeadsService;
      leadsRepo: LeadsRepository;
      fields: FieldsService;
      contacts: ContactsService;
      forms: MetaFormsService;
      connections: MetaConnectionService;
      workspaces: WorkspacesService;
      log: Logger;
    },
  ) {}

  /** `meta.capture`: fetch one lead and create it. Meta's refusals never throw: they become waiting or failure. */
  async capture(workspaceId: string, leadgenId: string): Promise<void> {
    const { repo, graph, credentials, forms } = this.deps;
    const capture = await repo.getCapture(workspaceId, leadgenId);
    if (!capture || capture.status === 'captured') return;
    const page = await repo.getPage(workspaceId, capture.pageRowId);
    if (!page) return;
    const token = credentials.pageToken(page);
    const startedAt = new Date();
    let lead: GraphLead;
    try {
      lead = await graph.get<GraphLead>(leadgenId, { fields: LEAD_FIELDS }, token);
    } catch (error) {
      if (error instanceof GraphError) return this.graphFailed(capture, error, startedAt);
      throw error;
    }
    const formId =
      (typeof lead.form_id === 'string' && META_ID.test(lead.form_id) ? lead.form_id : null) ?? capture.formId;
    let form: MetaFormRow | undefined;
    try {
      form = formId ? await forms.ensure(workspaceId, page, formId, token) : undefined;
    } catch (error) {
      // The lead itself was read: it is captured now, with the default mapping, rather than kept waiting.
      if (!(error instanceof GraphError)) throw error;
    }
    await this.store(workspaceId, page, form, { ...lead, id: leadgenId }, capture.via);
  }

  /**
   * Creates the lead of a fetched Meta lead, once: the capture row (inserted here if reconciliation found the lead
   * first) is locked, so a concurrent capture of the same lead waits and then finds it captured.
   */
  async store(
    workspaceId: string,
    page: MetaPageRow,
    form: MetaFormRow | undefined,
    lead: GraphLead,
    via: string,
  ): Promise<'captured' | 'already' | 'failed'> {
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await this.storeOnce(workspaceId, page, form, lead, via);
        if (outcome === 'captured') await this.touchLastLead(workspaceId, page.id, form?.id);
        return outcome;
      } catch (error) {
        // The lead exists already (created by another path between our check and insert): the next pass links it.
        if (attempt === 0 && isUniqueViolation(error)) continue;
        if (error instanceof AppError && ['validation_failed', 'conflict', 'not_found'].includes(error.code)) {
          await this.fail(workspaceId, lead.id, error.message);
          return 'failed';
        }
        throw error;
      }
    }
  }

  /**
   * "Last lead received" on the Page and the form, written after the capture's transaction and at most once a second
   * per row: inside it, every concurrent capture of one Page queued behind the same row update.
   */
  private async touchLastLead(workspaceId: string, pageRowId: string, formRowId: string | undefined): Promise<void> {
    const now = Date.now();
    for (const [kind, id] of [
      ['page', pageRowId],
      ['form', formRowId],
    ] as const) {
      if (!id || (this.lastTouched.get(id) ?? 0) > now - 1000) continue;
      this.lastTouched.set(id, now);
      const at = new Date(now);
      if (kind === 'page') await this.deps.repo.updatePage(this.deps.db, workspaceId, id, { lastLeadAt: at });
      else await this.deps.repo.updateForm(this.deps.db, workspaceId, id, { lastLeadAt: at });
    }
    if (this.lastTouched.size > 10_000) this.lastTouched.clear();
  }

  private async storeOnce(
    workspaceId: string,
    page: MetaPageRow,
    form: MetaFormRow | undefined,
    lead: GraphLead,
    via: string,
  ): Promise<'captured' | 'already'> {
    const { db, repo, leads, leadsRepo, fields, contacts } = this.deps;
    const leadgenId = lead.id;
    return db.transaction(async (tx) => {
      // Disconnected meanwhile: nothing of this Page may be created any more.
      if ((await repo.lockPages(tx, workspaceId, [page.id], 'key share')).length === 0) return 'already';
      const now = new Date();
      await repo.insertCaptures(tx, [
        {
          workspaceId,
          leadgenId,
          pageRowId: page.id,
          formId: form?.formId ?? lead.form_id ?? null,
          adId: lead.ad_id ?? null,
          via,
          createdTime: parseMetaTime(lead.created_time),
          receivedAt: now,
        },
      ]);
      const capture = await repo.getCapture(workspaceId, leadgenId, { tx, forUpdate: true });
      if (!capture || capture.status === 'captured') return 'already';
      const existing = await leadsRepo.findByExternalId(tx, workspaceId, 'meta_lead_ads', leadgenId);
      let leadId = existing?.id;
      const mapped = mapLead(
        lead,
        form ?? null,
        await fields.specs(workspaceId, 'lead', tx),
        await contacts.defaultCountry(workspaceId, tx),
      );
      if (!leadId) {
        const a = mapped.attribution;
        const row = await leads.capture(
          tx,
          workspaceId,
          {
            contact: mapped.contact,
            source: 'meta_lead_ads',
            externalId: leadgenId,
            custom: mapped.custom,
            answers: mapped.answers,
            formId: a.formId ?? form?.formId ?? null,
            formName: form?.name || null,
            campaignId: a.campaignId,
            campaignName: a.campaignName,
            adsetId: a.adsetId,
            adsetName: a.adsetName,
            adId: a.adId,
            adName: a.adName,
            platform: a.platform,
          },
          SYSTEM_ACTOR,
        );
        leadId = row.id;
        for (const consent of mapped.consents.filter((c) => c.checked)) {
          await repo.insertConsent(tx, {
            workspaceId,
            id: newId(),
            subjectType: 'contact',
            subjectId: row.contactId,
            purpose: consent.key,
            method: 'lead_form_disclaimer',
            details: { leadgenId, formId: a.formId, leadId: row.id },
            grantedAt: mapped.createdTime ?? now,
          });
        }
      }
      await repo.updateCapture(tx, workspaceId, leadgenId, {
        status: 'captured',
        leadId,
        capturedAt: now,
        attempts: capture.attempts + 1,
        lastError: null,
        errorKind: null,
        formId: capture.formId ?? mapped.attribution.formId,
        adId: capture.adId ?? mapped.attribution.adId,
        createdTime: capture.createdTime ?? mapped.createdTime,
      });
      return 'captured';
    });
  }

  private async fail(workspaceId: string, leadgenId: string, message: string): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      const capture = await this.deps.repo.getCapture(workspaceId, leadgenId, { tx, forUpdate: true });
      if (!capture || capture.status === 'captured') return;
      await this.deps.repo.updateCapture(tx, workspaceId, leadgenId, {
        status: 'failed',
        attempts: capture.attempts + 1,
        lastError: message.slice(0, 1000),
        errorKind: 'rejected',
      });
    });
  }

  /**
   * What a Graph refusal means for one capture: throttled or unreachable → wait (Meta's estimate, or backoff) and
   * try again; token or permission refused → the connection needs the admin and the capture waits for the
   * reconnect; anything else → failed, with Meta's message, until someone presses retry.
   */
  private async graphFailed(capture: MetaCaptureRow, error: GraphError, startedAt: Date): Promise<void> {
    const { db, repo, queue, config, connections } = this.deps;
    const { workspaceId, leadgenId } = capture;
    const attempts = capture.attempts + 1;
    const lastError = error.message.slice(0, 1000);
    let stale = false;
    if (error.kind === 'auth_expired' || error.kind === 'permission') {
      // The connection first: a capture seen waiting always has its reason on the connection.
      stale =
        (await connections.markNeedsReconnect(workspaceId, reconnectReason(error), { since: startedAt })) === 'stale';
      if (!stale) {
        await db.transaction((tx) =>
          repo.updateCapture(tx, workspaceId, leadgenId, { attempts, lastError, errorKind: error.kind }),
        );
        return;
      }
    }
    if (stale || error.kind === 'rate_limited' || error.kind === 'transient') {
      const backoff = Math.min(BACKOFF_BASE_MS * 2 ** (attempts - 1), BACKOFF_CAP_MS);
      const waitMs = Math.min(error.retryAfterMs ?? backoff, config.META_RETRY_MAX_SECONDS * 1000);
      await db.transaction(async (tx) => {
        await repo.updateCapture(tx, workspaceId, leadgenId, { attempts, lastError, errorKind: error.kind });
        await queue.send(metaCapture, { workspaceId, leadgenId }, { tx, startAfter: new Date(Date.now() + waitMs) });
      });
      return;
    }
    await db.transaction((tx) =>
      repo.updateCapture(tx, workspaceId, leadgenId, { status: 'failed', attempts, lastError, errorKind: 'rejected' }),
    );
  }

  // Reconciliation

  /** `meta.reconcile`: every form of the workspace's Pages (or one Page), from its cursor or `backfillDays` back. */
  async reconcile(input: { workspaceId: string; pageRowId?: string; backfillDays?: number }): Promise<void> {
    const { repo } = this.deps;
    if (!(await repo.getConnection(input.workspaceId))) return;
    const pages = (await repo.listPages(input.workspaceId)).filter((p) => !input.pageRowId || p.id === input.pageRowId);
    for (const page of pages) await this.reconcilePage(input.workspaceId, page, input.backfillDays);
  }

  private async reconcilePage(workspaceId: string, page: MetaPageRow, backfillDays?: number): Promise<void> {
    const { db, repo, graph, credentials, forms, connections } = this.deps;
    try {
      const token = credentials.pageToken(page);
      const now = Math.floor(Date.now() / 1000);
      for (const form of await forms.refresh(workspaceId, page, token)) {
        // No new lead reaches a deleted or archived form: once read, it need not be read again.
        if (form.status === 'DELETED' || (form.status === 'ARCHIVED' && form.lastSyncedAt && !backfillDays)) continue;
        const since = backfillDays
          ? now - backfillDays * 86_400
          : form.syncCursor !== null
            ? form.syncCursor - CURSOR_OVERLAP_SECONDS
            : now - BACKFILL_DAYS * 86_400;
        const filtering = JSON.stringify([{ field: 'time_created', operator: 'GREATER_THAN', value: since }]);
        let newest = form.syncCursor ?? 0;
        for await (const batch of graph.pages<GraphLead>(
          `${form.formId}/leads`,
          { fields: LEAD_FIELDS, limit: 100, filtering },
          token,
        )) {
          const leads = batch.filter((l) => l && typeof l.id === 'string' && META_ID.test(l.id));
          const statuses = await repo.captureStatuses(
            workspaceId,
            leads.map((l) => l.id),
          );
          for (const lead of leads) {
            const created = parseMetaTime(lead.created_time);
            if (created) newest = Math.max(newest, Math.floor(created.getTime() / 1000));
            if (statuses.get(lead.id) === 'captured') continue;
            await this.store(workspaceId, page, form, { ...lead, form_id: lead.form_id ?? form.formId }, 'reconcile');
          }
        }
        await db.transaction((tx) =>
          repo.updateForm(tx, workspaceId, form.id, {
            syncCursor: newest > 0 ? newest : form.syncCursor,
            lastSyncedAt: new Date(),
          }),
        );
      }
      await db.transaction((tx) =>
        repo.updatePage(tx, workspaceId, page.id, { lastSyncedAt: new Date(), lastError: null }),
      );
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      // The next scheduled run tries again; a dead token also needs the admin.
      if (error.kind === 'auth_expired' || error.kind === 'permission') {
        await connections.markNeedsReconnect(workspaceId, reconnectReason(error));
      }
      const lastError = `Reconciliation failed: ${error.message}`.slice(0, 1000);
      await db.transaction((tx) => repo.updatePage(tx, workspaceId, page.id, { lastError }));
    }
  }

  /** `meta.reconcile_all` (cron): one reconciliation per connected workspace, and old webhook bodies cleared. */
  async reconcileAll(): Promise<void> {
    const { repo, queue } = this.deps;
    for (const workspaceId of await repo.workspacesWithPages()) {
      await queue.send(metaReconcile, { workspaceId });
    }
    await repo.deleteProcessedEvents(new Date(Date.now() - EVENT_RETENTION_MS));
  }

  // The captures API

  async list(
    access: WorkspaceAccess,
    query: { status?: MetaCaptureStatus; pageRowId?: string; cursor?: string; limit: number },
  ) {
    this.deps.workspaces.assertCan(access, 'integrations.manage');
    const rows = await this.deps.repo.listCaptures(access.workspaceId, {
      status: query.status,
      pageRowId: query.pageRowId,
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(captureView),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  }

  /** Queues a capture again at once (a failed one, or one waiting), whatever its attempts. */
  async retry(access: WorkspaceAccess, leadgenId: string) {
    this.deps.workspaces.assertCan(access, 'integrations.manage');
    const { db, repo, queue } = this.deps;
    const workspaceId = access.workspaceId;
    const row = await db.transaction(async (tx) => {
      const capture = await repo.getCapture(workspaceId, leadgenId, { tx, forUpdate: true });
      if (!capture) throw notFound('This capture');
      if (capture.status === 'captured') return capture;
      await repo.updateCapture(tx, workspaceId, leadgenId, { status: 'pending' });
      await queue.send(metaCapture, { workspaceId, leadgenId }, { tx });
      return (await repo.getCapture(workspaceId, leadgenId, { tx }))!;
    });
    queue.wake(metaCapture);
    return captureView(row);
  }
}
