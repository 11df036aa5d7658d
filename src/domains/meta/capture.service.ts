import type { Config } from '../../app/config';
import type { Db } from '../../db/client';
import type { MetaCaptureStatus } from '../../db/schema';
import type { JobQueue } from '../../jobs/queue';
import { AppError, notFound } from '../../lib/errors';
import { GroupCommit } from '../../lib/group-commit';
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
/** Captures of one `meta.capture_batch` in flight at once: most of a capture's time is waiting on Meta. */
const CAPTURES_IN_FLIGHT = 12;

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

type StoreOutcome = 'captured' | 'already' | 'failed';

/** A fetched Meta lead waiting to be stored. */
interface StoreItem {
  workspaceId: string;
  page: MetaPageRow;
  form: MetaFormRow | undefined;
  lead: GraphLead;
  via: string;
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
  /**
   * Leads fetched by concurrent `meta.capture` jobs are stored together: while one batch's transaction runs, the
   * next gathers, so under a backlog several leads share one transaction and its reads of the workspace's settings
   * (up to three transactions at once: each spends most of its time waiting on the database's round trips).
   */
  private readonly batcher = new GroupCommit<StoreItem, StoreOutcome>((items) => this.storeBatch(items), 50, 3);

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

  /**
   * `meta.capture_batch`: a drain's captures, `CAPTURES_IN_FLIGHT` at a time (their stores meet in the batcher). One
   * that throws (not a Graph refusal: those never throw) is handed to a `meta.capture` job of its own.
   */
  async captureAll(captures: { workspaceId: string; leadgenId: string }[]): Promise<void> {
    // The batch's capture rows with their Pages in one read per workspace, and each form looked up once.
    const known = new Map<string, { capture: MetaCaptureRow; page: MetaPageRow }>();
    for (const workspaceId of new Set(captures.map((c) => c.workspaceId))) {
      const ids = captures.filter((c) => c.workspaceId === workspaceId).map((c) => c.leadgenId);
      for (const row of await this.deps.repo.capturesWithPages(workspaceId, ids)) {
        known.set(`${workspaceId}|${row.capture.leadgenId}`, row);
      }
    }
    const forms = new Map<string, Promise<MetaFormRow | undefined>>();
    const failed: typeof captures = [];
    let next = 0;
    const lane = async () => {
      while (next < captures.length) {
        const item = captures[next++]!;
        const found = known.get(`${item.workspaceId}|${item.leadgenId}`);
        try {
          if (found) await this.fetchAndStore(found.capture, found.page, forms);
        } catch (error) {
          this.deps.log.warn({ err: error, workspaceId: item.workspaceId }, 'capture failed; retried on its own');
          failed.push(item);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CAPTURES_IN_FLIGHT, captures.length) }, lane));
    if (failed.length === 0) return;
    await this.deps.queue.sendMany(metaCapture, failed);
    this.deps.queue.wake(metaCapture);
  }

  /** `meta.capture`: fetch one lead and create it. Meta's refusals never throw: they become waiting or failure. */
  async capture(workspaceId: string, leadgenId: string): Promise<void> {
    const found = await this.deps.repo.getCaptureWithPage(workspaceId, leadgenId);
    if (found) await this.fetchAndStore(found.capture, found.page, new Map());
  }

  /** GET the lead with the Page's token, find its form (memoised in `forms` by form id), then store it. */
  private async fetchAndStore(
    capture: MetaCaptureRow,
    page: MetaPageRow,
    forms: Map<string, Promise<MetaFormRow | undefined>>,
  ): Promise<void> {
    const { graph, credentials } = this.deps;
    const { workspaceId, leadgenId } = capture;
    if (capture.status === 'captured') return;
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
    if (formId) {
      if (!forms.has(formId)) forms.set(formId, this.deps.forms.ensure(workspaceId, page, formId, token));
      try {
        form = await forms.get(formId);
      } catch (error) {
        // The lead itself was read: it is captured now, with the default mapping, rather than kept waiting.
        if (!(error instanceof GraphError)) throw error;
        forms.delete(formId);
      }
    }
    await this.batcher.submit({ workspaceId, page, form, lead: { ...lead, id: leadgenId }, via: capture.via });
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
  ): Promise<StoreOutcome> {
    const item: StoreItem = { workspaceId, page, form, lead, via };
    for (let attempt = 0; ; attempt++) {
      try {
        const [outcome] = await this.storeOnce(workspaceId, [item]);
        if (outcome === 'captured') await this.touchLastLead([item]);
        return outcome!;
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
   * The batcher's writer: the leads fetched while the previous batch was being written, one transaction per
   * workspace. If a batch fails as a whole (one lead refused, a race with another path), each of its leads is
   * stored on its own, so one bad lead never holds back the others.
   */
  private async storeBatch(items: StoreItem[]): Promise<StoreOutcome[]> {
    const outcomes: StoreOutcome[] = new Array(items.length);
    const byWorkspace = new Map<string, number[]>();
    for (const [i, item] of items.entries()) {
      byWorkspace.set(item.workspaceId, [...(byWorkspace.get(item.workspaceId) ?? []), i]);
    }
    for (const [workspaceId, indexes] of byWorkspace) {
      const group = indexes.map((i) => items[i]!);
      let results: StoreOutcome[] | undefined;
      if (group.length > 1) {
        try {
          results = await this.storeOnce(workspaceId, group);
          await this.touchLastLead(group.filter((_, k) => results![k] === 'captured'));
        } catch (error) {
          this.deps.log.warn({ code: (error as { code?: unknown }).code }, 'capture batch failed; storing one by one');
          results = undefined;
        }
      }
      if (!results) {
        results = [];
        for (const item of group) {
          results.push(await this.store(workspaceId, item.page, item.form, item.lead, item.via));
        }
      }
      for (const [k, i] of indexes.entries()) outcomes[i] = results[k]!;
    }
    return outcomes;
  }

  /**
   * "Last lead received" on the Page and the form, written after the capture's transaction and at most once a second
   * per row: inside it, every concurrent capture of one Page queued behind the same row update.
   */
  private async touchLastLead(items: StoreItem[]): Promise<void> {
    const now = Date.now();
    const rows = new Map<string, { kind: 'page' | 'form'; workspaceId: string }>();
    for (const item of items) {
      rows.set(item.page.id, { kind: 'page', workspaceId: item.workspaceId });
      if (item.form) rows.set(item.form.id, { kind: 'form', workspaceId: item.workspaceId });
    }
    for (const [id, { kind, workspaceId }] of rows) {
      if ((this.lastTouched.get(id) ?? 0) > now - 1000) continue;
      this.lastTouched.set(id, now);
      const at = new Date(now);
      if (kind === 'page') await this.deps.repo.updatePage(this.deps.db, workspaceId, id, { lastLeadAt: at });
      else await this.deps.repo.updateForm(this.deps.db, workspaceId, id, { lastLeadAt: at });
    }
    if (this.lastTouched.size > 10_000) this.lastTouched.clear();
  }

  /** One transaction for leads of one workspace: capture rows locked, leads created, captures marked. */
  private async storeOnce(workspaceId: string, items: StoreItem[]): Promise<('captured' | 'already')[]> {
    const { db, repo, leads, leadsRepo, fields, contacts } = this.deps;
    return db.transaction(async (tx) => {
      const outcomes: ('captured' | 'already')[] = items.map(() => 'already');
      // A Page disconnected meanwhile: nothing of it may be created any more.
      const pageIds = [...new Set(items.map((i) => i.page.id))];
      const live = new Set((await repo.lockPages(tx, workspaceId, pageIds, 'key share')).map((p) => p.id));
      const todo = [...items.entries()].filter(([, item]) => live.has(item.page.id));
      if (todo.length === 0) return outcomes;
      const now = new Date();
      await repo.insertCaptures(
        tx,
        todo.map(([, { page, form, lead, via }]) => ({
          workspaceId,
          leadgenId: lead.id,
          pageRowId: page.id,
          formId: form?.formId ?? lead.form_id ?? null,
          adId: lead.ad_id ?? null,
          via,
          createdTime: parseMetaTime(lead.created_time),
          receivedAt: now,
        })),
      );
      const ids = todo.map(([, item]) => item.lead.id);
      const captures = await repo.lockCaptures(tx, workspaceId, ids);
      const existing = await leadsRepo.idsByExternalIds(tx, workspaceId, 'meta_lead_ads', ids);
      const specs = await fields.specs(workspaceId, 'lead', tx);
      const defaultCountry = await contacts.defaultCountry(workspaceId, tx);
      const seen = new Set<string>();
      const work = [];
      for (const [index, item] of todo) {
        const capture = captures.get(item.lead.id);
        if (!capture || capture.status === 'captured' || seen.has(item.lead.id)) continue;
        seen.add(item.lead.id);
        const mapped = mapLead(item.lead, item.form ?? null, specs, defaultCountry);
        work.push({ index, item, capture, mapped, leadId: existing.get(item.lead.id) });
      }
      const toCreate = work.filter((w) => !w.leadId);
      const created = await leads.captureMany(
        tx,
        workspaceId,
        toCreate.map(({ item, mapped: { attribution: a, ...mapped } }) => ({
          contact: mapped.contact,
          source: 'meta_lead_ads' as const,
          externalId: item.lead.id,
          custom: mapped.custom,
          answers: mapped.answers,
          formId: a.formId ?? item.form?.formId ?? null,
          formName: item.form?.name || null,
          campaignId: a.campaignId,
          campaignName: a.campaignName,
          adsetId: a.adsetId,
          adsetName: a.adsetName,
          adId: a.adId,
          adName: a.adName,
          platform: a.platform,
        })),
        SYSTEM_ACTOR,
        { defaultCountry },
      );
      for (const [k, row] of created.entries()) {
        const w = toCreate[k]!;
        w.leadId = row.id;
        for (const consent of w.mapped.consents.filter((c) => c.checked)) {
          await repo.insertConsent(tx, {
            workspaceId,
            id: newId(),
            subjectType: 'contact',
            subjectId: row.contactId,
            purpose: consent.key,
            method: 'lead_form_disclaimer',
            details: { leadgenId: w.item.lead.id, formId: w.mapped.attribution.formId, leadId: row.id },
            grantedAt: w.mapped.createdTime ?? now,
          });
        }
      }
      await repo.markCaptured(
        tx,
        workspaceId,
        now,
        work.map(({ item, mapped, leadId }) => ({
          leadgenId: item.lead.id,
          leadId: leadId!,
          formId: mapped.attribution.formId,
          adId: mapped.attribution.adId,
          createdTime: mapped.createdTime,
        })),
      );
      for (const { index } of work) outcomes[index] = 'captured';
      return outcomes;
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
      // A 190 is confirmed with debug_token first; tokens Meta still calls valid mean the refusal was passing.
      const verdict = error.kind === 'auth_expired' ? await connections.confirmRefusal(workspaceId) : 'unknown';
      // The connection first: a capture seen waiting always has its reason on the connection.
      stale =
        verdict === 'valid' ||
        (verdict === 'unknown' &&
          (await connections.markNeedsReconnect(workspaceId, reconnectReason(error), { since: startedAt })) ===
            'stale');
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
      // The next scheduled run tries again; a dead token (confirmed by debug_token when Meta answers it) also needs
      // the admin.
      const verdict = error.kind === 'auth_expired' ? await connections.confirmRefusal(workspaceId) : 'unknown';
      if ((error.kind === 'auth_expired' || error.kind === 'permission') && verdict === 'unknown') {
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
