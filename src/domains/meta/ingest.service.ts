import type { Db, DbOrTx } from '../../db/client';
import type { JobQueue } from '../../jobs/queue';
import { chunks } from '../../lib/chunks';
import { GroupCommit } from '../../lib/group-commit';
import { newId } from '../../lib/ids';
import type { Logger } from '../../lib/logger';
import { parseMetaTime } from './lead-mapping';
import { CAPTURE_BATCH_MAX, metaCaptureBatch, metaInbound } from './meta.jobs';
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

/** Drains whatever a crash left undrained (a process gone before its trailing `meta.inbound`, a dead-lettered job). */
export const META_INBOUND_SWEEP_CRON = '* * * * *';

/** Events fanned out per transaction. */
const DRAIN_BATCH = 200;
/**
 * At most one `meta.inbound` job per this many milliseconds from one process while webhooks keep coming (the drain
 * empties the whole backlog, whichever job started it): the longest a stored body waits for its drain to start.
 */
export const INBOUND_JOB_INTERVAL_MS = 50;

/**
 * The first two steps of capture. A signed webhook body is stored durably before Meta is answered: the stored
 * `received` row is the work item, so an acknowledged event is never lost. Concurrent webhooks share one transaction
 * (group commit: while one batch commits, the next gathers; no timer), which is what lets one server acknowledge
 * thousands per second. `meta.inbound` then drains stored bodies in batches into one capture per (workspace, lead).
 *
 * Its job is coalesced rather than sent per batch (a pg-boss job per batch, with its NOTIFY, fetch and completion, cost
 * about as much database work as the webhooks themselves): a batch whose job would follow another sent less than
 * `INBOUND_JOB_INTERVAL_MS` ago sends none, and once that interval has passed one job is sent for every such batch
 * (in the next batch's transaction, or on its own if none comes). Every stored body therefore has a drain starting
 * after its commit, within the interval. The first batch after a quiet spell still sends its job in its own
 * transaction. A process that stops before its trailing job leaves rows the per-minute sweep (and every worker's
 * start) drains, as it does for a job lost with a dead-lettered retry.
 */
export class MetaIngestService {
  /** One batch at a time (the coalescing below relies on batches committing in the order they were written). */
  private readonly batch: GroupCommit<string>;
  /** When the last `meta.inbound` job sent from here committed (ms, `performance.now()`). */
  private lastJobAt = Number.NEGATIVE_INFINITY;
  /** A batch committed without its job, and no job has been sent since. */
  private owed = false;
  private trailing: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: { db: Db; repo: MetaRepository; queue: JobQueue; log: Logger },
    private readonly jobIntervalMs = INBOUND_JOB_INTERVAL_MS,
  ) {
    this.batch = new GroupCommit<string>(
      async (bodies) => {
        const { db, repo, queue } = this.deps;
        const rows = bodies.map((body) => ({ id: newId(), body }));
        const withJob = performance.now() - this.lastJobAt >= this.jobIntervalMs;
        if (withJob) {
          await db.transaction(async (tx) => {
            await repo.insertEvents(tx, rows);
            await queue.send(metaInbound, {}, { tx });
          });
          // Committed after every batch before it: its drain covers them too.
          this.lastJobAt = performance.now();
          this.owed = false;
          queue.wake(metaInbound);
        } else {
          // One statement is its own transaction: no BEGIN and COMMIT round trips.
          await repo.insertEvents(db, rows);
          this.owed = true;
          this.scheduleTrailingJob();
        }
        return bodies.map(() => undefined);
      },
      500,
      1,
    );
  }

  /** Stores a verified body; the caller answers Meta once this resolves (processing follows, see above). */
  receive(body: string): Promise<void> {
    return this.batch.submit(body);
  }

  private scheduleTrailingJob(): void {
    if (this.trailing) return;
    const wait = Math.max(0, this.lastJobAt + this.jobIntervalMs - performance.now());
    this.trailing = setTimeout(() => {
      this.trailing = null;
      if (!this.owed) return;
      this.owed = false;
      this.lastJobAt = performance.now();
      this.deps.queue.send(metaInbound, {}).then(
        () => this.deps.queue.wake(metaInbound),
        (error: unknown) =>
          // The rows are stored: the sweep drains them within a minute.
          this.deps.log.warn({ err: error }, 'meta.inbound could not be enqueued; the sweep will drain the webhooks'),
      );
    }, wait);
    // Never what keeps a stopping process alive: the sweep covers what it would have sent.
    this.trailing.unref();
  }

  /**
   * `meta.inbound`: fans the stored bodies out, oldest first, until none is left. Each capture row is inserted once
   * (`on conflict do nothing`) whatever the duplicates, and queued in the same transaction: one `meta.capture_batch`
   * job per 200 new captures.
   */
  async drain(): Promise<void> {
    for (;;) {
      const { events, queued } = await this.deps.db.transaction((tx) => this.fanOutBatch(tx));
      if (queued > 0) this.deps.queue.wake(metaCaptureBatch);
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
    const inserted = await repo.insertCaptures(tx, rows);
    // One job for the batch's captures, not one per lead: the queue's own writes would cost more than the capture.
    await queue.sendMany(
      metaCaptureBatch,
      chunks(inserted, CAPTURE_BATCH_MAX).map((chunk) => ({
        captures: chunk.map((r) => ({ workspaceId: r.workspaceId, leadgenId: r.leadgenId })),
      })),
      { tx },
    );
    await repo.markEvents(tx, processed, 'processed');
    await repo.markEvents(tx, ignored, 'ignored');
    return { events: events.length, queued: inserted.length };
  }
}
