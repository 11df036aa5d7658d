import { PassThrough, pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { getTableColumns, sql } from 'drizzle-orm';
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
 * Streamed export of leads to CSV or JSON lines: keyset-paged batches (never OFFSET), every field, formula cells
 * neutralised, audited with the number of rows actually produced when the stream ends (or the client goes away).
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab / carriage return before one) as a formula, which an
 * attacker can fill through a lead form. Prefixing `'` makes the cell plain text (OWASP "CSV injection").
 */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export const exportQuerySchema = z.object({
  format: z.enum(['csv', 'jsonl']).default('csv'),
  /** base64url of a JSON LeadQuery (the current view); absent = every lead. */
  query: z.string().max(20_000).optional(),
  /** Comma-separated column names, in order; absent = every column. */
  columns: z.string().max(5000).optional(),
});
export type ExportParams = z.infer<typeof exportQuerySchema>;

type LeadRow = typeof leads.$inferSelect;

interface Lookups {
  pipelines: Map<string, string>;
  stages: Map<string, string>;
  owners: Map<string, string>;
}

type Column = { name: string; value: (lead: LeadRow, l: Lookups) => unknown };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const BASE_COLUMNS: Column[] = [
  { name: 'id', value: (r) => r.id },
  { name: 'created_at', value: (r) => iso(r.createdAt) },
  { name: 'updated_at', value: (r) => iso(r.updatedAt) },
  { name: 'name', value: (r) => r.name },
  { name: 'email', value: (r) => r.email },
  { name: 'phone', value: (r) => r.phone },
  { name: 'source', value: (r) => r.source },
  { name: 'external_id', value: (r) => r.externalId },
  { name: 'pipeline', value: (r, l) => l.pipelines.get(r.pipelineId) ?? null },
  { name: 'stage', value: (r, l) => l.stages.get(r.stageId) ?? null },
  { name: 'stage_changed_at', value: (r) => iso(r.stageChangedAt) },
  { name: 'owner_email', value: (r, l) => (r.ownerId ? (l.owners.get(r.ownerId) ?? null) : null) },
  { name: 'value', value: (r) => r.value },
  { name: 'currency', value: (r) => r.currency },
  { name: 'tags', value: (r) => r.tags },
  { name: 'form_id', value: (r) => r.formId },
  { name: 'form_name', value: (r) => r.formName },
  { name: 'campaign_id', value: (r) => r.campaignId },
  { name: 'campaign_name', value: (r) => r.campaignName },
  { name: 'adset_id', value: (r) => r.adsetId },
  { name: 'adset_name', value: (r) => r.adsetName },
  { name: 'ad_id', value: (r) => r.adId },
  { name: 'ad_name', value: (r) => r.adName },
  { name: 'platform', value: (r) => r.platform },
  { name: 'answers', value: (r) => r.answers },
  { name: 'contact_id', value: (r) => r.contactId },
  { name: 'pipeline_id', value: (r) => r.pipelineId },
  { name: 'stage_id', value: (r) => r.stageId },
  { name: 'owner_id', value: (r) => r.ownerId },
];

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

