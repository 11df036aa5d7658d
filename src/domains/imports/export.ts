import { PassThrough, pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import type { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { leads } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { AuditService } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import type { FieldSpec } from '../fields/field-values';
import { compileLeadQuery, encodeCursor, type LeadQuery, leadQuerySchema } from '../leads/lead-query';
import { ownerScopeOf } from '../leads/visibility';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import type { ImportsRepository } from './imports.repository';

/**
 * Streamed export of leads to CSV or JSON lines: every field, formula cells neutralised, audited with the number of
 * rows actually produced when the stream ends (or the client goes away).
 *
 * Every cell is formatted by the database (one text expression per column, see `columnsOf`), so Node never builds a
 * row object. On PostgreSQL one `COPY (select …) TO STDOUT` streams the finished file, piped to the socket with
 * backpressure (a slow client slows the query down; memory stays flat). PGlite has no streaming COPY: there,
 * keyset-paged batches (never OFFSET) come back as arrays of text and are joined into lines here.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab / carriage return before one) as a formula, which an
 * attacker can fill through a lead form. Prefixing `'` makes the cell plain text (OWASP "CSV injection").
 * `neutralised()` below is the same rule in SQL, which the export uses.
 */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** A value as one CSV cell: lists joined with `;`, answers as JSON, nothing as an empty cell, then neutralised. */
export function csvCell(name: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (name === 'answers') text = JSON.stringify(value);
  else if (Array.isArray(value)) text = value.map(String).join(';');
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  return neutraliseCell(text);
}

export const exportQuerySchema = z.object({
  format: z.enum(['csv', 'jsonl']).default('csv'),
  /** base64url of a JSON LeadQuery (the current view); absent = every lead. */
  query: z.string().max(20_000).optional(),
  /** Comma-separated column names, in order; absent = every column. */
  columns: z.string().max(5000).optional(),
});
export type ExportParams = z.infer<typeof exportQuerySchema>;

function decodeQuery(encoded: string | undefined): LeadQuery {
  if (!encoded) return leadQuerySchema.parse({});
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('validation_failed', 'The query must be base64url-encoded JSON.', {
      details: [{ path: 'querystring.query', message: 'Not base64url JSON' }],
    });
  }
  const parsed = leadQuerySchema.safeParse(json);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
    throw new AppError('validation_failed', `The query is not valid: ${message}`, {
      details: [{ path: 'querystring.query', message }],
    });
  }
  return parsed.data;
}

/** Rows per COPY on PGlite. */
const BATCH = 5000;

/** `x` as a CSV cell: '' and null are an empty cell; a cell starting with = + - @ tab or CR gets a leading `'`. */
const neutralised = (x: SQL) =>
  sql`case when ascii(${x}) in (61, 43, 45, 64, 9, 13) then '''' || ${x} else nullif(${x}, '') end`;
