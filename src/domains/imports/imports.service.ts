import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Db } from '../../db/client';
import type { JobQueue } from '../../jobs/queue';
import { AppError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Logger } from '../../lib/logger';
import type { AuditService } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import { userIdOf } from '../leads/visibility';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import {
  type ColumnMapping,
  type DetectedFormat,
  type ImportContext,
  MAX_COLUMNS,
  mappingProblems,
  type PreparedRow,
  prepareRow,
  suggestMapping,
  type UpsertKey,
} from './column-mapping';
import { checkFileHead, type Delimiter, invalidUtf8Error, sniffDelimiter, stripBom, Utf8Validator } from './csv-detect';
import { readCsv } from './csv-reader';
import { type ExportParams, LeadsExporter, neutraliseCell } from './export';
import { runImportJob } from './import.jobs';
import { ChunkPlanner, type RowOutcome } from './import-writer';
import type { ImportsRepository, OperationRow } from './imports.repository';

export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;
/** Rows written per transaction: large enough for fast bulk statements, small enough to keep memory flat. */
export const CHUNK_ROWS = 2000;
/** An import of at least this many rows refreshes the planner's statistics of leads and contacts when it ends. */
const ANALYZE_AFTER_ROWS = 10_000;
/** The dry run reads at most this many rows of a large file (and says so with `sampled: true`). */
export const PREVIEW_ROWS = 50_000;
const HEAD_BYTES = 64 * 1024;
const SAMPLE_ROWS = 10;

export interface ImportOptions {
  mapping: ColumnMapping;
  upsertKey: UpsertKey;
  defaults: { pipelineId?: string; stageId?: string; ownerId?: string; tags?: string[] };
}

/** What an import operation keeps in `details`. */
interface ImportDetails {
  fileName: string;
  fileBytes: number;
  delimiter: Delimiter;
  headers: string[];
  detectedFormat: DetectedFormat;
  startedAt?: string;
  mapping?: ColumnMapping;
  mappingByHeader?: Record<string, string>;
  upsertKey?: UpsertKey;
  defaults?: ImportOptions['defaults'];
  checkpoint?: number;
  created?: number;
  updated?: number;
  rejected?: number;
}

export interface OperationView {
  id: string;
  kind: OperationRow['kind'];
  status: OperationRow['status'];
  total: number | null;
  processed: number;
  details: Record<string, unknown>;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export const operationView = (op: OperationRow): OperationView => ({
  id: op.id,
  kind: op.kind,
  status: op.status,
  total: op.total,
  processed: op.processed,
  details: op.details,
  error: op.error,
  createdAt: op.createdAt,
  finishedAt: op.finishedAt,
});

/** Thrown inside a chunk transaction when another run of the same import committed that chunk first. */
class Superseded extends Error {}

/** CSV import: upload, mapping, dry run, the resumable job and the rejected rows. */
export class ImportsService {
  constructor(
    readonly deps: {
      db: Db;
      repo: ImportsRepository;
      workspaces: WorkspacesService;
      audit: AuditService;
      queue: JobQueue;
      dataDir: string;
      log: Logger;
    },
  ) {}

  private filePath(workspaceId: string, operationId: string): string {
    return path.join(this.deps.dataDir, 'imports', workspaceId, `${operationId}.csv`);
  }

  private async importOperation(
    workspaceId: string,
    operationId: string,
  ): Promise<OperationRow & { details: ImportDetails }> {
    const op = await this.deps.repo.getOperation(workspaceId, operationId);
    if (op?.kind !== 'import') throw notFound('This import');
    return op as OperationRow & { details: ImportDetails };
  }

