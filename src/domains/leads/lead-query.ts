import { and, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { leads } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { FieldSpec } from '../fields/field-values';

/**
 * The leads query language shared by the list, saved views, bulk actions and export: a search text, filters on any
 * built-in or custom field, one sort, keyset cursors. `compileLeadQuery` turns it into SQL scoped to one workspace.
 */
export const FILTER_OPS = [
  'eq',
  'neq',
  'in',
  'nin',
  'contains',
  'not_contains',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'is_empty',
  'is_not_empty',
] as const;

export const leadFilterSchema = z.object({
  /** A built-in field (`stage_id`, `owner_id`, `created_at`, `source`, `tags` …) or `custom.<key>`. */
  field: z.string().min(1).max(100),
  op: z.enum(FILTER_OPS),
  value: z.unknown().optional(),
});

export const leadSortSchema = z.object({
  field: z.string().min(1).max(100).default('created_at'),
  direction: z.enum(['asc', 'desc']).default('desc'),
});

export const leadQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  filters: z.array(leadFilterSchema).max(30).default([]),
  sort: leadSortSchema.default({ field: 'created_at', direction: 'desc' }),
});

export type LeadFilter = z.infer<typeof leadFilterSchema>;
export type LeadQuery = z.infer<typeof leadQuerySchema>;

type Kind = 'text' | 'uuid' | 'datetime' | 'number' | 'tags';

interface BuiltIn {
  column: PgColumn;
  kind: Kind;
  notNull: boolean;
}

/** Built-in fields by API name. */
export const BUILT_IN_FIELDS: Record<string, BuiltIn> = {
  created_at: { column: leads.createdAt, kind: 'datetime', notNull: true },
  updated_at: { column: leads.updatedAt, kind: 'datetime', notNull: true },
  stage_changed_at: { column: leads.stageChangedAt, kind: 'datetime', notNull: true },
  name: { column: leads.name, kind: 'text', notNull: true },
  email: { column: leads.email, kind: 'text', notNull: false },
  phone: { column: leads.phone, kind: 'text', notNull: false },
  source: { column: leads.source, kind: 'text', notNull: true },
  external_id: { column: leads.externalId, kind: 'text', notNull: false },
  pipeline_id: { column: leads.pipelineId, kind: 'uuid', notNull: true },
  stage_id: { column: leads.stageId, kind: 'uuid', notNull: true },
  owner_id: { column: leads.ownerId, kind: 'uuid', notNull: false },
  contact_id: { column: leads.contactId, kind: 'uuid', notNull: true },
  value: { column: leads.value, kind: 'number', notNull: false },
  currency: { column: leads.currency, kind: 'text', notNull: false },
  form_id: { column: leads.formId, kind: 'text', notNull: false },
  form_name: { column: leads.formName, kind: 'text', notNull: false },
  campaign_id: { column: leads.campaignId, kind: 'text', notNull: false },
  campaign_name: { column: leads.campaignName, kind: 'text', notNull: false },
  adset_id: { column: leads.adsetId, kind: 'text', notNull: false },
  adset_name: { column: leads.adsetName, kind: 'text', notNull: false },
  ad_id: { column: leads.adId, kind: 'text', notNull: false },
  ad_name: { column: leads.adName, kind: 'text', notNull: false },
  platform: { column: leads.platform, kind: 'text', notNull: false },
  tags: { column: leads.tags, kind: 'tags', notNull: true },
};

export interface CompiledQuery {
  where: SQL;
  orderBy: SQL[];
  /** The sort expression (what `orderBy` sorts on). */
  sortExpr: SQL;
  /**
   * Select this as `sort_value`: the last row's value makes the next cursor (`encodeCursor(sort_value, id)`). Times are
   * rendered as text with microseconds, because a JS Date keeps only milliseconds and a cursor rounded to the
   * millisecond would skip rows created within the same millisecond.
   */
  cursorValueExpr: SQL;
  notNullSort: boolean;
  direction: 'asc' | 'desc';
}

