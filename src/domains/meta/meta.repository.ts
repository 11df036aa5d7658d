import { and, asc, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, rowsOf } from '../../db/client';
import {
  consents,
  type MetaCaptureStatus,
  metaCaptures,
  metaConnections,
  metaForms,
  metaInboundEvents,
  metaPages,
} from '../../db/schema';

export type MetaConnectionRow = typeof metaConnections.$inferSelect;
export type MetaPageRow = typeof metaPages.$inferSelect;
export type MetaFormRow = typeof metaForms.$inferSelect;
export type MetaCaptureRow = typeof metaCaptures.$inferSelect;
export type MetaCaptureInsert = typeof metaCaptures.$inferInsert;

export interface CaptureCounts {
  pageRowId: string;
  formId: string | null;
  leadsToday: number;
  failed: number;
  pending: number;
}

/**
 * Queries of the Meta capture domain. Every query takes `workspaceId` first, except the few that start from what
 * Meta tells us (a webhook names a Page, not a workspace) and the cron sweeps over every workspace.
 */
export class MetaRepository {
  constructor(private readonly db: Db) {}

  // Connections

  async getConnection(workspaceId: string, tx: DbOrTx = this.db): Promise<MetaConnectionRow | undefined> {
    const [row] = await tx.select().from(metaConnections).where(eq(metaConnections.workspaceId, workspaceId)).limit(1);
    return row;
  }

  async lockConnection(tx: DbOrTx, workspaceId: string): Promise<MetaConnectionRow | undefined> {
    const [row] = await tx
      .select()
      .from(metaConnections)
      .where(eq(metaConnections.workspaceId, workspaceId))
      .for('update');
    return row;
  }

  async insertConnection(tx: DbOrTx, row: typeof metaConnections.$inferInsert): Promise<MetaConnectionRow> {
    const [created] = await tx.insert(metaConnections).values(row).returning();
    return created!;
  }