  /**
   * Streams the upload to `DATA_DIR/imports/<workspace>/<operation>.csv`, checking the encoding as it goes, then reads
   * the header and a sample and proposes a mapping. Nothing is held in memory beyond the first 64 KB.
   */
  async upload(access: WorkspaceAccess, file: { filename: string; stream: Readable & { truncated?: boolean } }) {
    this.deps.workspaces.assertCan(access, 'leads.import');
    const workspaceId = access.workspaceId;
    const operationId = newId();
    const finalPath = this.filePath(workspaceId, operationId);
    const partPath = `${finalPath}.part`;
    await mkdir(path.dirname(finalPath), { recursive: true });

    const head: Buffer[] = [];
    let headBytes = 0;
    let checked = false;
    let bytes = 0;
    const validator = new Utf8Validator();
    const release = (self: Transform, buffers: Buffer[]): Error | null => {
      const joined = Buffer.concat(buffers);
      checkFileHead(joined);
      if (!validator.push(joined)) return invalidUtf8Error();
      self.push(joined);
      return null;
    };
    const check = new Transform({
      transform(chunk: Buffer, _enc, callback: TransformCallback) {
        bytes += chunk.length;
        try {
          if (!checked) {
            head.push(chunk);
            headBytes += chunk.length;
            if (headBytes < HEAD_BYTES) return callback();
            checked = true;
            return callback(release(this, head));
          }
          if (!validator.push(chunk)) return callback(invalidUtf8Error());
          callback(null, chunk);
        } catch (e) {
          callback(e as Error);
        }
      },
      flush(callback: TransformCallback) {
        try {
          if (!checked) {
            checked = true;
            const err = release(this, head);
            if (err) return callback(err);
          }
          callback(validator.end() ? null : invalidUtf8Error());
        } catch (e) {
          callback(e as Error);
        }
      },
    });
    try {
      await pipeline(file.stream, check, createWriteStream(partPath));
      if (file.stream.truncated) throw tooLarge();
    } catch (e) {
      await rm(partPath, { force: true });
      if (e instanceof AppError) throw e;
      if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
      throw e;
    }

    try {
      const headBuffer = stripBom(Buffer.concat(head).subarray(0, HEAD_BYTES));
      const delimiter = sniffDelimiter(headBuffer.toString('utf8'), { complete: bytes <= HEAD_BYTES });
      let headers: string[] | null = null;
      const sample: string[][] = [];
      for await (const item of readCsv(partPath, delimiter)) {
        if (item.row === 0) {
          if (item.error !== undefined)
            throw refused('The header row (the first line) could not be read. Check that the file is a CSV file.');
          headers = item.cells.map((h, i) => h.trim() || `Column ${i + 1}`);
          if (headers.length > MAX_COLUMNS) {
            throw refused(
              `This file has ${headers.length} columns; at most ${MAX_COLUMNS} can be imported. Remove unused columns and upload it again.`,
            );
          }
          continue;
        }
        if (item.row > SAMPLE_ROWS) break;
        if (item.error === undefined) sample.push(headers!.map((_, i) => item.cells[i] ?? ''));
      }
      if (!headers) throw refused('The file has no header row.');
      const fields = await this.deps.repo.leadFields(workspaceId);
      const remembered = await this.deps.repo.lastMappingByHeader(workspaceId);
      const { format, mapping } = suggestMapping(headers, { remembered, customFields: fields });
      await rename(partPath, finalPath);
      const details: ImportDetails = {
        fileName: file.filename.slice(0, 255),
        fileBytes: bytes,
        delimiter,
        headers,
        detectedFormat: format,
      };
      await this.deps.repo.insertOperation(this.deps.db, {
        workspaceId,
        id: operationId,
        kind: 'import',
        status: 'pending',
        details: details as unknown as Record<string, unknown>,
        createdBy: userIdOf(access),
      });
      return { operationId, headers, sample, delimiter, detectedFormat: format, suggestedMapping: mapping };
    } catch (e) {
      await rm(partPath, { force: true });
      await rm(finalPath, { force: true });
      throw e;
    }
  }

  async lastMapping(access: WorkspaceAccess) {
    this.deps.workspaces.assertCan(access, 'leads.import');
    return { mapping: await this.deps.repo.lastMappingByHeader(access.workspaceId) };
  }

