import type { FaultBook } from './faults';
import { shuffle } from './random';
import { asciiJson, signWebhook } from './signing';

/**
 * Leadgen webhook delivery as Meta does it (meta-platform.md §1): signed POSTs, several changes per POST when several
 * are waiting, at-least-once (duplicates), unordered, and retried on a non-2xx answer, a timeout or a refused
 * connection with growing delays for ~36 h, then dropped. Fast mode runs the same schedule in milliseconds.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Delay before each retry: an immediate retry, then 1 min, 5 min, 15 min, 1 h, 2 h, 4 h, 8 h, 16 h (≈ 31 h). */
export const RETRY_DELAYS_MS = [0, MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR];
/** The same number of attempts in fast mode: 10 ms × 2^n, capped at 2 s. */
export const FAST_RETRY_DELAYS_MS = RETRY_DELAYS_MS.map((_, n) => Math.min(10 * 2 ** n, 2000));

export interface WebhookSettings {
  webhookUrl: string | null;
  /** Most changes per POST when several are waiting. */
  batchSize: number;
  /** Share (0–1) of delivered POSTs that are sent a second time. */
  duplicateRate: number;
  /** Shuffle waiting changes and due deliveries. */
  reorder: boolean;
  /** POSTs in flight at once. */
  concurrency: number;
  /** Overrides the retry schedule (ms before each retry; attempts = length + 1). */
  retryDelaysMs: number[] | null;
}

export interface LeadgenChange {
  pageId: string;
  formId: string;
  leadgenId: string;
  adId: string | null;
  createdTime: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dropped' | 'gave_up';

export interface Delivery {
  id: string;
  leadgenIds: string[];
  pageIds: string[];
  /** The exact bytes sent (and signed), the same on every attempt. */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  /** HTTP status of the last attempt; null when it got no answer (refused, timeout). */
  lastStatus: number | null;
  lastError: string | null;
  duplicateOf: string | null;
  createdAt: number;
  lastAttemptAt: number | null;
  deliveredAt: number | null;
  nextAttemptAt: number | null;
}

export interface DeliveryView extends Omit<Delivery, 'createdAt' | 'lastAttemptAt' | 'deliveredAt' | 'nextAttemptAt'> {
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
}

export interface FlushResult {
  delivered: number;
  pending: number;
  dropped: number;
  gaveUp: number;
  /** False when the bounded wait ran out with deliveries still due. */
  settled: boolean;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class WebhookDispatcher {
  private waiting: LeadgenChange[] = [];
  private waitingSince: number | null = null;
  private deliveries: Delivery[] = [];
  private pending = new DueQueue();
  private inFlight = new Set<Delivery>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private abort = new AbortController();
  private generation = 0;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly deps: {
      appSecret: string;
      fast: boolean;
      random: () => number;
      faults: FaultBook;
      settings: () => WebhookSettings;
      log: (message: string, data?: Record<string, unknown>) => void;
    },
  ) {}

  enqueue(change: LeadgenChange): void {
    this.waiting.push(change);
    this.waitingSince ??= Date.now();
    this.schedule();
  }

  list(): DeliveryView[] {
    return this.deliveries.map((d) => ({
      ...d,
      leadgenIds: [...d.leadgenIds],
      pageIds: [...d.pageIds],
      createdAt: new Date(d.createdAt).toISOString(),
      lastAttemptAt: iso(d.lastAttemptAt),
      deliveredAt: iso(d.deliveredAt),
      nextAttemptAt: iso(d.nextAttemptAt),
    }));
  }

  /**
   * Waits (at most `timeoutMs`) until nothing is waiting, in flight or due. In fast mode every pending retry counts
   * as due (they all fall within seconds); otherwise retries scheduled for later stay pending.
   */
  async flush(timeoutMs = 20_000): Promise<FlushResult> {
    const deadline = Date.now() + timeoutMs;
    this.formDeliveries(true);
    this.pump();
    while (!this.settled() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      this.formDeliveries(true);
    }
    return { ...this.counts(), settled: this.settled() };
  }