  async updateConnection(
    tx: DbOrTx,
    workspaceId: string,
    patch: Partial<Omit<MetaConnectionRow, 'workspaceId' | 'id' | 'createdAt'>>,
  ): Promise<void> {
    await tx
      .update(metaConnections)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(metaConnections.workspaceId, workspaceId));
  }

  async deleteConnection(tx: DbOrTx, workspaceId: string): Promise<void> {
    await tx.delete(metaConnections).where(eq(metaConnections.workspaceId, workspaceId));
  }

  /** Every connection (the token-check sweep). */
  async allConnections(): Promise<MetaConnectionRow[]> {
    return this.db.select().from(metaConnections).orderBy(asc(metaConnections.workspaceId));
  }

  /** Workspaces with at least one connected Page (the reconciliation sweep). */
  async workspacesWithPages(): Promise<string[]> {
    const rows = await this.db
      .selectDistinct({ workspaceId: metaPages.workspaceId })
      .from(metaPages)
      .innerJoin(metaConnections, eq(metaConnections.id, metaPages.connectionId));
    return rows.map((r) => r.workspaceId);
  }

  // Pages

  async listPages(workspaceId: string, tx: DbOrTx = this.db): Promise<MetaPageRow[]> {
    return tx
      .select()
      .from(metaPages)
      .where(eq(metaPages.workspaceId, workspaceId))
      .orderBy(asc(metaPages.name), asc(metaPages.id));
  }

  async getPage(workspaceId: string, pageRowId: string, tx: DbOrTx = this.db): Promise<MetaPageRow | undefined> {
    const [row] = await tx
      .select()
      .from(metaPages)
      .where(and(eq(metaPages.workspaceId, workspaceId), eq(metaPages.id, pageRowId)))
      .limit(1);
    return row;
  }

  async getPageByPageId(workspaceId: string, pageId: string, tx: DbOrTx = this.db): Promise<MetaPageRow | undefined> {
    const [row] = await tx
      .select()
      .from(metaPages)
      .where(and(eq(metaPages.workspaceId, workspaceId), eq(metaPages.pageId, pageId)))
      .limit(1);
    return row;
  }

  async insertPage(tx: DbOrTx, row: typeof metaPages.$inferInsert): Promise<MetaPageRow> {
    const [created] = await tx.insert(metaPages).values(row).returning();
    return created!;
  }

  async updatePage(
    tx: DbOrTx,
    workspaceId: string,
    pageRowId: string,
    patch: Partial<Omit<MetaPageRow, 'workspaceId' | 'id' | 'createdAt'>>,
  ): Promise<void> {
    await tx
      .update(metaPages)
      .set(patch)
      .where(and(eq(metaPages.workspaceId, workspaceId), eq(metaPages.id, pageRowId)));
  }

  /**
   * Locks Page rows: `update` before deleting them (disconnect), `key share` while capturing from one, so a capture
   * in flight either finishes before the Page's data is erased (and is erased with it) or finds the Page gone.
   */
  async lockPages(tx: DbOrTx, workspaceId: string, pageRowIds: string[], mode: 'update' | 'key share') {
    if (pageRowIds.length === 0) return [];
    return tx
      .select({ id: metaPages.id })
      .from(metaPages)
      .where(and(eq(metaPages.workspaceId, workspaceId), inArray(metaPages.id, pageRowIds)))
      .for(mode);
  }

  /** Every workspace's row for these Meta Page ids, where the workspace is still connected (webhook fan-out). */
  async pagesByPageIds(tx: DbOrTx, pageIds: string[]): Promise<{ workspaceId: string; id: string; pageId: string }[]> {
    if (pageIds.length === 0) return [];
    return tx
      .select({ workspaceId: metaPages.workspaceId, id: metaPages.id, pageId: metaPages.pageId })
      .from(metaPages)
      .innerJoin(
        metaConnections,
        and(eq(metaConnections.workspaceId, metaPages.workspaceId), eq(metaConnections.id, metaPages.connectionId)),
      )
      .where(inArray(metaPages.pageId, pageIds))
      .for('key share', { of: metaPages });
  }

  // Forms

  async listForms(workspaceId: string, tx: DbOrTx = this.db, pageRowId?: string): Promise<MetaFormRow[]> {
    return tx
      .select()
      .from(metaForms)
      .where(and(eq(metaForms.workspaceId, workspaceId), pageRowId ? eq(metaForms.pageRowId, pageRowId) : undefined))
      .orderBy(asc(metaForms.name), asc(metaForms.id));
  }

  async getForm(workspaceId: string, formRowId: string, tx: DbOrTx = this.db): Promise<MetaFormRow | undefined> {
    const [row] = await tx
      .select()
      .from(metaForms)
      .where(and(eq(metaForms.workspaceId, workspaceId), eq(metaForms.id, formRowId)))
      .limit(1);
    return row;
  }

  async getFormByFormId(workspaceId: string, formId: string, tx: DbOrTx = this.db): Promise<MetaFormRow | undefined> {
    const [row] = await tx
      .select()
      .from(metaForms)
      .where(and(eq(metaForms.workspaceId, workspaceId), eq(metaForms.formId, formId)))
      .limit(1);
    return row;
  }

  /** Inserts forms or refreshes what Meta says about them (name, status, questions); the admin's mapping stays. */
  async upsertForms(tx: DbOrTx, rows: (typeof metaForms.$inferInsert)[]): Promise<void> {
    if (rows.length === 0) return;
    await tx
      .insert(metaForms)
      .values(rows)
      .onConflictDoUpdate({
        target: [metaForms.workspaceId, metaForms.formId],
        set: {
          pageRowId: sql`excluded.page_row_id`,
          name: sql`excluded.name`,
          status: sql`excluded.status`,
          locale: sql`excluded.locale`,
          questions: sql`excluded.questions`,
        },
      });
  }

  async updateForm(
    tx: DbOrTx,
    workspaceId: string,
    formRowId: string,
    patch: Partial<Pick<MetaFormRow, 'mapping' | 'syncCursor' | 'lastSyncedAt' | 'lastLeadAt'>>,
  ): Promise<void> {
    await tx
      .update(metaForms)
      .set(patch)
      .where(and(eq(metaForms.workspaceId, workspaceId), eq(metaForms.id, formRowId)));
  }

  // Captures

  /**
   * Inserts capture rows that do not exist yet; returns the ones inserted (the dedupe of every path). Rows naming one
   * (workspace, lead) twice (Meta retrying inside one POST, a duplicated webhook fetched twice) are inserted once.
   */
  async insertCaptures(tx: DbOrTx, rows: MetaCaptureInsert[]): Promise<{ workspaceId: string; leadgenId: string }[]> {
    const seen = new Set<string>();
    const unique = rows.filter((r) => {
      const key = `${r.workspaceId}|${r.leadgenId}`;
      return !seen.has(key) && seen.add(key);
    });
    if (unique.length === 0) return [];
    return tx
      .insert(metaCaptures)
      .values(unique)
      .onConflictDoNothing({ target: [metaCaptures.workspaceId, metaCaptures.leadgenId] })
      .returning({ workspaceId: metaCaptures.workspaceId, leadgenId: metaCaptures.leadgenId });
  }

  async getCapture(
    workspaceId: string,
    leadgenId: string,
    options: { tx?: DbOrTx; forUpdate?: boolean } = {},
  ): Promise<MetaCaptureRow | undefined> {
    const query = (options.tx ?? this.db)
      .select()
      .from(metaCaptures)
      .where(and(eq(metaCaptures.workspaceId, workspaceId), eq(metaCaptures.leadgenId, leadgenId)))
      .limit(1);
    const [row] = options.forUpdate ? await query.for('update') : await query;
    return row;
  }

  /** A capture with its Page (none when the Page was disconnected since). */
  async getCaptureWithPage(
    workspaceId: string,
    leadgenId: string,
  ): Promise<{ capture: MetaCaptureRow; page: MetaPageRow } | undefined> {
    return (await this.capturesWithPages(workspaceId, [leadgenId]))[0];
  }

  /** Captures with their Pages (those whose Page was disconnected since are left out). */
  async capturesWithPages(
    workspaceId: string,
    leadgenIds: string[],
  ): Promise<{ capture: MetaCaptureRow; page: MetaPageRow }[]> {
    if (leadgenIds.length === 0) return [];
    return this.db
      .select({ capture: metaCaptures, page: metaPages })
      .from(metaCaptures)
      .innerJoin(
        metaPages,
        and(eq(metaPages.workspaceId, metaCaptures.workspaceId), eq(metaPages.id, metaCaptures.pageRowId)),
      )
      .where(and(eq(metaCaptures.workspaceId, workspaceId), inArray(metaCaptures.leadgenId, leadgenIds)));
  }

  /** These captures, locked for update in leadgen-id order (so two batches over the same leads cannot deadlock). */
  async lockCaptures(tx: DbOrTx, workspaceId: string, leadgenIds: string[]): Promise<Map<string, MetaCaptureRow>> {
    if (leadgenIds.length === 0) return new Map();
    const rows = await tx
      .select()
      .from(metaCaptures)
      .where(and(eq(metaCaptures.workspaceId, workspaceId), inArray(metaCaptures.leadgenId, leadgenIds)))
      .orderBy(asc(metaCaptures.leadgenId))
      .for('update');
    return new Map(rows.map((r) => [r.leadgenId, r]));
  }

  /**
   * Marks captures captured with their lead, in one statement; ids Meta gave only in the fetched lead fill the
   * capture's empty form, ad and created time.
   */
  async markCaptured(
    tx: DbOrTx,
    workspaceId: string,
    at: Date,
    rows: { leadgenId: string; leadId: string; formId: string | null; adId: string | null; createdTime: Date | null }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const values = sql.join(
      rows.map(
        (r) =>
          sql`(${r.leadgenId}::text, ${r.leadId}::uuid, ${r.formId}::text, ${r.adId}::text, ${r.createdTime?.toISOString() ?? null}::timestamptz)`,
      ),
      sql`, `,
    );
    await tx.execute(sql`
      update meta_captures as c set
        status = 'captured', lead_id = v.lead_id, captured_at = ${at.toISOString()}::timestamptz,
        attempts = c.attempts + 1, last_error = null, error_kind = null,
        form_id = coalesce(c.form_id, v.form_id), ad_id = coalesce(c.ad_id, v.ad_id),
        created_time = coalesce(c.created_time, v.created_time)
      from (values ${values}) as v(leadgen_id, lead_id, form_id, ad_id, created_time)
      where c.workspace_id = ${workspaceId} and c.leadgen_id = v.leadgen_id`);
  }

  async updateCapture(
    tx: DbOrTx,
    workspaceId: string,
    leadgenId: string,
    patch: Partial<Omit<MetaCaptureRow, 'workspaceId' | 'leadgenId'>>,
  ): Promise<void> {
    await tx
      .update(metaCaptures)
      .set(patch)
      .where(and(eq(metaCaptures.workspaceId, workspaceId), eq(metaCaptures.leadgenId, leadgenId)));
  }

  async captureStatuses(
    workspaceId: string,
    leadgenIds: string[],
    tx: DbOrTx = this.db,
  ): Promise<Map<string, MetaCaptureStatus>> {
    if (leadgenIds.length === 0) return new Map();
    const rows = await tx
      .select({ leadgenId: metaCaptures.leadgenId, status: metaCaptures.status })
      .from(metaCaptures)
      .where(and(eq(metaCaptures.workspaceId, workspaceId), inArray(metaCaptures.leadgenId, leadgenIds)));
    return new Map(rows.map((r) => [r.leadgenId, r.status]));
  }

  /** Captures waiting for the connection to work again (re-queued on reconnect). */
  async pendingLeadgenIds(tx: DbOrTx, workspaceId: string): Promise<string[]> {
    const rows = await tx
      .select({ leadgenId: metaCaptures.leadgenId })
      .from(metaCaptures)
      .where(and(eq(metaCaptures.workspaceId, workspaceId), eq(metaCaptures.status, 'pending')));
    return rows.map((r) => r.leadgenId);
  }

  /** Newest first, keyset-paged on (received_at, leadgen_id). */
  async listCaptures(
    workspaceId: string,
    filter: {
      status?: MetaCaptureStatus;
      pageRowId?: string;
      after?: { receivedAt: Date; leadgenId: string };
      limit: number;
    },
  ): Promise<MetaCaptureRow[]> {
    const after = filter.after;
    return this.db
      .select()
      .from(metaCaptures)
      .where(
        and(
          eq(metaCaptures.workspaceId, workspaceId),
          filter.status ? eq(metaCaptures.status, filter.status) : undefined,
          filter.pageRowId ? eq(metaCaptures.pageRowId, filter.pageRowId) : undefined,
          after
            ? or(
                lt(metaCaptures.receivedAt, after.receivedAt),
                and(eq(metaCaptures.receivedAt, after.receivedAt), lt(metaCaptures.leadgenId, after.leadgenId)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(metaCaptures.receivedAt), desc(metaCaptures.leadgenId))
      .limit(filter.limit);
  }

  /**
   * Per Page and form: leads captured today (received since midnight in the workspace's timezone), and the failed
   * and pending captures.
   */
  async captureCounts(workspaceId: string): Promise<CaptureCounts[]> {
    const today = rowsOf<{ page_row_id: string; form_id: string | null; n: number }>(
      await this.db.execute(sql`
        select page_row_id, form_id, count(*)::int as n from meta_captures
        where workspace_id = ${workspaceId} and status = 'captured'
          and received_at >= (date_trunc('day', now() at time zone
            (select timezone from workspaces where id = ${workspaceId})) at time zone
            (select timezone from workspaces where id = ${workspaceId}))
        group by page_row_id, form_id`),
    );
    const open = rowsOf<{ page_row_id: string; form_id: string | null; status: string; n: number }>(
      await this.db.execute(sql`
        select page_row_id, form_id, status, count(*)::int as n from meta_captures
        where workspace_id = ${workspaceId} and status in ('failed', 'pending')
        group by page_row_id, form_id, status`),
    );
    const byKey = new Map<string, CaptureCounts>();
    const entry = (pageRowId: string, formId: string | null) => {
      const key = `${pageRowId}|${formId ?? ''}`;
      let e = byKey.get(key);
      if (!e) {
        e = { pageRowId, formId, leadsToday: 0, failed: 0, pending: 0 };
        byKey.set(key, e);
      }
      return e;
    };
    for (const r of today) entry(r.page_row_id, r.form_id).leadsToday += r.n;
    for (const r of open) {
      const e = entry(r.page_row_id, r.form_id);
      if (r.status === 'failed') e.failed += r.n;
      else e.pending += r.n;
    }
    return [...byKey.values()];
  }

  // Inbound webhook bodies

  /** One statement, no explicit transaction: the webhook's whole write. */
  async insertEvents(tx: DbOrTx, rows: { id: string; body: string }[]): Promise<void> {
    if (rows.length) await tx.insert(metaInboundEvents).values(rows);
  }

  /** The oldest bodies not processed yet, locked for this transaction; concurrent drains skip each other's rows. */
  async claimEvents(tx: DbOrTx, limit: number): Promise<{ id: string; body: string }[]> {
    return (
      tx
        .select({ id: metaInboundEvents.id, body: metaInboundEvents.body })
        .from(metaInboundEvents)
        // A literal, so the partial index on the pending rows applies.
        .where(sql`${metaInboundEvents.status} = 'received'`)
        .orderBy(asc(metaInboundEvents.receivedAt))
        .limit(limit)
        .for('update', { skipLocked: true })
    );
  }

  async markEvents(tx: DbOrTx, ids: string[], status: 'processed' | 'ignored'): Promise<void> {
    if (ids.length === 0) return;
    await tx
      .update(metaInboundEvents)
      .set({ status, processedAt: new Date() })
      .where(inArray(metaInboundEvents.id, ids));
  }

  /** Processed bodies older than `before` are no longer needed (capture rows hold what was learnt from them). */
  async deleteProcessedEvents(before: Date): Promise<number> {
    const rows = await this.db
      .delete(metaInboundEvents)
      .where(and(lt(metaInboundEvents.receivedAt, before), inArray(metaInboundEvents.status, ['processed', 'ignored'])))
      .returning({ id: metaInboundEvents.id });
    return rows.length;
  }

  // Consents (P31)

  async insertConsent(tx: DbOrTx, row: typeof consents.$inferInsert): Promise<void> {
    await tx.insert(consents).values(row);
  }

  async hasActiveConsent(tx: DbOrTx, workspaceId: string, purpose: string): Promise<boolean> {
    const [row] = await tx
      .select({ id: consents.id })
      .from(consents)
      .where(and(eq(consents.workspaceId, workspaceId), eq(consents.purpose, purpose), isNull(consents.withdrawnAt)))
      .limit(1);
    return row !== undefined;
  }

  async withdrawConsents(tx: DbOrTx, workspaceId: string, purpose: string, by: string | null): Promise<void> {
    await tx
      .update(consents)
      .set({ withdrawnAt: new Date(), withdrawnBy: by })
      .where(and(eq(consents.workspaceId, workspaceId), eq(consents.purpose, purpose), isNull(consents.withdrawnAt)));
  }
}