  /** Resolves and checks everything an import needs from the workspace, once. */
  private async buildContext(
    workspaceId: string,
    details: ImportDetails,
    options: ImportOptions,
  ): Promise<{ ctx: ImportContext; defaults: ImportOptions['defaults'] }> {
    const repo = this.deps.repo;
    const bad = (pathName: string, message: string) =>
      new AppError('validation_failed', message, { details: [{ path: pathName, message }] });
    const fields = await repo.leadFields(workspaceId);
    const problems = mappingProblems(options.mapping, details.headers.length, new Set(fields.map((f) => f.key)));
    if (problems.length) {
      throw new AppError('validation_failed', `The mapping is not valid: ${problems.map((p) => p.message).join(' ')}`, {
        details: problems,
      });
    }
    const pipelines = await repo.pipelinesWithStages(workspaceId);
    const d = options.defaults;
    let pipeline = pipelines.find((p) => p.isDefault) ?? pipelines[0];
    let stage: { id: string; pipelineId: string } | undefined;
    if (d.stageId) {
      stage = pipelines.flatMap((p) => p.stages).find((s) => s.id === d.stageId);
      if (!stage) throw bad('defaults.stageId', 'This stage does not exist in this workspace.');
      if (d.pipelineId && d.pipelineId !== stage.pipelineId)
        throw bad('defaults.stageId', 'This stage is not in the chosen pipeline.');
      pipeline = pipelines.find((p) => p.id === stage!.pipelineId);
    } else if (d.pipelineId) {
      pipeline = pipelines.find((p) => p.id === d.pipelineId);
      if (!pipeline) throw bad('defaults.pipelineId', 'This pipeline does not exist in this workspace.');
    }
    if (!pipeline)
      throw bad(
        'defaults.pipelineId',
        'This workspace has no pipeline yet. Create one under Settings → Pipelines first.',
      );
    stage ??= pipeline.stages[0];
    if (!stage) throw bad('defaults.stageId', `The pipeline "${pipeline.name}" has no stages.`);

    const members = await repo.members(workspaceId);
    if (d.ownerId && !members.some((m) => m.userId === d.ownerId))
      throw bad('defaults.ownerId', 'The owner must be a member of this workspace.');
    const stagesByName = new Map<string, { id: string; pipelineId: string }>();
    for (const s of pipeline.stages) {
      stagesByName.set(s.id, { id: s.id, pipelineId: s.pipelineId });
      if (!stagesByName.has(s.name.toLowerCase()))
        stagesByName.set(s.name.toLowerCase(), { id: s.id, pipelineId: s.pipelineId });
    }
    const tags = [...new Set((d.tags ?? []).map((t) => t.trim()).filter(Boolean))];
    const defaults = { pipelineId: pipeline.id, stageId: stage.id, ownerId: d.ownerId, tags };
    const ctx: ImportContext = {
      defaultCountry: await repo.defaultCountry(workspaceId),
      format: details.detectedFormat,
      source: details.detectedFormat === 'meta_lead_ads' ? 'meta_lead_ads' : 'import',
      upsertKey: options.upsertKey,
      columns: Object.entries(options.mapping)
        .filter(([, target]) => target !== 'ignore')
        .map(([index, target]) => ({ index: Number(index), target, header: details.headers[Number(index)] ?? '' }))
        .sort((a, b) => a.index - b.index),
      fields: new Map(fields.map((f) => [f.key, f])),
      stages: stagesByName,
      members: new Map(members.map((m) => [m.email.toLowerCase(), m.userId])),
      defaults: { pipelineId: pipeline.id, stageId: stage.id, ownerId: d.ownerId ?? null, tags },
    };
    return { ctx, defaults };
  }

