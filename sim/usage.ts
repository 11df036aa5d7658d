import { GraphError } from './errors';

/** Calls per key over a rolling window, kept in fixed slots so memory stays flat under benchmarks. */
class RollingCounter {
  private readonly slots = new Map<string, Map<number, number>>();
  private readonly slotMs: number;

  constructor(
    private readonly windowMs: number,
    slotCount = 60,
  ) {
    this.slotMs = Math.max(1, Math.floor(windowMs / slotCount));
  }

  hit(key: string, now: number): void {
    const slot = Math.floor(now / this.slotMs);
    let counts = this.slots.get(key);
    if (!counts) {
      counts = new Map();
      this.slots.set(key, counts);
    }
    counts.set(slot, (counts.get(slot) ?? 0) + 1);
  }

  count(key: string, now: number): number {
    const counts = this.slots.get(key);
    if (!counts) return 0;
    const oldest = Math.floor((now - this.windowMs) / this.slotMs);
    let total = 0;
    for (const [slot, n] of counts) {
      if (slot <= oldest) counts.delete(slot);
      else total += n;
    }
    return total;
  }

  clear(): void {
    this.slots.clear();
  }
}

export interface UsageLimits {
  /** Calls per token per rolling hour before error 4 (`X-App-Usage` is the share used). */
  tokenCallsPerHour: number;
  /** LeadGen BUC: calls per Page per 24 h for each lead created in the past 90 days (Meta: 4800; at least 25 leads). */
  leadgenCallsPerLeadPerDay: number;
  /** Pages BUC: calls per Page per 24 h. */
  pageCallsPerDay: number;
  /** Ads BUC: calls per ad account per hour (Meta standard tier: 300 + 40 × active ads; we use insights' 600 + 400 ×). */
  adAccountCallsPerHour: number;
}

export const DEFAULT_LIMITS: UsageLimits = {
  tokenCallsPerHour: 200_000,
  leadgenCallsPerLeadPerDay: 4800,
  pageCallsPerDay: 4_800_000,
  adAccountCallsPerHour: 600 + 400 * 100,
};

export type BucType = 'pages' | 'leadgen' | 'ads_insights' | 'ads_management';

/** What a Graph call is counted against: the token (app usage) and, for BUC calls, one business object. */
export interface UsageSubject {
  tokenKey: string | null;
  buc: { objectId: string; type: BucType } | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Per-token and per-object call counters over rolling windows, turned into Meta's usage headers (percent of quota).
 * A counter at 100 % throttles for real (code 4 or the object's BUC code); normal use stays far below.
 */
export class UsageTracker {
  private readonly tokens = new RollingCounter(HOUR);
  private readonly pages = new RollingCounter(DAY, 96);
  private readonly accounts = new RollingCounter(HOUR);

  constructor(
    private readonly limits: UsageLimits,
    private readonly leadsInLast90Days: (pageId: string) => number,
  ) {}

  /** Counts the call; returns the headers for the answer, or a throttle error when a quota was already spent. */
  record(subject: UsageSubject, now: number): { headers: Record<string, string>; throttle: GraphError | null } {
    const headers: Record<string, string> = {};
    let throttle: GraphError | null = null;
    if (subject.tokenKey) {
      const before = this.tokens.count(subject.tokenKey, now);
      if (before >= this.limits.tokenCallsPerHour) {
        throttle = new GraphError(4, '(#4) Application request limit reached', { isTransient: true });
      }
      this.tokens.hit(subject.tokenKey, now);
      headers['x-app-usage'] = JSON.stringify(usage(percent(before + 1, this.limits.tokenCallsPerHour)));
    }
    if (subject.buc) {
      const { objectId, type } = subject.buc;
      const isAds = type === 'ads_insights' || type === 'ads_management';
      const counter = isAds ? this.accounts : this.pages;
      const key = `${objectId}:${type}`;
      const quota = this.quota(objectId, type);
      const before = counter.count(key, now);
      if (!throttle && before >= quota) {
        const code = { pages: 80001, leadgen: 80005, ads_insights: 80000, ads_management: 80004 }[type];
        throttle = new GraphError(code, `(#${code}) There have been too many calls from this business. Wait a bit.`, {
          isTransient: true,
        });
      }
      counter.hit(key, now);
      const pct = percent(before + 1, quota);
      const windowMinutes = isAds ? 60 : 24 * 60;
      headers['x-business-use-case-usage'] = JSON.stringify({
        [objectId]: [
          {
            type,
            ...usage(pct),
            estimated_time_to_regain_access: pct >= 100 ? windowMinutes : 0,
            ...(isAds ? { ads_api_access_tier: 'standard_access' } : {}),
          },
        ],
      });
    }
    return { headers, throttle };
  }

  clear(): void {
    this.tokens.clear();
    this.pages.clear();
    this.accounts.clear();
  }

  private quota(objectId: string, type: BucType): number {
    if (type === 'leadgen')
      // Floor of 25 leads so a fresh test Page is not throttled by its own setup calls.
      return this.limits.leadgenCallsPerLeadPerDay * Math.max(25, this.leadsInLast90Days(objectId));
    if (type === 'pages') return this.limits.pageCallsPerDay;
    return this.limits.adAccountCallsPerHour;
  }
}

const percent = (used: number, quota: number) => Math.min(100, Math.floor((100 * used) / Math.max(1, quota)));

// CPU and wall time track the call count at a plausible fraction, as in Meta's samples.
const usage = (pct: number) => ({
  call_count: pct,
  total_cputime: Math.floor(pct * 0.25),
  total_time: Math.floor(pct * 0.4),
});