  reset(): void {
    this.generation++;
    this.abort.abort();
    this.abort = new AbortController();
    this.waiting = [];
    this.waitingSince = null;
    this.deliveries = [];
    this.pending = new DueQueue();
    this.inFlight.clear();
    this.clearTimer();
  }

  close(): void {
    this.closed = true;
    this.reset();
  }

  private counts() {
    let delivered = 0;
    let dropped = 0;
    let gaveUp = 0;
    for (const d of this.deliveries) {
      if (d.status === 'delivered') delivered++;
      else if (d.status === 'dropped') dropped++;
      else if (d.status === 'gave_up') gaveUp++;
    }
    return { delivered, pending: this.pending.size + this.inFlight.size + this.waiting.length, dropped, gaveUp };
  }

  private settled(): boolean {
    if (this.waiting.length || this.inFlight.size) return false;
    if (this.deps.fast) return this.pending.size === 0;
    return (this.pending.peek()?.nextAttemptAt ?? Number.POSITIVE_INFINITY) > Date.now();
  }

  private delays(): number[] {
    return this.deps.settings().retryDelaysMs ?? (this.deps.fast ? FAST_RETRY_DELAYS_MS : RETRY_DELAYS_MS);
  }

  private batchWindowMs(): number {
    return this.deps.settings().batchSize > 1 ? (this.deps.fast ? 5 : 200) : 0;
  }

  /** Turns waiting changes into deliveries (POST bodies), once the batch window has passed or when forced. */
  private formDeliveries(force: boolean): void {
    if (!this.waiting.length || this.waitingSince === null) return;
    if (!force && Date.now() - this.waitingSince < this.batchWindowMs()) return;
    const { batchSize, reorder } = this.deps.settings();
    const items = reorder ? shuffle(this.waiting, this.deps.random) : this.waiting;
    this.waiting = [];
    this.waitingSince = null;
    const size = Math.max(1, batchSize);
    const now = Date.now();
    for (let i = 0; i < items.length; i += size) {
      const chunk = items.slice(i, i + size);
      const ids = chunk.map((c) => c.leadgenId);
      const pageIds = [...new Set(chunk.map((c) => c.pageId))];
      if (this.deps.faults.takeDrop(this.deps.random)) {
        const dropped = this.create(ids, pageIds, leadgenBody(chunk), null, null);
        dropped.status = 'dropped';
        this.deps.log('webhook dropped (fault)', { delivery: dropped.id, leadgenIds: ids });
      } else this.create(ids, pageIds, leadgenBody(chunk), null, now);
    }
  }

  /** A new delivery, queued for `dueAt` (null: never sent). */
  private create(
    leadgenIds: string[],
    pageIds: string[],
    body: string,
    duplicateOf: string | null,
    dueAt: number | null,
  ): Delivery {
    const now = Date.now();
    const delivery: Delivery = {
      id: String(this.nextId++),
      leadgenIds,
      pageIds,
      body,
      status: 'pending',
      attempts: 0,
      lastStatus: null,
      lastError: null,
      duplicateOf,
      createdAt: now,
      lastAttemptAt: null,
      deliveredAt: null,
      nextAttemptAt: dueAt,
    };
    this.deliveries.push(delivery);
    if (dueAt !== null) this.queue(delivery);
    return delivery;
  }

  /** Ties (same due time) break in creation order, or at random when reordering. */
  private queue(delivery: Delivery): void {
    const tie = this.deps.settings().reorder ? this.deps.random() : Number(delivery.id);
    this.pending.push(delivery, tie);
  }