  /** The dry run: every row mapped, validated and matched against existing contacts and leads, nothing written. */
  async preview(access: WorkspaceAccess, operationId: string, options: ImportOptions) {
    this.deps.workspaces.assertCan(access, 'leads.import');
    const op = await this.importOperation(access.workspaceId, operationId);
    const file = this.filePath(access.workspaceId, operationId);
    if (op.details.startedAt || !existsSync(file))
      throw new AppError('conflict', 'This import has already been started.');
    const { ctx } = await this.buildContext(access.workspaceId, op.details, options);
    const planner = new ChunkPlanner(ctx, this.deps.repo, { dryRun: true });
    const totals = { create: 0, update: 0, reject: 0 };
    const rejects: { row: number; reason: string }[] = [];
    const rows: RowOutcome[] = [];
    let chunk: PreparedRow[] = [];
    let rowsRead = 0;
    let sampled = false;
    const flush = async () => {
      const result = await planner.process(this.deps.db, access.workspaceId, chunk, null);
      totals.create += result.created;
      totals.update += result.updated;
      totals.reject += result.rejected;
      for (const o of result.outcomes) {
        if (rows.length < 20) rows.push(o);
        if (o.action === 'reject' && rejects.length < 50) rejects.push({ row: o.row, reason: o.reason! });
      }
      chunk = [];
    };
    for await (const item of readCsv(file, op.details.delimiter)) {
      if (item.row === 0) continue;
      if (item.row > PREVIEW_ROWS) {
        sampled = true;
        break;
      }
      rowsRead = item.row;
      chunk.push(
        item.error !== undefined
          ? { ok: false, row: item.row, reason: item.error, raw: item.raw }
          : prepareRow(ctx, item.row, item.cells),
      );
      if (chunk.length >= CHUNK_ROWS) await flush();
    }
    if (chunk.length) await flush();
    // Read to the end: the row count is known, which the progress bar uses as its total.
    if (!sampled)
      await this.deps.repo.updateOperation(this.deps.db, access.workspaceId, operationId, { total: rowsRead });
    return { ...totals, sampled, rowsRead, rejects, rows };
  }

