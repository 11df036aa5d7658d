import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { workspaceAccess } from '../../http/request-context';
import { isoDate, workspaceParams } from '../../http/schemas';
import { AppError } from '../../lib/errors';
import { mappingSchema, UPSERT_KEYS } from './column-mapping';
import { exportQuerySchema } from './export';
import { MAX_UPLOAD_BYTES } from './imports.service';

const operationParams = workspaceParams.extend({ operationId: z.uuid({ message: 'operationId must be a UUID' }) });

const importOptionsSchema = z.object({
  mapping: mappingSchema,
  upsertKey: z.enum(UPSERT_KEYS),
  defaults: z
    .object({
      pipelineId: z.uuid().optional(),
      stageId: z.uuid().optional(),
      ownerId: z.uuid().optional(),
      tags: z.array(z.string().trim().min(1).max(100)).max(20).optional(),
    })
    .default({}),
});

const operationSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['import', 'export', 'bulk']),
  status: z.enum(['pending', 'running', 'succeeded', 'failed']),
  total: z.number().nullable(),
  processed: z.number(),
  details: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  createdAt: isoDate,
  finishedAt: isoDate.nullable(),
});

const uploadSchema = z.object({
  operationId: z.uuid(),
  headers: z.array(z.string()),
  sample: z.array(z.array(z.string())),
  delimiter: z.string(),
  detectedFormat: z.enum(['generic', 'meta_lead_ads']),
  suggestedMapping: z.record(z.string(), z.string()),
});

const rowOutcomeSchema = z.object({
  row: z.number(),
  action: z.enum(['create', 'update', 'reject']),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  reason: z.string().optional(),
});

const previewSchema = z.object({
  create: z.number(),
  update: z.number(),
  reject: z.number(),
  /** True when only the first 50,000 rows were read. */
  sampled: z.boolean(),
  rowsRead: z.number(),
  rejects: z.array(z.object({ row: z.number(), reason: z.string() })),
  rows: z.array(rowOutcomeSchema),
});

const attachment = (filename: string) => `attachment; filename="${filename.replace(/["\\\r\n]/g, '_')}"`;

/** Multipart errors of @fastify/multipart, told in the API's words. */
async function uploadedFile(req: FastifyRequest) {
  let data: Awaited<ReturnType<FastifyRequest['file']>>;
  try {
    data = await req.file();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
      throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data in a field named "file".');
    }
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT')
      throw new AppError('validation_failed', 'Send one file at a time.');
    throw new AppError('validation_failed', 'The upload could not be read. Send the file as multipart/form-data.');
  }
  if (!data)
    throw new AppError('validation_failed', 'No file was sent. Send it in a field named "file".', {
      details: [{ path: 'file', message: 'Required' }],
    });
  return data;
}

/** Routes under `/api/v1/workspaces/:workspaceId` (issue 4; see docs/api-contract.md "Import and export"). */
export function importsRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['imports'];
    // Streams to disk, never buffered; registered here so only these routes accept multipart bodies.
    await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, parts: 20 } });

    app.post(
      '/:workspaceId/imports',
      {
        schema: {
          tags,
          summary: 'Upload a CSV file to import (multipart field "file", up to 2 GB)',
          params: workspaceParams,
          consumes: ['multipart/form-data'],
          response: { 201: uploadSchema },
        },
      },
      async (req, reply) => {
        const access = await workspaceAccess(c, req, req.params.workspaceId);
        c.workspaces.assertCan(access, 'leads.import');
        const data = await uploadedFile(req);
        const result = await c.imports.upload(access, { filename: data.filename ?? 'upload.csv', stream: data.file });
        return reply.code(201).send(result);
      },
    );

    app.get(
      '/:workspaceId/imports/last-mapping',
      {
        schema: {
          tags,
          summary: 'The mapping used by the last import, by header name',
          params: workspaceParams,
          response: { 200: z.object({ mapping: z.record(z.string(), z.string()).nullable() }) },
        },
      },
      async (req) => c.imports.lastMapping(await workspaceAccess(c, req, req.params.workspaceId)),
    );

    app.post(
      '/:workspaceId/imports/:operationId/preview',
      {
        schema: {
          tags,
          summary: 'Dry run: what the import would create, update or reject (nothing is written)',
          params: operationParams,
          body: importOptionsSchema,
          response: { 200: previewSchema },
        },
      },
      async (req) =>
        c.imports.preview(await workspaceAccess(c, req, req.params.workspaceId), req.params.operationId, req.body),
    );

    app.post(
      '/:workspaceId/imports/:operationId/start',
      {
        schema: {
          tags,
          summary: 'Start the import (runs as a job; progress at /operations/:operationId)',
          params: operationParams,
          body: importOptionsSchema,
          response: { 202: operationSchema },
        },
      },
      async (req, reply) => {
        const op = await c.imports.start(
          await workspaceAccess(c, req, req.params.workspaceId),
          req.params.operationId,
          req.body,
        );
        return reply.code(202).send(op);
      },
    );

    app.get(
      '/:workspaceId/imports/:operationId/rejects.csv',
      { schema: { tags, summary: 'The rejected rows with the reason for each', params: operationParams } },
      async (req, reply) => {
        const { filename, stream } = await c.imports.rejectsCsv(
          await workspaceAccess(c, req, req.params.workspaceId),
          req.params.operationId,
        );
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', attachment(filename))
          .header('cache-control', 'no-store')
          .send(stream);
      },
    );

    app.get(
      '/:workspaceId/leads/export',
      {
        schema: {
          tags: ['leads'],
          summary: 'Export leads (the current view or all) as CSV or JSON lines, streamed',
          params: workspaceParams,
          querystring: exportQuerySchema,
        },
      },
      async (req, reply) => {
        const { filename, contentType, stream } = await c.imports.exportLeads(
          await workspaceAccess(c, req, req.params.workspaceId),
          req.query,
        );
        return reply
          .type(contentType)
          .header('content-disposition', attachment(filename))
          .header('cache-control', 'no-store')
          .send(stream);
      },
    );
  };
}