  private pump(): void {
    if (this.closed) return;
    this.formDeliveries(false);
    const now = Date.now();
    const concurrency = Math.max(1, this.deps.settings().concurrency);
    while (
      this.inFlight.size < concurrency &&
      (this.pending.peek()?.nextAttemptAt ?? Number.POSITIVE_INFINITY) <= now
    ) {
      void this.attempt(this.pending.pop() as Delivery);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    let next = Number.POSITIVE_INFINITY;
    if (this.waitingSince !== null) next = this.waitingSince + this.batchWindowMs();
    if (this.inFlight.size < Math.max(1, this.deps.settings().concurrency)) {
      next = Math.min(next, this.pending.peek()?.nextAttemptAt ?? Number.POSITIVE_INFINITY);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    if (this.timer && this.timerAt <= next) return;
    this.clearTimer();
    this.timerAt = next;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, next - Date.now()),
    );
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const generation = this.generation;
    this.inFlight.add(delivery);
    delivery.attempts++;
    delivery.lastAttemptAt = Date.now();
    const url = this.deps.settings().webhookUrl;
    let status: number | null = null;
    let error: string | null = null;
    if (!url) error = 'no webhookUrl configured';
    else {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'facebookexternalua',
            ...signWebhook(delivery.body, this.deps.appSecret),
          },
          body: delivery.body,
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(this.deps.fast ? 1000 : 5000), this.abort.signal]),
        });
        await response.arrayBuffer();
        status = response.status;
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        error = err.name === 'TimeoutError' ? 'timeout' : (err.cause?.code ?? err.message);
      }
    }
    if (generation !== this.generation) return;
    this.inFlight.delete(delivery);
    delivery.lastStatus = status;
    delivery.lastError = error;
    const delays = this.delays();
    if (status !== null && status >= 200 && status < 300) {
      delivery.status = 'delivered';
      delivery.deliveredAt = Date.now();
      delivery.nextAttemptAt = null;
      if (!delivery.duplicateOf && this.deps.random() < this.deps.settings().duplicateRate) {
        const delay = this.deps.fast ? 5 : Math.floor(this.deps.random() * 2000);
        this.create(delivery.leadgenIds, delivery.pageIds, delivery.body, delivery.id, Date.now() + delay);
      }
    } else if (delivery.attempts > delays.length) {
      delivery.status = 'gave_up';
      delivery.nextAttemptAt = null;
      this.deps.log('webhook given up', { delivery: delivery.id, attempts: delivery.attempts, status, error });
    } else {
      delivery.nextAttemptAt = Date.now() + (delays[delivery.attempts - 1] ?? 0);
      this.queue(delivery);
      this.deps.log('webhook attempt failed', { delivery: delivery.id, attempt: delivery.attempts, status, error });
    }
    this.pump();
  }
}

/** `{"object":"page","entry":[…]}`: one entry per Page (in first-seen order), one `leadgen` change per lead. */
function leadgenBody(changes: LeadgenChange[]): string {
  const entries = new Map<string, { id: string; time: number; changes: unknown[] }>();
  const time = Math.floor(Date.now() / 1000);
  for (const c of changes) {
    let entry = entries.get(c.pageId);
    if (!entry) {
      entry = { id: c.pageId, time, changes: [] };
      entries.set(c.pageId, entry);
    }
    entry.changes.push({
      field: 'leadgen',
      value: {
        ...(c.adId ? { ad_id: c.adId } : {}),
        form_id: c.formId,
        leadgen_id: c.leadgenId,
        created_time: c.createdTime,
        page_id: c.pageId,
        ...(c.adId ? { adgroup_id: c.adId } : {}),
      },
    });
  }
  return asciiJson({ object: 'page', entry: [...entries.values()] });
}

/** Pending deliveries ordered by due time (a binary min-heap), so thousands of them cost log n per step. */
class DueQueue {
  private heap: { delivery: Delivery; at: number; tie: number }[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): Delivery | undefined {
    return this.heap[0]?.delivery;
  }

  push(delivery: Delivery, tie: number): void {
    const h = this.heap;
    h.push({ delivery, at: delivery.nextAttemptAt ?? 0, tie });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): Delivery | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (!top || !last) return undefined;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < h.length && this.less(l, smallest)) smallest = l;
        if (r < h.length && this.less(r, smallest)) smallest = r;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return top.delivery;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a] as { at: number; tie: number };
    const y = this.heap[b] as { at: number; tie: number };
    return x.at < y.at || (x.at === y.at && x.tie < y.tie);
  }

  private swap(a: number, b: number): void {
    const h = this.heap;
    [h[a], h[b]] = [h[b] as (typeof h)[number], h[a] as (typeof h)[number]];
  }
}
