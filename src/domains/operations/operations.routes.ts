import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { workspaceAccess } from '../../http/request-context';
import { isoDate, workspaceParams } from '../../http/schemas';

const kindSchema = z.enum(['import', 'export', 'bulk']);

const operationSchema = z.object({
  id: z.uuid(),
  kind: kindSchema,
  status: z.enum(['pending', 'running', 'succeeded', 'failed']),
  total: z.number().int().nullable(),
  processed: z.number().int(),
  details: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  createdAt: isoDate,
  finishedAt: isoDate.nullable(),
});

/** Operations (imports, exports, bulk actions) under `/api/v1/workspaces/:workspaceId/operations`. */
export function operationsRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['operations'];

    app.get(
      '/:workspaceId/operations',
      {
        schema: {
          tags,
          summary: 'Recent operations, newest first',
          params: workspaceParams,
          querystring: z.object({
            kind: kindSchema.optional(),
            limit: z.coerce.number().int().min(1).max(100).default(20),
          }),
          response: { 200: z.object({ items: z.array(operationSchema) }) },
        },
      },
      async (req) => ({
        items: await c.operations.list(await workspaceAccess(c, req, req.params.workspaceId), req.query),
      }),
    );

    app.get(
      '/:workspaceId/operations/:operationId',
      {
        schema: {
          tags,
          summary: 'One operation and its progress',
          params: workspaceParams.extend({ operationId: z.uuid({ message: 'operationId must be a UUID' }) }),
          response: { 200: operationSchema },
        },
      },
      async (req) => c.operations.show(await workspaceAccess(c, req, req.params.workspaceId), req.params.operationId),
    );
  };
}