/** The same text as JavaScript's `Date.toISOString()` (milliseconds, UTC, `Z`). */
const isoTime = (x: SQL) => sql`to_char(${x} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const jsonOf = (x: SQL) => sql`coalesce(to_json(${x})::text, 'null')`;

/** One exported column: its CSV cell (text; null is an empty cell) and its JSON value (JSON text), both in SQL. */
interface Column {
  name: string;
  csv: SQL;
  json: SQL;
}

/** id → name maps, each sent as one jsonb value: a key lookup per row, where a join would undo the index order. */
interface Lookups {
  pipelines: Record<string, string>;
  stages: Record<string, string>;
  owners: Record<string, string>;
}

/**
 * A lookup map as the two jsonb constants the query uses: the CSV one holds finished cells (neutralised here, empty
 * names left out so they come out as empty cells), the JSON one JSON text. The database then looks a cell up once per
 * row instead of formatting the name again in every row.
 */
function lookupMaps(map: Record<string, string>) {
  const csv: Record<string, string> = {};
  const json: Record<string, string> = {};
  for (const [id, name] of Object.entries(map)) {
    if (name) csv[id] = neutraliseCell(name);
    json[id] = JSON.stringify(name);
  }
  return { csv: JSON.stringify(csv), json: JSON.stringify(json) };
}

function columnsOf(fields: FieldSpec[], l: Lookups): Column[] {
  const text = (name: string, x: SQL): Column => ({ name, csv: neutralised(x), json: jsonOf(x) });
  // Ids and times need no JSON escaping: quoted by hand, which is cheaper than to_json().
  const time = (name: string, x: SQL): Column => ({
    name,
    csv: isoTime(x),
    json: sql`coalesce('"' || ${isoTime(x)} || '"', 'null')`,
  });
  const id = (name: string, x: SQL): Column => ({
    name,
    csv: sql`${x}::text`,
    json: sql`coalesce('"' || ${x}::text || '"', 'null')`,
  });
  // A lookup is one jsonb key access; its cell was formatted in JavaScript (see lookupMaps).
  const lookup = (name: string, map: Record<string, string>, key: SQL): Column => {
    const m = lookupMaps(map);
    return {
      name,
      csv: sql`(${m.csv}::jsonb ->> ${key}::text)`,
      json: sql`coalesce(${m.json}::jsonb ->> ${key}::text, 'null')`,
    };
  };
  // An owner who has left the workspace is not in the members' map: only then is the user looked up (never for a
  // lead without an owner, which would otherwise run that subquery for every row).
  const owners = lookupMaps(l.owners);
  const formerOwner = sql`(select u.email from users u where u.id = ${leads.ownerId})`;
  const owner: Column = {
    name: 'owner_email',
    csv: sql`case when ${leads.ownerId} is not null then coalesce(${owners.csv}::jsonb ->> ${leads.ownerId}::text, ${neutralised(formerOwner)}) end`,
    json: sql`case when ${leads.ownerId} is null then 'null' else coalesce(${owners.json}::jsonb ->> ${leads.ownerId}::text, ${jsonOf(formerOwner)}) end`,
  };
  // A number's text starts with a formula character only when it is negative ("-5").
  const value = sql`${leads.value}::float8::text`;
  const base: Column[] = [
    id('id', sql`${leads.id}`),
    time('created_at', sql`${leads.createdAt}`),
    time('updated_at', sql`${leads.updatedAt}`),
    text('name', sql`${leads.name}`),
    text('email', sql`${leads.email}`),
    text('phone', sql`${leads.phone}`),
    text('source', sql`${leads.source}`),
    text('external_id', sql`${leads.externalId}`),
    lookup('pipeline', l.pipelines, sql`${leads.pipelineId}`),
    lookup('stage', l.stages, sql`${leads.stageId}`),
    time('stage_changed_at', sql`${leads.stageChangedAt}`),
    owner,
    {
      name: 'value',
      csv: sql`case when ${leads.value} < 0 then '''' || ${value} else ${value} end`,
      json: sql`coalesce(${value}, 'null')`,
    },
    text('currency', sql`${leads.currency}`),
    {
      name: 'tags',
      csv: neutralised(sql`array_to_string(${leads.tags}, ';')`),
      json: sql`array_to_json(${leads.tags})::text`,
    },
    text('form_id', sql`${leads.formId}`),
    text('form_name', sql`${leads.formName}`),
    text('campaign_id', sql`${leads.campaignId}`),
    text('campaign_name', sql`${leads.campaignName}`),
    text('adset_id', sql`${leads.adsetId}`),
    text('adset_name', sql`${leads.adsetName}`),
    text('ad_id', sql`${leads.adId}`),
    text('ad_name', sql`${leads.adName}`),
    text('platform', sql`${leads.platform}`),
    { name: 'answers', csv: sql`${leads.answers}::text`, json: sql`${leads.answers}::text` },
    id('contact_id', sql`${leads.contactId}`),
    id('pipeline_id', sql`${leads.pipelineId}`),
    id('stage_id', sql`${leads.stageId}`),
    id('owner_id', sql`${leads.ownerId}`),
  ];
  const custom = fields.map((f): Column => {
    const v = sql`(${leads.custom} -> ${f.key}::text)`;
    // A list (multi-select) is `;`-joined like tags; any other value is its text (an object stays JSON).
    const list = sql`(select string_agg(e, ';') from jsonb_array_elements_text(${v}) e)`;
    const cell = sql`case when jsonb_typeof(${v}) = 'array' then ${neutralised(list)} else ${neutralised(sql`(${leads.custom} ->> ${f.key}::text)`)} end`;
    return { name: `custom.${f.key}`, csv: cell, json: sql`coalesce(${v}::text, 'null')` };
  });
  return [...base, ...custom];
}

/** The header row, quoted as `COPY … csv` quotes cells: only a cell with a comma, quote, CR or LF. */
const NEEDS_QUOTES = /[",\r\n]/;
const csvQuote = (cell: string) => (NEEDS_QUOTES.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

const dialect = new PgDialect();

/** Renders a query with its parameters inlined as quoted literals: COPY takes no bind parameters. */
function inlineSql(query: SQL): string {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return text.replace(/\$(\d+)\b/g, (_, n: string) => {
    const value = params[Number(n) - 1];
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'number' && Number.isFinite(value)) return `(${value})`;
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
    return pg.escapeLiteral(typeof value === 'string' ? value : JSON.stringify(value));
  });
}

const isPool = (client: unknown): client is pg.Pool =>
  typeof (client as pg.Pool).connect === 'function' && typeof (client as pg.Pool).totalCount === 'number';

export class LeadsExporter {
  constructor(
    private readonly deps: {
      db: Db;
      repo: ImportsRepository;
      workspaces: WorkspacesService;
      audit: AuditService;
      log: Logger;
    },
  ) {}

  /** Checks everything first (so a bad query is a 400, not a broken download), then returns the stream. */
  async open(
    access: WorkspaceAccess,
    params: ExportParams,
  ): Promise<{ filename: string; contentType: string; stream: Readable }> {
    this.deps.workspaces.assertCan(access, 'leads.export');
    const { db, repo, audit, log } = this.deps;
    const workspaceId = access.workspaceId;
    const query = decodeQuery(params.query);
    const fields: FieldSpec[] = await repo.leadFields(workspaceId);
    const ownerId = ownerScopeOf(access);
    const compiled = compileLeadQuery(workspaceId, query, fields, { ownerId }); // validates fields and operators now

    const pipelines = await repo.pipelinesWithStages(workspaceId);
    const lookups: Lookups = {
      pipelines: Object.fromEntries(pipelines.map((p) => [p.id, p.name])),
      stages: Object.fromEntries(pipelines.flatMap((p) => p.stages.map((s) => [s.id, s.name] as const))),
      owners: Object.fromEntries((await repo.members(workspaceId)).map((m) => [m.userId, m.email])),
    };
    const all = columnsOf(fields, lookups);
    let columns = all;
    // `columns=` naming nothing (empty, or only commas) means every column, as when it is absent.
    const names = (params.columns ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (names.length > 0) {
      const byName = new Map(all.map((c) => [c.name, c]));
      const unknown = names.filter((n) => !byName.has(n));
      if (unknown.length) {
        throw new AppError('validation_failed', `Unknown column(s): ${unknown.join(', ')}.`, {
          details: [{ path: 'querystring.columns', message: `Unknown: ${unknown.join(', ')}` }],
        });
      }
      columns = [...new Set(names)].map((n) => byName.get(n)!);
    }

    const format = params.format;
    let sent = 0;
    let audited = false;
    const recordAudit = () => {
      if (audited) return;
      audited = true;
      audit
        .record({
          workspaceId,
          actor: access.actor,
          action: 'leads.exported',
          target: { type: 'workspace', id: workspaceId },
          metadata: { count: sent, format, filtered: query.filters.length > 0 || !!query.q, columns: columns.length },
        })
        .catch((err) => log.error({ err }, 'could not audit an export'));
    };
    const onDone = (err: Error | null | undefined) => {
      if (err && (err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE')
        log.warn({ err }, 'export stream failed');
    };

    // CSV: the cells; JSON lines: one text per row, `{"name":value,…}` with the keys in column order.
    const selectList =
      format === 'csv'
        ? sql.join(
            columns.map((c) => c.csv),
            sql`, `,
          )
        : sql`'{' || ${sql.join(
            columns.map((c, i) => sql`${`${i ? ',' : ''}${JSON.stringify(c.name)}:`}::text || ${c.json}`),
            sql` || `,
          )} || '}'`;
    const orderBy = sql.join(compiled.orderBy, sql`, `);
    const head = format === 'csv' ? `\ufeff${columns.map((c) => csvQuote(neutraliseCell(c.name))).join(',')}\n` : '';
    const date = new Date().toISOString().slice(0, 10);
    const result = {
      filename: `leads-${date}.${format}`,
      contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    };

    // JSON lines use CSV mode with a quote and a delimiter that JSON text never contains (it escapes control
    // characters), so each line comes out as it is.
    const copyOptions = format === 'csv' ? 'format csv' : `format csv, delimiter E'\\x02', quote E'\\x01'`;
    const client = (db as unknown as { $client: pg.Pool | PGlite }).$client;
    if (isPool(client)) {
      // PostgreSQL: one COPY of the whole selection, in one snapshot.
      const conn = await client.connect();
      let copy: ReturnType<typeof copyTo>;
      try {
        // PostgreSQL would JIT-compile this wide select list (its cost is far above jit_above_cost) and, with
        // inlining and optimisation, spend more time compiling than the compiled code saves: with JIT a 1,000,000-row
        // export took about twice as long inside the database (docs/benchmarks.md). Reset before the connection goes
        // back to the pool.
        await conn.query('set jit = off');
        const body = inlineSql(sql`select ${selectList} from ${leads} where ${compiled.where} order by ${orderBy}`);
        copy = conn.query(copyTo(`copy (${body}) to stdout with (${copyOptions})`));
      } catch (e) {
        conn.release();
        throw e;
      }
      let lines = 0;
      const counter = new Transform({
        construct(callback) {
          if (head) this.push(head);
          callback();
        },
        transform(chunk: Buffer, _enc, callback: TransformCallback) {
          // Rows end with LF. A quoted cell with a line break would count twice, so a finished export reports COPY's
          // own row count; this count serves an export the client broke off.
          let at = chunk.indexOf(0x0a);
          while (at !== -1) {
            lines++;
            at = chunk.indexOf(0x0a, at + 1);
          }
          callback(null, chunk);
        },
      });
      // pipeline() destroys the COPY stream when the client goes away.
      const stream = pipeline(copy, counter, (err) => {
        const finished = !err && copy.readableEnded;
        sent = finished ? copy.rowCount : lines;
        // A COPY broken off leaves the connection mid-protocol: it is closed, not returned to the pool.
        if (finished)
          conn.query('reset jit').then(
            () => conn.release(),
            (e: Error) => conn.release(e),
          );
        else conn.release(err ?? new Error('export stopped'));
        recordAudit();
        onDone(err);
      });
      return { ...result, stream };
    }

    // PGlite: no streaming COPY, so keyset-paged batches, each one `COPY … TO '/dev/blob'` (formatted by the database
    // like the PostgreSQL file), bounded by the last row of the batch, which a small query finds first.
    const lite = client as PGlite;
    const whereAfter = (cursor: string | undefined) =>
      cursor ? compileLeadQuery(workspaceId, query, fields, { ownerId, cursor }).where : compiled.where;
    const fetchBatch = async (cursor: string | undefined): Promise<{ data: Buffer; rows: number; next?: string }> => {
      const where = whereAfter(cursor);
      const bound = dialect.sqlToQuery(
        sql`select ${compiled.cursorValueExpr}, ${leads.id}::text from ${leads} where ${where} order by ${orderBy} limit 1 offset ${sql.raw(String(BATCH - 1))}`,
      );
      const last = (await lite.query<unknown[]>(bound.sql, bound.params, { rowMode: 'array' })).rows[0];
      // The batch ends at that row (inclusive): every row after the cursor and not after the next one.
      const next = last ? encodeCursor(last[0], last[1] as string) : undefined;
      const upTo = next
        ? sql` and not (${compileLeadQuery(workspaceId, query, fields, { ownerId, cursor: next }).where})`
        : sql``;
      const copied = await lite.query(
        `copy (${inlineSql(sql`select ${selectList} from ${leads} where ${where}${upTo} order by ${orderBy}`)}) to '/dev/blob' with (${copyOptions})`,
      );
      const data = copied.blob ? Buffer.from(await copied.blob.arrayBuffer()) : Buffer.alloc(0);
      return { data, rows: copied.affectedRows ?? 0, next };
    };
    async function* batches(): AsyncGenerator<Buffer | string> {
      try {
        if (head) yield head;
        let batch = await fetchBatch(undefined);
        for (;;) {
          sent += batch.rows;
          if (!batch.next) {
            if (batch.data.length) yield batch.data;
            return;
          }
          // The next batch is fetched while this one is written out.
          const pending = fetchBatch(batch.next);
          pending.catch(() => {}); // a client that went away leaves at most this query in flight; its result is dropped
          yield batch.data;
          batch = await pending;
        }
      } finally {
        recordAudit();
      }
    }
    const stream = pipeline(Readable.from(batches(), { objectMode: false }), new PassThrough(), onDone);
    return { ...result, stream };
  }
}
