import type { GraphRequest, SimRuntime } from './context';
import { DEFAULT_VERSION } from './context';
import { errors } from './errors';

/** `2026-03-10T14:05:09+0000`, Meta's timestamp format. */
export const isoTime = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000');

/** The top-level names of a `fields` list (`a,b{c,d},e.limit(5)` → a, b, e); null when absent. */
export function parseFields(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const names: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of raw) {
    if (ch === '{' || ch === '(') depth++;
    if (ch === '}' || ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      names.push(current);
      current = '';
    } else current += ch;
  }
  names.push(current);
  return names.map((n) => n.trim().replace(/[{.(].*$/s, '')).filter(Boolean);
}

/** Fails with Meta's error for a field the node type does not have. */
export function checkFields(fields: string[] | null, known: readonly string[], nodeType: string): void {
  for (const f of fields ?? []) if (!known.includes(f)) throw errors.nonexistingField(f, nodeType);
}

export function parseLimit(raw: string | undefined, fallback = 25, max = 100): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw errors.invalidParameter('(#100) Param limit must be a non-negative integer');
  return Math.min(Math.max(n, 1), max);
}

type Key = readonly [number, number];

const encodeCursor = (key: Key) => Buffer.from(`sim:${key[0]}:${key[1]}`).toString('base64url');

function decodeCursor(cursor: string): Key {
  const match = /^sim:(-?\d+):(-?\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw errors.invalidParameter('(#100) Invalid cursor');
  return [Number(match[1]), Number(match[2])];
}

const compare = (a: Key, b: Key) => a[0] - b[0] || a[1] - b[1];

/**
 * Cursor paging over a sorted list (meta-platform.md §7): `{data, paging:{cursors:{before,after}, next?,
 * previous?}}`. Cursors name an item's sort key, so items added between two calls do not shift later pages.
 * `next` is a full URL on the simulator with the original parameters, `access_token` and `after`; absent on the
 * last page. An empty page has no `paging`.
 */
export function paginate<T>(
  req: GraphRequest,
  rt: SimRuntime,
  items: readonly T[],
  keyOf: (item: T) => Key,
  direction: 'asc' | 'desc',
  render: (item: T) => unknown,
  options: { defaultLimit?: number; maxLimit?: number } = {},
): { data: unknown[]; paging?: Record<string, unknown> } {
  const limit = parseLimit(req.params.limit, options.defaultLimit ?? 25, options.maxLimit ?? 100);
  // Position in list order: an item is "before" the cursor when it comes earlier in the list.
  const order = (a: Key, b: Key) => (direction === 'asc' ? compare(a, b) : compare(b, a));
  let start = 0;
  let end = items.length;
  if (req.params.after) {
    const cursor = decodeCursor(req.params.after);
    start = firstIndex(items, (item) => order(keyOf(item), cursor) > 0);
    end = Math.min(items.length, start + limit);
  } else if (req.params.before) {
    const cursor = decodeCursor(req.params.before);
    end = firstIndex(items, (item) => order(keyOf(item), cursor) >= 0);
    start = Math.max(0, end - limit);
  } else end = Math.min(items.length, limit);
  const slice = items.slice(start, end);
  if (!slice.length) return { data: [] };
  const before = encodeCursor(keyOf(slice[0] as T));
  const after = encodeCursor(keyOf(slice[slice.length - 1] as T));
  const paging: Record<string, unknown> = { cursors: { before, after } };
  if (end < items.length) paging.next = pageUrl(req, rt, limit, 'after', after);
  if (start > 0 && (req.params.after || req.params.before)) paging.previous = pageUrl(req, rt, limit, 'before', before);
  return { data: slice.map(render), paging };
}

/** First index where `pred` holds, for a predicate that is false then true along the list. */
function firstIndex<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(items[mid] as T)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function pageUrl(req: GraphRequest, rt: SimRuntime, limit: number, name: 'after' | 'before', cursor: string): string {
  const url = new URL(`${rt.baseUrl()}/${req.version ?? DEFAULT_VERSION}/${req.segments.join('/')}`);
  if (req.accessToken) url.searchParams.set('access_token', req.accessToken);
  for (const [k, v] of Object.entries(req.params)) {
    if (k !== 'access_token' && k !== 'after' && k !== 'before' && k !== 'limit') url.searchParams.set(k, v);
  }
  url.searchParams.set('limit', String(req.params.limit ?? limit));
  url.searchParams.set(name, cursor);
  return url.toString();
}
