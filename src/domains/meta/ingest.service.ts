import type { Db, DbOrTx } from '../../db/client';
import type { JobQueue } from '../../jobs/queue';
import { GroupCommit } from '../../lib/group-commit';
import { newId } from '../../lib/ids';
import type { Logger } from '../../lib/logger';
import { parseMetaTime } from './lead-mapping';
import { metaCapture, metaInbound } from './meta.jobs';
import type { MetaCaptureInsert, MetaRepository } from './meta.repository';

/** One lead announced by a `leadgen` webhook change (ids only: the answers need an authorised GET). */
export interface LeadgenChange {
  pageId: string;
  leadgenId: string;
  formId: string | null;
  adId: string | null;
  createdTime: Date | null;
}

const META_ID = /^\d{1,40}$/;
const idOf = (v: unknown): string | null => {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  return typeof s === 'string' && META_ID.test(s) ? s : null;
};

/**
 * Every `leadgen` change of a webhook body, whatever the batching (several entries, several changes each). Other
 * fields (Messenger, feed…) and malformed items are skipped: they are not leads.
 */
export function leadgenChanges(body: unknown): LeadgenChange[] {
  const out: LeadgenChange[] = [];
  const entries = (body as { entry?: unknown } | null)?.entry;
  if (!Array.isArray(entries)) return out;
  for (const entry of entries) {
    const changes = (entry as { changes?: unknown } | null)?.changes;
    if (!Array.isArray(changes)) continue;
    for (const change of changes) {
      const c = change as { field?: unknown; value?: Record<string, unknown> } | null;
      if (c?.field !== 'leadgen' || !c.value || typeof c.value !== 'object') continue;
      const v = c.value;
      const leadgenId = idOf(v.leadgen_id);
      const pageId = idOf(v.page_id) ?? idOf((entry as { id?: unknown }).id);
      if (!leadgenId || !pageId) continue;
      out.push({
        pageId,
        leadgenId,
        formId: idOf(v.form_id),
        adId: idOf(v.ad_id) ?? idOf(v.adgroup_id),
        createdTime: parseMetaTime(v.created_time),
      });
    }
  }
  return out;
}

/** Drains whatever a crash between a webhook's insert and its enqueue left behind. */
export const META_INBOUND_SWEEP_CRON = '* * * * *';

/** Events fanned out per transaction. */
const DRAIN_BATCH = 200;
/**
 * The first two steps of capture. A signed webhook body is stored and its processing job enqueued in one
 * transaction, and Meta is answered only once that has committed, so an acknowledged event is never lost. Concurrent
 * webhooks share that transaction (group commit: while one batch commits, the next gathers; no timer), which is what
 * lets one server acknowledge thousands per second. `meta.inbound` then drains stored bodies in batches into one
 * capture per (workspace, lead); a per-minute sweep drains anything whose job was lost with a dead-lettered retry.
 */
export class MetaIngestService {
  private readonly batch: GroupCommit<string>;

  constructor(private readonly deps: { db: Db; repo: MetaRepository; queue: JobQueue; log: Logger }) {
    this.batch = new GroupCommit<string>(async (bodies) => {
      await this.deps.db.transaction(async (tx) => {
        await this.deps.repo.insertEvents(
          tx,
          bodies.map((body) => ({ id: newId(), body })),
        );
        await this.deps.queue.send(metaInbound, {}, { tx });
      });
      this.deps.queue.wake(metaInbound);
      return bodies.map(() => undefined);
    });
  }

  /** Stores a verified body with its processing job; the caller answers Meta once this resolves. */
  receive(body: string): Promise<void> {
    return this.batch.submit(body);
  }

  /**
   * `meta.inbound`: fans the stored bodies out, oldest first, until none is left. Each capture row is inserted once
   * (`on conflict do nothing`) whatever the duplicates, and gets its `meta.capture` job in the same transaction.
   */
  async drain(): Promise<void> {
    for (;;) {
      const { events, queued } = await this.deps.db.transaction((tx) => this.fanOutBatch(tx));
      if (queued > 0) this.deps.queue.wake(metaCapture);
      if (events < DRAIN_BATCH) return;
    }
  }

  private async fanOutBatch(tx: DbOrTx): Promise<{ events: number; queued: number }> {
    const { repo, queue } = this.deps;
    const events = await repo.claimEvents(tx, DRAIN_BATCH);
    if (events.length === 0) return { events: 0, queued: 0 };
    const perEvent = events.map((event) => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(event.body);
      } catch {
        // The signature was valid, so Meta sent it; nothing in it can be read as a lead.
      }
      return { id: event.id, changes: leadgenChanges(parsed) };
    });
    const pageIds = new Set(perEvent.flatMap((e) => e.changes.map((c) => c.pageId)));
    const pages = await repo.pagesByPageIds(tx, [...pageIds]);
    const rows: MetaCaptureInsert[] = [];
    const processed: string[] = [];
    const ignored: string[] = [];
    const receivedAt = new Date();
    for (const event of perEvent) {
      let known = false;
      for (const change of event.changes) {
        for (const page of pages) {
          if (page.pageId !== change.pageId) continue;
          known = true;
          rows.push({
            workspaceId: page.workspaceId,
            leadgenId: change.leadgenId,
            pageRowId: page.id,
            formId: change.formId,
            adId: change.adId,
            via: 'webhook',
            createdTime: change.createdTime,
            receivedAt,
          });
        }
      }
      (known ? processed : ignored).push(event.id);
    }
    const inserted = await repo.insertCaptures(tx, dedupeRows(rows));
    await queue.sendMany(
      metaCapture,
      inserted.map((r) => ({ workspaceId: r.workspaceId, leadgenId: r.leadgenId })),
      { tx },
    );
    await repo.markEvents(tx, processed, 'processed');
    await repo.markEvents(tx, ignored, 'ignored');
    return { events: events.length, queued: inserted.length };
  }
}

/** A batch may name one lead twice (Meta retries inside one POST); one row per key keeps the insert valid. */
function dedupeRows(rows: MetaCaptureInsert[]): MetaCaptureInsert[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.workspaceId}|${r.leadgenId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
