import { createHash } from 'node:crypto';
import { appSecretProof } from './signatures';

/**
 * What a caller should do about a failed Graph call (meta-platform.md §7):
 * - `auth_expired`: the token is dead (190/102): mark the connection for reconnection, keep the work for later;
 * - `permission`: a scope or Page role is missing (10, 200–299): the same, the admin must grant it again;
 * - `rate_limited`: back off for `retryAfterMs` (Meta's estimate when it gave one);
 * - `transient`: retry with backoff (network errors, timeouts, 5xx, codes 1/2);
 * - `rejected`: retrying will not help (unknown object, invalid parameter).
 */
export type GraphErrorKind = 'auth_expired' | 'permission' | 'rate_limited' | 'transient' | 'rejected';

export class GraphError extends Error {
  constructor(
    readonly kind: GraphErrorKind,
    message: string,
    readonly code: number | null = null,
    readonly subcode: number | null = null,
    /** How long to wait before trying again (rate limits and transient errors). */
    readonly retryAfterMs: number | null = null,
    readonly httpStatus: number | null = null,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 341, 613]);
const isBucCode = (code: number) => code >= 80000 && code <= 80014;

export function classifyGraphError(code: number | null, httpStatus: number | null): GraphErrorKind {
  if (code === null) return httpStatus !== null && httpStatus < 500 ? 'rejected' : 'transient';
  if (code === 190 || code === 102) return 'auth_expired';
  if (RATE_LIMIT_CODES.has(code) || isBucCode(code)) return 'rate_limited';
  if (code === 10 || (code >= 200 && code <= 299)) return 'permission';
  if (code === 1 || code === 2 || code === 368) return 'transient';
  return 'rejected';
}

interface UsageEntry {
  call_count?: number;
  total_cputime?: number;
  total_time?: number;
  estimated_time_to_regain_access?: number;
}

/** The highest quota use (percent) and longest regain estimate (ms) in Meta's usage headers. */
export function readUsageHeaders(headers: Headers): { percent: number; regainMs: number } {
  let percent = 0;
  let regainMs = 0;
  const consider = (u: UsageEntry) => {
    percent = Math.max(percent, u.call_count ?? 0, u.total_cputime ?? 0, u.total_time ?? 0);
    regainMs = Math.max(regainMs, (u.estimated_time_to_regain_access ?? 0) * 60_000);
  };
  for (const name of ['x-app-usage', 'x-page-usage', 'x-ad-account-usage']) {
    const raw = headers.get(name);
    if (!raw) continue;
    try {
      consider(JSON.parse(raw) as UsageEntry);
    } catch {
      /* a malformed header tells us nothing */
    }
  }
  const buc = headers.get('x-business-use-case-usage');
  if (buc) {
    try {
      for (const entries of Object.values(JSON.parse(buc) as Record<string, UsageEntry[]>)) {
        for (const e of entries ?? []) consider(e);
      }
    } catch {
      /* ignore */
    }
  }
  return { percent, regainMs };
}

export interface GraphClientOptions {
  graphUrl: string;
  version: string;
  appId: string;
  appSecret: string;
  /** Per-call timeout. */
  timeoutMs?: number;
  /** The longest a throttled bucket stays paused, whatever Meta estimates (default: one hour). */
  maxPauseMs?: number;
}

export interface GraphPage<T> {
  data: T[];
  paging?: { cursors?: { before?: string; after?: string }; next?: string; previous?: string };
}

type Params = Record<string, string | number | boolean | undefined>;

/** Above this share of a quota we pause the bucket ourselves instead of waiting for Meta to refuse us. */
const SELF_THROTTLE_PERCENT = 90;
const SELF_THROTTLE_MS = 60_000;

/**
 * Meta's Graph API over HTTP: `appsecret_proof` on every call with a token, Meta's error objects turned into
 * `GraphError`s, and per-token pauses that honour the throttling headers (no call is made while a bucket is paused).
 */
export class GraphClient {
  private readonly pausedUntil = new Map<string, number>();

  constructor(private readonly options: GraphClientOptions) {}

  get version() {
    return this.options.version;
  }

  /** The app access token (`{app-id}|{app-secret}`) for debug_token and app-level calls. */
  get appToken() {
    return `${this.options.appId}|${this.options.appSecret}`;
  }

  url(path: string, params: Params = {}): string {
    const base = this.options.graphUrl.replace(/\/$/, '');
    const url = new URL(`${base}/${this.options.version}/${path.replace(/^\//, '')}`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  get<T>(path: string, params: Params, token: string | null): Promise<T> {
    return this.request<T>('GET', this.url(path, params), token);
  }

  post<T>(path: string, params: Params, token: string | null): Promise<T> {
    return this.request<T>('POST', this.url(path, params), token);
  }

  delete<T>(path: string, params: Params, token: string | null): Promise<T> {
    return this.request<T>('DELETE', this.url(path, params), token);
  }

  /** Follows `paging.next` from a first page until Meta gives no more; yields each page's items. */
  async *pages<T>(path: string, params: Params, token: string | null): AsyncGenerator<T[]> {
    let next: string | undefined = this.url(path, params);
    while (next) {
      const page: GraphPage<T> = await this.request<GraphPage<T>>('GET', next, token);
      yield page.data ?? [];
      next = page.paging?.next;
    }
  }

  /** One call. `url` may be a `paging.next` link (which already carries the token); ours are added again safely. */
  async request<T>(method: string, rawUrl: string, token: string | null): Promise<T> {
    const url = new URL(rawUrl);
    const bucket = token ? createHash('sha256').update(token).digest('hex').slice(0, 16) : 'app';
    const paused = this.pausedUntil.get(bucket);
    if (paused && paused > Date.now()) {
      throw new GraphError('rate_limited', 'Paused: Meta asked us to slow down', null, null, paused - Date.now());
    }
    if (token) {
      url.searchParams.set('access_token', token);
      url.searchParams.set('appsecret_proof', appSecretProof(token, this.options.appSecret));
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'could not be reached';
      throw new GraphError('transient', `The Graph API ${reason}`, null, null, null, null);
    }
    const usage = readUsageHeaders(response.headers);
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    const error = (body as { error?: Record<string, unknown> } | null)?.error;
    if (!response.ok || error) {
      const code = typeof error?.code === 'number' ? error.code : null;
      const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : null;
      const kind = classifyGraphError(code, response.status);
      const message = typeof error?.message === 'string' ? error.message : `Graph API answered ${response.status}`;
      let retryAfterMs: number | null = null;
      if (kind === 'rate_limited') {
        retryAfterMs = this.capPause(usage.regainMs || SELF_THROTTLE_MS);
        this.pausedUntil.set(bucket, Date.now() + retryAfterMs);
      }
      throw new GraphError(kind, message, code, subcode, retryAfterMs, response.status);
    }
    if (usage.percent >= SELF_THROTTLE_PERCENT) {
      this.pausedUntil.set(bucket, Date.now() + this.capPause(Math.max(usage.regainMs, SELF_THROTTLE_MS)));
    }
    return body as T;
  }

  private capPause(ms: number): number {
    return Math.min(ms, this.options.maxPauseMs ?? 3_600_000);
  }
}