  /** Queues the import; the job is sent in the transaction that records the options, so it exists exactly then. */
  async start(access: WorkspaceAccess, operationId: string, options: ImportOptions): Promise<OperationView> {
    this.deps.workspaces.assertCan(access, 'leads.import');
    const op = await this.importOperation(access.workspaceId, operationId);
    if (op.details.startedAt || op.status !== 'pending')
      throw new AppError('conflict', 'This import has already been started.');
    if (!existsSync(this.filePath(access.workspaceId, operationId)))
      throw new AppError('conflict', 'The uploaded file is no longer available. Upload it again.');
    const { defaults } = await this.buildContext(access.workspaceId, op.details, options);
    const mappingByHeader: Record<string, string> = {};
    for (const [index, target] of Object.entries(options.mapping)) {
      const header = op.details.headers[Number(index)];
      if (header) mappingByHeader[header] = target;
    }
    const details: Partial<ImportDetails> = {
      startedAt: new Date().toISOString(),
      mapping: options.mapping,
      mappingByHeader,
      upsertKey: options.upsertKey,
      defaults,
      checkpoint: 0,
      created: 0,
      updated: 0,
      rejected: 0,
    };
    await this.deps.db.transaction(async (tx) => {
      const claimed = await this.deps.repo.claimStart(tx, access.workspaceId, operationId, details);
      if (!claimed) throw new AppError('conflict', 'This import has already been started.');
      await this.deps.queue.send(runImportJob, { workspaceId: access.workspaceId, operationId }, { tx });
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: 'leads.import_started',
          target: { type: 'operation', id: operationId },
          metadata: {
            format: op.details.detectedFormat,
            upsertKey: options.upsertKey,
            columns: Object.keys(options.mapping).length,
          },
        },
        tx,
      );
    });
    return operationView((await this.deps.repo.getOperation(access.workspaceId, operationId))!);
  }

  /**
   * The job: streams the file and writes chunks of `CHUNK_ROWS` rows, each in one transaction with its rejects and the
   * new checkpoint. A rerun skips rows up to the checkpoint, so a killed worker resumes without duplicates.
   * `maxChunks` stops after that many chunks (tests simulate a crash with it).
   */
  async runImport(
    workspaceId: string,
    operationId: string,
    options: { maxChunks?: number } = {},
  ): Promise<'done' | 'paused' | 'skipped'> {
    const { repo, db, log } = this.deps;
    const op = (await repo.getOperation(workspaceId, operationId)) as
      | (OperationRow & { details: ImportDetails })
      | undefined;
    if (op?.kind !== 'import' || !op.details.startedAt) return 'skipped';
    if (op.status === 'succeeded' || op.status === 'failed') return 'skipped';
    const d = op.details;
    const file = this.filePath(workspaceId, operationId);
    if (!existsSync(file)) {
      await this.fail(workspaceId, operationId, 'The uploaded file is no longer available. Upload it again.');
      return 'skipped';
    }
    let ctx: ImportContext;
    try {
      ({ ctx } = await this.buildContext(workspaceId, d, {
        mapping: d.mapping!,
        upsertKey: d.upsertKey!,
        defaults: d.defaults ?? {},
      }));
    } catch (e) {
      // The workspace changed since the start (a stage or field deleted): retrying would not help.
      if (e instanceof AppError) {
        await this.fail(workspaceId, operationId, e.message);
        return 'skipped';
      }
      throw e;
    }
    if (op.status === 'pending')
      await repo.updateOperation(db, workspaceId, operationId, { status: 'running', error: null });

    const planner = new ChunkPlanner(ctx, repo, { dryRun: false });
    let checkpoint = d.checkpoint ?? 0;
    let chunk: PreparedRow[] = [];
    let lastRow = checkpoint;
    let lastBytes = 0;
    let chunks = 0;
    const flush = async () => {
      await db.transaction(async (tx) => {
        await repo.lockWorkspaceImports(tx, workspaceId);
        const current = await repo.getOperation(workspaceId, operationId, tx);
        if (((current?.details as unknown as ImportDetails | undefined)?.checkpoint ?? 0) !== checkpoint)
          throw new Superseded();
        const result = await planner.process(tx, workspaceId, chunk, operationId);
        const advanced = await repo.advanceCheckpoint(tx, workspaceId, operationId, checkpoint, lastRow, {
          ...result,
          bytes: lastBytes,
        });
        if (!advanced) throw new Superseded();
      });
      checkpoint = lastRow;
      chunk = [];
      chunks++;
    };
    try {
      for await (const item of readCsv(file, d.delimiter)) {
        if (item.row === 0 || item.row <= checkpoint) continue;
        chunk.push(
          item.error !== undefined
            ? { ok: false, row: item.row, reason: item.error, raw: item.raw }
            : prepareRow(ctx, item.row, item.cells),
        );
        lastRow = item.row;
        lastBytes = item.bytes || lastBytes;
        if (chunk.length >= CHUNK_ROWS) {
          await flush();
          if (options.maxChunks && chunks >= options.maxChunks) return 'paused';
        }
      }
      if (chunk.length) await flush();
    } catch (e) {
      if (e instanceof Superseded) {
        log.info({ operationId }, 'import chunk already committed by another run; this run stops');
        return 'skipped';
      }
      throw e;
    }

    // A large import changes the tables' statistics a lot: refreshed now, the leads list and an export right after it
    // get their index plans (stale statistics that still describe an empty workspace make them sort everything).
    if (checkpoint >= ANALYZE_AFTER_ROWS) {
      await repo.analyzeLeadTables().catch((err) => log.warn({ err }, 'could not analyze after an import'));
    }

    await db.transaction(async (tx) => {
      const done = (await repo.getOperation(workspaceId, operationId, tx))!;
      const counts = done.details as unknown as ImportDetails;
      await repo.updateOperation(tx, workspaceId, operationId, {
        status: 'succeeded',
        total: checkpoint,
        processed: checkpoint,
        finishedAt: new Date(),
        error: null,
        details: { bytesProcessed: d.fileBytes },
      });
      await this.deps.audit.record(
        {
          workspaceId,
          actor: { type: done.createdBy ? 'user' : 'system', id: done.createdBy },
          action: 'leads.imported',
          target: { type: 'operation', id: operationId },
          metadata: {
            rows: checkpoint,
            created: counts.created ?? 0,
            updated: counts.updated ?? 0,
            rejected: counts.rejected ?? 0,
          },
        },
        tx,
      );
    });
    // The upload holds personal data: once imported it is not kept (rejected rows stay, in import_rejects).
    await rm(file, { force: true });
    return 'done';
  }

  /** The job handler: runs the import; after the last retry, marks it failed with a message fit to show. */
  async runJob(payload: { workspaceId: string; operationId: string }, jobId: string): Promise<void> {
    try {
      await this.runImport(payload.workspaceId, payload.operationId);
    } catch (e) {
      // Database errors carry the failed query's parameters (personal data): they go to the redacted log only.
      const message = e instanceof AppError ? e.message : 'The import was interrupted by an internal error.';
      const job = await this.deps.queue.boss.getJobById(runImportJob.name, jobId).catch(() => null);
      if (job && job.retryCount >= job.retryLimit) await this.fail(payload.workspaceId, payload.operationId, message);
      else
        await this.noteAttemptError(
          payload.workspaceId,
          payload.operationId,
          `${message} It will resume automatically.`,
        );
      throw e;
    }
  }

  /** Streams leads to CSV or JSON lines (see export.ts). */
  async exportLeads(access: WorkspaceAccess, params: ExportParams) {
    return new LeadsExporter(this.deps).open(access, params);
  }

  /** Marks the import failed (after its last retry, or when retrying cannot help). Committed chunks stay. */
  async fail(workspaceId: string, operationId: string, message: string): Promise<void> {
    await this.deps.repo.updateOperation(this.deps.db, workspaceId, operationId, {
      status: 'failed',
      error: message.slice(0, 1000),
      finishedAt: new Date(),
    });
  }

  /** Records the error of a failed attempt (the job will be retried) so the progress view can say what happened. */
  async noteAttemptError(workspaceId: string, operationId: string, message: string): Promise<void> {
    await this.deps.repo.updateOperation(this.deps.db, workspaceId, operationId, { error: message.slice(0, 1000) });
  }

  /** The rejected rows as CSV: the original columns, the row number and the reason. */
  async rejectsCsv(access: WorkspaceAccess, operationId: string): Promise<{ filename: string; stream: Readable }> {
    this.deps.workspaces.assertCan(access, 'leads.import');
    const op = await this.importOperation(access.workspaceId, operationId);
    const repo = this.deps.repo;
    // Operations made outside the upload path (older rows, other tools) may lack these: fall back, never 500.
    const headers: string[] = Array.isArray(op.details.headers) ? op.details.headers : [];
    const fileName = typeof op.details.fileName === 'string' ? op.details.fileName : 'import';
    async function* rows() {
      yield [...headers, 'row', 'reason'];
      let after = 0;
      for (;;) {
        const page = await repo.rejectsPage(access.workspaceId, operationId, after, 1000);
        for (const r of page) {
          const cells = headers.map((_, i) => r.raw[i] ?? '');
          yield [...cells, String(r.row), r.reason];
        }
        if (page.length < 1000) return;
        after = page.at(-1)!.row;
      }
    }
    const source = Readable.from(rows());
    const out = stringify({ bom: true, cast: { string: neutraliseCell } } as never);
    source.on('error', (e) => out.destroy(e));
    out.on('close', () => source.destroy());
    source.pipe(out);
    const base =
      fileName
        .replace(/\.[^.]*$/, '')
        .replace(/[^\w.-]+/g, '_')
        .slice(0, 80) || 'import';
    return { filename: `${base}-rejected.csv`, stream: out };
  }
}

const refused = (message: string) =>
  new AppError('validation_failed', message, { details: [{ path: 'file', message }] });
const tooLarge = () =>
  new AppError('payload_too_large', 'The file is larger than 2 GB. Split it and upload the parts one by one.');