const BATCH = 2000;

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
    const { db, repo } = this.deps;
    const workspaceId = access.workspaceId;
    const query = decodeQuery(params.query);
    const fields: FieldSpec[] = await repo.leadFields(workspaceId);
    const ownerId = ownerScopeOf(access);
    compileLeadQuery(workspaceId, query, fields, { ownerId }); // validates fields and operators now

    const all: Column[] = [
      ...BASE_COLUMNS,
      ...fields.map((f): Column => ({ name: `custom.${f.key}`, value: (r) => r.custom?.[f.key] ?? null })),
    ];
    let columns = all;
    if (params.columns?.trim()) {
      const byName = new Map(all.map((c) => [c.name, c]));
      const names = params.columns
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = names.filter((n) => !byName.has(n));
      if (unknown.length) {
        throw new AppError('validation_failed', `Unknown column(s): ${unknown.join(', ')}.`, {
          details: [{ path: 'querystring.columns', message: `Unknown: ${unknown.join(', ')}` }],
        });
      }
      columns = [...new Set(names)].map((n) => byName.get(n)!);
    }

    const pipelines = await repo.pipelinesWithStages(workspaceId);
    const lookups: Lookups = {
      pipelines: new Map(pipelines.map((p) => [p.id, p.name])),
      stages: new Map(pipelines.flatMap((p) => p.stages.map((s) => [s.id, s.name] as const))),
      owners: new Map((await repo.members(workspaceId)).map((m) => [m.userId, m.email])),
    };
    const missingOwners = async (rows: LeadRow[]) => {
      const ids = [
        ...new Set(rows.map((r) => r.ownerId).filter((id): id is string => !!id && !lookups.owners.has(id))),
      ];
      if (!ids.length) return;
      for (const u of await repo.userEmails(ids)) lookups.owners.set(u.id, u.email);
      for (const id of ids) if (!lookups.owners.has(id)) lookups.owners.set(id, '');
    };

    const format = params.format;
    const audit = this.deps.audit;
    const log = this.deps.log;
    const selection = { ...getTableColumns(leads) };
    let sent = 0;
    const fetchBatch = (cursor: string | undefined) => {
      const compiled = compileLeadQuery(workspaceId, query, fields, { ownerId, cursor });
      return db
        .select({ ...selection, sortValue: sql<unknown>`${compiled.cursorValueExpr}` })
        .from(leads)
        .where(compiled.where)
        .orderBy(...compiled.orderBy)
        .limit(BATCH);
    };
    // The next batch is fetched while this one is written out, so the database and the formatting overlap.
    async function* batches(): AsyncGenerator<LeadRow[]> {
      let pending: Promise<Awaited<ReturnType<typeof fetchBatch>>> | null = fetchBatch(undefined);
      try {
        while (pending) {
          const rows: Awaited<ReturnType<typeof fetchBatch>> = await pending;
          const last = rows.at(-1);
          pending = rows.length === BATCH && last ? fetchBatch(encodeCursor(last.sortValue, last.id)) : null;
          if (!rows.length) return;
          await missingOwners(rows);
          yield rows;
        }
      } finally {
        // A client that went away leaves at most one query in flight; its result is dropped.
        pending?.catch(() => {});
      }
    }
    async function* records(): AsyncGenerator<string[] | string> {
      try {
        if (format === 'csv') yield columns.map((c) => neutraliseCell(c.name));
        for await (const rows of batches()) {
          if (format === 'csv') {
            for (const r of rows) {
              yield columns.map((c) => csvCell(c.name, c.value(r, lookups)));
              sent++;
            }
          } else {
            // One string per batch: JSON lines need no per-row stream overhead.
            let text = '';
            for (const r of rows) {
              const obj: Record<string, unknown> = {};
              for (const c of columns) obj[c.name] = c.value(r, lookups);
              text += `${JSON.stringify(obj)}\n`;
            }
            sent += rows.length;
            yield text;
          }
        }
      } finally {
        await audit
          .record({
            workspaceId,
            actor: access.actor,
            action: 'leads.exported',
            target: { type: 'workspace', id: workspaceId },
            metadata: { count: sent, format, filtered: query.filters.length > 0 || !!query.q, columns: columns.length },
          })
          .catch((err) => log.error({ err }, 'could not audit an export'));
      }
    }

    const date = new Date().toISOString().slice(0, 10);
    const source = Readable.from(records(), { objectMode: true, highWaterMark: format === 'csv' ? 256 : 2 });
    // pipeline() destroys the source when the client goes away, which ends the generator and records the audit.
    const onDone = (err: Error | null | undefined) => {
      if (err && (err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE')
        log.warn({ err }, 'export stream failed');
    };
    const stream =
      format === 'csv'
        ? pipeline(source, stringify({ bom: true }), onDone)
        : pipeline(source, new PassThrough(), onDone);
    return {
      filename: `leads-${date}.${format}`,
      contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      stream,
    };
  }
}