const invalid = (message: string) =>
  new AppError('validation_failed', message, { details: [{ path: 'filters', message }] });

/** Resolves a field name to its SQL expression and kind; custom fields are cast by their declared type. */
function resolveField(
  name: string,
  fields: FieldSpec[],
): { expr: SQL; kind: Kind; notNull: boolean; customKey?: string; customType?: FieldSpec['type'] } {
  const builtIn = BUILT_IN_FIELDS[name];
  if (builtIn) return { expr: sql`${builtIn.column}`, kind: builtIn.kind, notNull: builtIn.notNull };
  if (name.startsWith('custom.')) {
    const key = name.slice('custom.'.length);
    const field = fields.find((f) => f.key === key);
    if (!field) throw invalid(`There is no custom field "${key}".`);
    const text = sql`(${leads.custom} ->> ${key})`;
    const custom = { notNull: false, customKey: key, customType: field.type };
    switch (field.type) {
      case 'number':
      case 'currency':
        return { expr: sql`(${text})::numeric`, kind: 'number', ...custom };
      case 'datetime':
      case 'date':
        // ISO strings sort and compare correctly as text.
        return { expr: text, kind: 'text', ...custom };
      case 'multi_select':
        return { expr: sql`(${leads.custom} -> ${key})`, kind: 'tags', ...custom };
      default:
        return { expr: text, kind: 'text', ...custom };
    }
  }
  throw invalid(`Unknown field "${name}".`);
}

function literal(kind: Kind, value: unknown, field: string): unknown {
  if (value === null || value === undefined) throw invalid(`The filter on ${field} needs a value.`);
  switch (kind) {
    case 'number': {
      const n = Number(value);
      if (!Number.isFinite(n)) throw invalid(`The filter on ${field} needs a number.`);
      return n;
    }
    case 'datetime': {
      const d = new Date(String(value));
      // PostgreSQL has no year 0; out-of-range dates would fail in the database instead of here.
      if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1 || d.getUTCFullYear() > 9999) {
        throw invalid(`The filter on ${field} needs a date.`);
      }
      return d;
    }
    case 'uuid':
      if (!/^[0-9a-f-]{36}$/i.test(String(value))) throw invalid(`The filter on ${field} needs an id.`);
      return String(value);
    default:
      return String(value);
  }
}

function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 500) {
    throw invalid(`The filter on ${field} needs a list of 1 to 500 values.`);
  }
  return value;
}

/** A checkbox is stored as a JSON boolean, so its equality must compare booleans, not the text "true". */
function checkboxValue(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  const s = String(value).toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  throw invalid(`The filter on ${field} needs true or false.`);
}

