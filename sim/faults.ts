import { z } from 'zod';

/** The faults of docs/meta-capture.md ("Faults"), as accepted by `POST /_sim/faults` and `sim.faults.add`. */
export const faultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('drop_webhooks'),
    count: z.number().int().positive().optional(),
    rate: z.number().min(0).max(1).optional(),
  }),
  z.object({
    kind: z.literal('fail_graph'),
    count: z.number().int().positive(),
    code: z.number().int().optional(),
    subcode: z.number().int().optional(),
    path: z.string().optional(),
    message: z.string().optional(),
    httpStatus: z.number().int().min(400).max(599).optional(),
  }),
  z.object({
    kind: z.literal('throttle'),
    count: z.number().int().positive(),
    code: z.union([z.literal(4), z.literal(17), z.literal(32), z.literal(80004), z.literal(80005)]),
    path: z.string().optional(),
  }),
  z.object({
    kind: z.literal('slow'),
    ms: z.number().int().min(0).max(600_000),
    count: z.number().int().positive().optional(),
    path: z.string().optional(),
  }),
  z.object({ kind: z.literal('expire_token'), token: z.string().optional(), userId: z.string().optional() }),
  z.object({ kind: z.literal('invalidate_page_tokens'), pageId: z.string() }),
  z.object({ kind: z.literal('revoke_scope'), userId: z.string().optional(), scope: z.string().min(1) }),
  z.object({ kind: z.literal('deny_oauth'), count: z.number().int().positive().optional() }),
  z.object({
    kind: z.literal('decline_scopes'),
    scopes: z.array(z.string().min(1)).min(1),
    count: z.number().int().positive().optional(),
  }),
]);

export type Fault = z.infer<typeof faultSchema>;
export type FaultKind = Fault['kind'];
export const FAULT_KINDS = faultSchema.options.map((o) => o.shape.kind.value) as [FaultKind, ...FaultKind[]];

/** Faults that change the world at once (tokens, grants) instead of waiting for the next call. */
export const IMMEDIATE_FAULTS: readonly FaultKind[] = ['expire_token', 'invalidate_page_tokens', 'revoke_scope'];

export interface ActiveFault {
  id: number;
  fault: Fault;
  /** Uses left; null = until cleared. */
  remaining: number | null;
  used: number;
}

type Of<K extends FaultKind> = Extract<Fault, { kind: K }>;

/** The pending counted faults, consumed in the order they were added. */
export class FaultBook {
  private active: ActiveFault[] = [];
  private nextId = 1;

  add(fault: Fault): ActiveFault {
    const remaining =
      fault.kind === 'drop_webhooks'
        ? (fault.count ?? (fault.rate === undefined ? 1 : null))
        : fault.kind === 'slow'
          ? (fault.count ?? null)
          : fault.kind === 'deny_oauth' || fault.kind === 'decline_scopes'
            ? (fault.count ?? 1)
            : 'count' in fault && typeof fault.count === 'number'
              ? fault.count
              : 1;
    const entry: ActiveFault = { id: this.nextId++, fault, remaining, used: 0 };
    this.active.push(entry);
    return entry;
  }

  clear(kind?: FaultKind): void {
    this.active = kind ? this.active.filter((f) => f.fault.kind !== kind) : [];
  }

  list(): ActiveFault[] {
    return this.active.map((f) => ({ ...f }));
  }

  /** The next Graph failure (fail_graph or throttle) whose `path` filter matches. */
  takeGraphFailure(path: string): Of<'fail_graph'> | Of<'throttle'> | null {
    const entry = this.active.find(
      (f) => (f.fault.kind === 'fail_graph' || f.fault.kind === 'throttle') && matches(f.fault.path, path),
    );
    if (!entry) return null;
    this.use(entry);
    return entry.fault as Of<'fail_graph'> | Of<'throttle'>;
  }

  /** Milliseconds to hold this Graph answer. */
  takeSlow(path: string): number {
    const entry = this.active.find((f) => f.fault.kind === 'slow' && matches(f.fault.path, path));
    if (!entry) return 0;
    this.use(entry);
    return (entry.fault as Of<'slow'>).ms;
  }

  /** Whether the delivery about to be formed is dropped (a `rate` draws; a bare `count` always drops). */
  takeDrop(random: () => number): boolean {
    for (const entry of this.active) {
      if (entry.fault.kind !== 'drop_webhooks') continue;
      const rate = entry.fault.rate ?? 1;
      if (random() < rate) {
        this.use(entry);
        return true;
      }
      return false;
    }
    return false;
  }

  takeDialog(): { deny: boolean; decline: string[] } {
    const deny = this.active.find((f) => f.fault.kind === 'deny_oauth');
    if (deny) {
      this.use(deny);
      return { deny: true, decline: [] };
    }
    const decline = this.active.find((f) => f.fault.kind === 'decline_scopes');
    if (decline) {
      this.use(decline);
      return { deny: false, decline: (decline.fault as Of<'decline_scopes'>).scopes };
    }
    return { deny: false, decline: [] };
  }

  private use(entry: ActiveFault): void {
    entry.used++;
    if (entry.remaining !== null) {
      entry.remaining--;
      if (entry.remaining <= 0) this.active = this.active.filter((f) => f !== entry);
    }
  }
}

const matches = (filter: string | undefined, path: string) => !filter || path.includes(filter);
