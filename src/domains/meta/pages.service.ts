import type { Config } from '../../app/config';
import type { Db } from '../../db/client';
import type { JobQueue } from '../../jobs/queue';
import { AppError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { AuditService } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import { assertConfirmed, connectionView, type MetaConnectionService } from './connection.service';
import type { MetaCredentials } from './credentials';
import type { MetaErasure } from './erasure';
import type { MetaFormsService } from './forms.service';
import { type GraphClient, GraphError } from './graph-client';
import { requestFailure } from './meta.errors';
import { metaReconcile } from './meta.jobs';
import type { CaptureCounts, MetaFormRow, MetaPageRow, MetaRepository } from './meta.repository';

const BACKFILL_DAYS = 90;

interface Account {
  id?: string;
  name?: string;
  access_token?: string;
  instagram_business_account?: { id?: string };
}

export interface PageHealth {
  id: string;
  pageId: string;
  name: string;
  instagramAccountId: string | null;
  subscribed: boolean;
  lastError: string | null;
  lastLeadAt: Date | null;
  lastSyncedAt: Date | null;
  leadsToday: number;
  failedCount: number;
  pendingCount: number;
  forms: {
    id: string;
    formId: string;
    name: string;
    status: string;
    lastLeadAt: Date | null;
    leadsToday: number;
    lastSyncedAt: Date | null;
  }[];
}

function pageHealth(page: MetaPageRow, forms: MetaFormRow[], counts: CaptureCounts[]): PageHealth {
  const mine = counts.filter((c) => c.pageRowId === page.id);
  const sum = (f: (c: CaptureCounts) => number, list = mine) => list.reduce((n, c) => n + f(c), 0);
  return {
    id: page.id,
    pageId: page.pageId,
    name: page.name,
    instagramAccountId: page.instagramAccountId,
    subscribed: page.subscribed,
    lastError: page.lastError,
    lastLeadAt: page.lastLeadAt,
    lastSyncedAt: page.lastSyncedAt,
    leadsToday: sum((c) => c.leadsToday),
    failedCount: sum((c) => c.failed),
    pendingCount: sum((c) => c.pending),
    forms: forms
      .filter((f) => f.pageRowId === page.id)
      .map((f) => ({
        id: f.id,
        formId: f.formId,
        name: f.name,
        status: f.status,
        lastLeadAt: f.lastLeadAt,
        leadsToday: sum(
          (c) => c.leadsToday,
          mine.filter((c) => c.formId === f.formId),
        ),
        lastSyncedAt: f.lastSyncedAt,
      })),
  };
}

/**
 * The Facebook Pages a workspace captures from: choosing them among the connected person's Pages (subscribe, list
 * forms, 90-day backfill), their health, "sync now", a test lead through the whole path, and disconnecting one with
 * the data that came only from it (P12).
 */
export class MetaPagesService {
  constructor(
    private readonly deps: {
      db: Db;
      config: Config;
      repo: MetaRepository;
      graph: GraphClient;
      credentials: MetaCredentials;
      queue: JobQueue;
      audit: AuditService;
      workspaces: WorkspacesService;
      connections: MetaConnectionService;
      forms: MetaFormsService;
      erasure: MetaErasure;
    },
  ) {}

  /** `GET /meta`: the connection and each Page's capture health (for every member who reads leads). */
  async health(access: WorkspaceAccess) {
    this.deps.workspaces.assertCan(access, 'leads.read');
    const connection = await this.deps.repo.getConnection(access.workspaceId);
    return {
      enabled: this.deps.config.metaEnabled,
      connection: connection ? connectionView(connection) : null,
      pages: connection ? await this.pagesHealth(access.workspaceId) : [],
    };
  }

  private async pagesHealth(workspaceId: string, only?: Set<string>): Promise<PageHealth[]> {
    const { repo } = this.deps;
    const [pages, forms, counts] = await Promise.all([
      repo.listPages(workspaceId),
      repo.listForms(workspaceId),
      repo.captureCounts(workspaceId),
    ]);
    return pages.filter((p) => !only || only.has(p.id)).map((p) => pageHealth(p, forms, counts));
  }

  /** The connected person's Pages (from `me/accounts`), and which are connected here already. */
  async available(access: WorkspaceAccess) {
    this.deps.workspaces.assertCan(access, 'integrations.manage');
    this.deps.connections.assertConfigured();
    const connection = await this.deps.connections.requireConnection(access.workspaceId, { active: true });
    const accounts = await this.accounts(this.deps.credentials.userToken(connection));
    const connected = new Set((await this.deps.repo.listPages(access.workspaceId)).map((p) => p.pageId));
    return {
      items: accounts.map((a) => ({
        pageId: a.id!,
        name: a.name ?? '',
        instagramAccountId: a.instagram_business_account?.id ?? null,
        connected: connected.has(a.id!),
      })),
    };
  }

  private async accounts(userToken: string): Promise<Account[]> {
    const out: Account[] = [];
    try {
      for await (const batch of this.deps.graph.pages<Account>(
        'me/accounts',
        { fields: 'id,name,access_token,instagram_business_account', limit: 100 },
        userToken,
      )) {
        out.push(...batch.filter((a) => a && typeof a.id === 'string' && /^\d{1,40}$/.test(a.id)));
      }
    } catch (error) {
      throw requestFailure(error);
    }
    return out;
  }

  /** Connects Pages: stores each Page token (encrypted), subscribes the Page to `leadgen`, lists its forms, backfills. */
  async connect(access: WorkspaceAccess, pageIds: string[]) {
    this.deps.workspaces.assertCan(access, 'integrations.manage');
    this.deps.connections.assertConfigured();
    const { db, repo, graph, credentials, queue, audit, forms } = this.deps;
    const workspaceId = access.workspaceId;
    const connection = await this.deps.connections.requireConnection(workspaceId, { active: true });
    const accounts = new Map((await this.accounts(credentials.userToken(connection))).map((a) => [a.id!, a]));
    const unknown = pageIds.filter((id) => !accounts.get(id)?.access_token);
    if (unknown.length) {
      throw new AppError('validation_failed', 'These are not Pages the connected Facebook account manages.', {
        details: unknown.map((id) => ({ path: 'pageIds', message: `${id} is not one of your Pages` })),
      });
    }
    const connectedIds = new Set<string>();
    for (const pageId of [...new Set(pageIds)]) {
      const account = accounts.get(pageId)!;
      const token = account.access_token!;
      let name = (account.name ?? '').slice(0, 500);
      let instagramAccountId = account.instagram_business_account?.id ?? null;
      let lastError: string | null = null;
      try {
        const info = await graph.get<{ name?: string; instagram_business_account?: { id?: string } }>(
          pageId,
          { fields: 'instagram_business_account,name' },
          token,
        );
        name = (info.name ?? name).slice(0, 500);
        instagramAccountId = info.instagram_business_account?.id ?? instagramAccountId;
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
      }
      let subscribed = false;
      try {
        const answer = await graph.post<{ success?: boolean | string }>(
          `${pageId}/subscribed_apps`,
          { subscribed_fields: 'leadgen' },
          token,
        );
        subscribed = answer.success === true || answer.success === 'true';
        if (!subscribed) lastError = 'Facebook did not confirm the subscription to new leads.';
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
        lastError = `Subscribing the Page to new leads failed: ${error.message}`.slice(0, 1000);
      }
      const page = await db.transaction(async (tx) => {
        const existing = await repo.getPageByPageId(workspaceId, pageId, tx);
        const id = existing?.id ?? newId();
        const fields = {
          connectionId: connection.id,
          name,
          pageToken: credentials.sealPageToken(id, token),
          instagramAccountId,
          subscribed,
          subscribedAt: subscribed ? new Date() : null,
          lastError,
        };
        if (existing) await repo.updatePage(tx, workspaceId, id, fields);
        else await repo.insertPage(tx, { workspaceId, id, pageId, ...fields });
        await audit.record(
          {
            workspaceId,
            actor: access.actor,
            action: 'meta.page_connected',
            target: { type: 'meta_page', id },
            metadata: { subscribed, instagram: instagramAccountId !== null },
          },
          tx,
        );
        await queue.send(metaReconcile, { workspaceId, pageRowId: id, backfillDays: BACKFILL_DAYS }, { tx });
        return (await repo.getPage(workspaceId, id, tx))!;
      });
      try {
        await forms.refresh(workspaceId, page, token);
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
        await db.transaction((tx) =>
          repo.updatePage(tx, workspaceId, page.id, {
            lastError: `Listing the Page's lead forms failed: ${error.message}`.slice(0, 1000),
          }),
        );
      }
      connectedIds.add(page.id);
    }
    return { items: await this.pagesHealth(workspaceId, connectedIds) };
  }

  /** Unsubscribes the Page and deletes its token, forms, captures and the leads and contacts that came only from it. */
  async disconnect(access: WorkspaceAccess, pageRowId: string, deleteData: boolean) {
    this.deps.workspaces.assertCan(access, 'integrations.manage');
    const { db, repo, audit, erasure, connections } = this.deps;
    const workspaceId = access.workspaceId;
    const page = await repo.getPage(workspaceId, pageRowId);
    if (!page) throw notFound('This Page');
    assertConfirmed(deleteData);
    await connections.unsubscribe(page);
    const deleted = await db.transaction(async (tx) => {
      await repo.lockPages(tx, workspaceId, [pageRowId], 'update');
      const counts = await erasure.erasePages(tx, workspaceId, [pageRowId]);
      await audit.record(
        {
          workspaceId,
          actor: access.actor,
          action: 'meta.page_disconnected',
          target: { type: 'meta_page', id: pageRowId },
          metadata: counts,
        },
        tx,
      );
      return counts;
    });
    return { deleted };
  }

  /** "Sync now": reconciles the Page (or all of them) in the background. */
  async sync(access: WorkspaceAccess, pageRowId?: string) {
    this.deps.workspaces.assertCan(access, 'integrations.manage');
    const workspaceId = access.workspaceId;
    if (pageRowId && !(await this.deps.repo.getPage(workspaceId, pageRowId))) throw notFound('This Page');
    await this.deps.connections.requireConnection(workspaceId);
    await this.deps.queue.send(metaReconcile, { workspaceId, ...(pageRowId ? { pageRowId } : {}) });
    return { queued: true as const };
  }

  /** Asks Meta for a test lead on one of the Page's forms; it then arrives by webhook like any lead. */
  async testLead(access: WorkspaceAccess, pageRowId: string, formId?: string) {
    this.deps.workspaces.assertCan(access, 'integrations.manage');
    const { repo, graph, credentials, forms, connections } = this.deps;
    const workspaceId = access.workspaceId;
    const page = await repo.getPage(workspaceId, pageRowId);
    if (!page) throw notFound('This Page');
    connections.assertConfigured();
    await connections.requireConnection(workspaceId);
    const token = credentials.pageToken(page);
    let pageForms = await repo.listForms(workspaceId, undefined, page.id);
    try {
      if (!pageForms.length) pageForms = await forms.refresh(workspaceId, page, token);
    } catch (error) {
      throw requestFailure(error);
    }
    const form = formId ? pageForms.find((f) => f.formId === formId) : pageForms.find((f) => f.status === 'ACTIVE');
    if (!form) {
      if (formId) throw notFound('This form');
      throw new AppError('conflict', 'This Page has no active lead form to send a test lead to.');
    }
    let answer: { id?: string; lead_id?: string; leadgen_id?: string };
    try {
      answer = await graph.post(`${form.formId}/test_leads`, {}, token);
    } catch (error) {
      throw requestFailure(error);
    }
    const leadgenId = String(answer.id ?? answer.lead_id ?? answer.leadgen_id ?? '');
    if (!/^\d{1,40}$/.test(leadgenId))
      throw new AppError('meta_unavailable', 'Facebook did not say which lead it created.');
    return { leadgenId };
  }
}