function compileFilter(filter: LeadFilter, fields: FieldSpec[]): SQL {
  const { expr, kind, customKey, customType } = resolveField(filter.field, fields);
  const v = filter.value;
  const name = filter.field;
  const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');
  // Pattern matching works on text; ids, numbers and times are matched on their text form.
  const textExpr = kind === 'text' ? expr : sql`(${expr})::text`;
  if (kind === 'tags') {
    const needsValues = filter.op !== 'is_empty' && filter.op !== 'is_not_empty';
    const values = !needsValues
      ? []
      : (Array.isArray(v) ? v : [v]).filter((x) => x !== null && x !== undefined).map(String);
    if (needsValues && (values.length === 0 || values.length > 500)) {
      throw invalid(`The filter on ${name} needs 1 to 500 values.`);
    }
    // Built-in tags are text[]; a multi-select custom field is a jsonb array.
    const isJson = customKey !== undefined;
    // One parameter per element: drizzle expands a JS array inside `sql` into a list, not into one array value.
    const array = (xs: string[]) =>
      sql`array[${sql.join(
        xs.map((x) => sql`${x}`),
        sql`, `,
      )}]::text[]`;
    const contains = (xs: string[]) =>
      isJson ? sql`${expr} @> ${JSON.stringify(xs)}::jsonb` : sql`${expr} @> ${array(xs)}`;
    const overlaps = (xs: string[]) => (isJson ? sql`${expr} ?| ${array(xs)}` : sql`${expr} && ${array(xs)}`);
    switch (filter.op) {
      case 'contains':
      case 'eq':
        return contains(values);
      case 'in':
        return overlaps(values);
      case 'not_contains':
      case 'neq':
      case 'nin':
        return sql`not coalesce(${overlaps(values)}, false)`;
      case 'is_empty':
        return isJson ? sql`coalesce(jsonb_array_length(${expr}), 0) = 0` : sql`cardinality(${expr}) = 0`;
      case 'is_not_empty':
        return isJson ? sql`jsonb_array_length(${expr}) > 0` : sql`cardinality(${expr}) > 0`;
      default:
        throw invalid(`"${filter.op}" does not apply to ${name}.`);
    }
  }
  switch (filter.op) {
    case 'eq':
      // Equality on a custom text or choice field goes through the jsonb containment index.
      if (customKey && kind === 'text') {
        if (v === null || v === undefined) throw invalid(`The filter on ${name} needs a value.`);
        const typed = customType === 'checkbox' ? checkboxValue(v, name) : String(v);
        return sql`${leads.custom} @> ${JSON.stringify({ [customKey]: typed })}::jsonb`;
      }
      if (kind === 'text' && !customKey && typeof v === 'string') return sql`lower(${expr}) = lower(${v})`;
      return sql`${expr} = ${literal(kind, v, name)}`;
    case 'neq':
      if (customKey && customType === 'checkbox') {
        const typed = checkboxValue(v, name);
        return sql`not coalesce(${leads.custom} @> ${JSON.stringify({ [customKey]: typed })}::jsonb, false)`;
      }
      if (kind === 'text' && !customKey && typeof v === 'string')
        return sql`lower(${expr}) is distinct from lower(${v})`;
      return sql`${expr} is distinct from ${literal(kind, v, name)}`;
    case 'in':
      return sql`${expr} in (${sql.join(
        list(v, name).map((x) => sql`${literal(kind, x, name)}`),
        sql`, `,
      )})`;
    case 'nin':
      return sql`(${expr} is null or ${expr} not in (${sql.join(
        list(v, name).map((x) => sql`${literal(kind, x, name)}`),
        sql`, `,
      )}))`;
    case 'contains':
      return sql`${textExpr} ilike ${`%${escapeLike(String(v ?? ''))}%`}`;
    case 'not_contains':
      return sql`(${expr} is null or ${textExpr} not ilike ${`%${escapeLike(String(v ?? ''))}%`})`;
    case 'gt':
      return sql`${expr} > ${literal(kind, v, name)}`;
    case 'gte':
      return sql`${expr} >= ${literal(kind, v, name)}`;
    case 'lt':
      return sql`${expr} < ${literal(kind, v, name)}`;
    case 'lte':
      return sql`${expr} <= ${literal(kind, v, name)}`;
    case 'between': {
      const [from, to] = Array.isArray(v) && v.length === 2 ? v : [];
      if (from === undefined || to === undefined) throw invalid(`"between" on ${name} needs [from, to].`);
      const parts: SQL[] = [];
      if (from !== null) parts.push(sql`${expr} >= ${literal(kind, from, name)}`);
      if (to !== null) parts.push(sql`${expr} <= ${literal(kind, to, name)}`);
      return parts.length ? and(...parts)! : sql`true`;
    }
    case 'is_empty':
      return kind === 'text' ? sql`coalesce(${expr}, '') = ''` : sql`${expr} is null`;
    case 'is_not_empty':
      return kind === 'text' ? sql`coalesce(${expr}, '') <> ''` : sql`${expr} is not null`;
  }
}

