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
  /** The sort expression, selected as `sort_value` so the last row of a page makes the next cursor. */
  sortExpr: SQL;
  notNullSort: boolean;
  direction: 'asc' | 'desc';
}

const invalid = (message: string) =>
  new AppError('validation_failed', message, { details: [{ path: 'filters', message }] });

/** Resolves a field name to its SQL expression and kind; custom fields are cast by their declared type. */
function resolveField(name: string, fields: FieldSpec[]): { expr: SQL; kind: Kind; notNull: boolean; customKey?: string } {
  const builtIn = BUILT_IN_FIELDS[name];
  if (builtIn) return { expr: sql`${builtIn.column}`, kind: builtIn.kind, notNull: builtIn.notNull };
  if (name.startsWith('custom.')) {
    const key = name.slice('custom.'.length);
    const field = fields.find((f) => f.key === key);
    if (!field) throw invalid(`There is no custom field "${key}".`);
    const text = sql`(${leads.custom} ->> ${key})`;
    switch (field.type) {
      case 'number':
      case 'currency':
        return { expr: sql`(${text})::numeric`, kind: 'number', notNull: false, customKey: key };
      case 'datetime':
      case 'date':
        // ISO strings sort and compare correctly as text.
        return { expr: text, kind: 'text', notNull: false, customKey: key };
      case 'multi_select':
        return { expr: sql`(${leads.custom} -> ${key})`, kind: 'tags', notNull: false, customKey: key };
      default:
        return { expr: text, kind: 'text', notNull: false, customKey: key };
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
      if (Number.isNaN(d.getTime())) throw invalid(`The filter on ${field} needs a date.`);
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

function compileFilter(filter: LeadFilter, fields: FieldSpec[]): SQL {
  const { expr, kind, customKey } = resolveField(filter.field, fields);
  const v = filter.value;
  const name = filter.field;
  const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');
  if (kind === 'tags') {
    const values = filter.op === 'is_empty' || filter.op === 'is_not_empty' ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
    // Built-in tags are text[]; a multi-select custom field is a jsonb array.
    const isJson = customKey !== undefined;
    const contains = (xs: string[]) => (isJson ? sql`${expr} @> ${JSON.stringify(xs)}::jsonb` : sql`${expr} @> ${xs}::text[]`);
    const overlaps = (xs: string[]) =>
      isJson ? sql`${expr} ?| ${xs}::text[]` : sql`${expr} && ${xs}::text[]`;
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
      if (customKey && kind === 'text') return sql`${leads.custom} @> ${JSON.stringify({ [customKey]: String(v) })}::jsonb`;
      if (kind === 'text' && !customKey && typeof v === 'string') return sql`lower(${expr}) = lower(${v})`;
      return sql`${expr} = ${literal(kind, v, name)}`;
    case 'neq':
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
      return sql`${expr} ilike ${`%${escapeLike(String(v ?? ''))}%`}`;
    case 'not_contains':
      return sql`(${expr} is null or ${expr} not ilike ${`%${escapeLike(String(v ?? ''))}%`})`;
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
  return /^[+\d\s().-]+$/.test(trimmed) && /\d{3,}/.test(trimmed.replace(/\D/g, '')) ? trimmed.replace(/\D/g, '') : trimmed;
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
    const value = c.value === null ? null : sortField.kind === 'datetime' ? new Date(String(c.value)) : c.value;
    if (sortField.notNull) {
      conditions.push(sql`(${e}, ${leads.id}) ${cmp} (${value}, ${c.id})`);
    } else if (value === null) {
      conditions.push(sql`(${e} is null and ${leads.id} ${cmp} ${c.id})`);
    } else {
      conditions.push(
        sql`(${e} is null or ${e} ${cmp} ${value} or (${e} = ${value} and ${leads.id} ${cmp} ${c.id}))`,
      );
    }
  }
  return { where: and(...conditions)!, orderBy, sortExpr: e, notNullSort: sortField.notNull, direction: dir };
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