/** The search fragment as stored in `leads.search`: lower-cased, and digits only when it looks like a phone. */
export function searchFragment(q: string): string {
  const trimmed = q.trim().toLowerCase();
  if (!/^[+\d\s().-]+$/.test(trimmed) || !/\d{3,}/.test(trimmed.replace(/\D/g, ''))) return trimmed;
  // Phones are stored in E.164: a local number's trunk zeros ("012 345…", "07700…") are not in the stored digits.
  const digits = trimmed.replace(/\D/g, '');
  const national = digits.replace(/^0+/, '');
  return national.length >= 3 ? national : digits;
}

/**
 * Compiles a query for one workspace. `ownerId` restricts to one owner's leads (agents without `leads.read_all`).
 * `cursor` continues after the last row of the previous page.
 */
export function compileLeadQuery(
  workspaceId: string,
  query: LeadQuery,
  fields: FieldSpec[],
  options: { ownerId?: string; cursor?: string } = {},
): CompiledQuery {
  const conditions: SQL[] = [sql`${leads.workspaceId} = ${workspaceId}`];
  if (options.ownerId) conditions.push(sql`${leads.ownerId} = ${options.ownerId}`);
  if (query.q) {
    const fragment = searchFragment(query.q);
    if (fragment) conditions.push(sql`${leads.search} like ${`%${fragment.replace(/[\\%_]/g, '\\$&')}%`}`);
  }
  for (const filter of query.filters) conditions.push(compileFilter(filter, fields));

  const sortField = resolveField(query.sort.field, fields);
  if (sortField.kind === 'tags') throw invalid(`Leads cannot be sorted by ${query.sort.field}.`);
  const dir = query.sort.direction;
  const d = dir === 'asc' ? sql`asc` : sql`desc`;
  const e = sortField.expr;
  // Empty values always come last; `nulls last` in both directions lets an index like (value desc nulls last) serve it.
  const orderBy = sortField.notNull
    ? [sql`${e} ${d}`, sql`${leads.id} ${d}`]
    : [sql`${e} ${d} nulls last`, sql`${leads.id} ${d}`];

  if (options.cursor) {
    const c = decodeCursor(options.cursor);
    const cmp = dir === 'asc' ? sql`>` : sql`<`;
    if (c.value !== null && !cursorValueFits(sortField.kind, c.value)) {
      throw new AppError('validation_failed', 'The cursor is not valid. Start again from the first page.');
    }
    const value =
      c.value === null ? null : sortField.kind === 'datetime' ? sql`${String(c.value)}::timestamptz` : sql`${c.value}`;
    if (sortField.notNull) {
      conditions.push(sql`(${e}, ${leads.id}) ${cmp} (${value}, ${c.id})`);
    } else if (value === null) {
      conditions.push(sql`(${e} is null and ${leads.id} ${cmp} ${c.id})`);
    } else {
      conditions.push(sql`(${e} is null or ${e} ${cmp} ${value} or (${e} = ${value} and ${leads.id} ${cmp} ${c.id}))`);
    }
  }
  const cursorValueExpr =
    sortField.kind === 'datetime' ? sql`to_char((${e}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : e;
  return {
    where: and(...conditions)!,
    orderBy,
    sortExpr: e,
    cursorValueExpr,
    notNullSort: sortField.notNull,
    direction: dir,
  };
}

/** A cursor comes from the client: its value must parse as the sort field's type before it reaches SQL. */
function cursorValueFits(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'datetime':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(value);
    case 'number':
      return (
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))
      );
    case 'uuid':
      return typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value);
    default:
      return typeof value === 'string';
  }
}

export function encodeCursor(value: unknown, id: string): string {
  const v = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([v ?? null, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { value: unknown; id: string } {
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, string];
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error('bad id');
    return { value, id };
  } catch {
    throw new AppError('validation_failed', 'The cursor is not valid. Start again from the first page.');
  }
}
