import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { workspaceAccess } from '../../http/request-context';
import { isoDate, nameSchema, workspaceParams } from '../../http/schemas';
import { leadQuerySchema } from '../leads/lead-query';

const viewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  shared: z.boolean(),
  ownerId: z.uuid(),
  query: leadQuerySchema,
  columns: z.array(z.string()),
  createdAt: isoDate,
});

const columnsSchema = z.array(z.string().min(1).max(100)).max(60);

const viewParams = workspaceParams.extend({ viewId: z.uuid({ message: 'viewId must be a UUID' }) });

/** Saved leads views under `/api/v1/workspaces/:workspaceId/views`. */
export function viewsRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['views'];

    app.get(
      '/:workspaceId/views',
      {
        schema: {
          tags,
          summary: 'Your saved views and the shared ones',
          params: workspaceParams,
          response: { 200: z.object({ items: z.array(viewSchema) }) },
        },
      },
      async (req) => ({ items: await c.views.list(await workspaceAccess(c, req, req.params.workspaceId)) }),
    );

    app.post(
      '/:workspaceId/views',
      {
        schema: {
          tags,
          summary: 'Save a view',
          params: workspaceParams,
          body: z.object({
            name: nameSchema,
            shared: z.boolean().optional(),
            query: leadQuerySchema,
            columns: columnsSchema.optional(),
          }),
          response: { 201: viewSchema },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await c.views.create(await workspaceAccess(c, req, req.params.workspaceId), req.body)),
    );

    app.patch(
      '/:workspaceId/views/:viewId',
      {
        schema: {
          tags,
          summary: 'Change a view (owner, or settings.manage for shared ones)',
          params: viewParams,
          body: z.object({
            name: nameSchema.optional(),
            shared: z.boolean().optional(),
            query: leadQuerySchema.optional(),
            columns: columnsSchema.optional(),
          }),
          response: { 200: viewSchema },
        },
      },
      async (req) => c.views.update(await workspaceAccess(c, req, req.params.workspaceId), req.params.viewId, req.body),
    );

    app.delete(
      '/:workspaceId/views/:viewId',
      { schema: { tags, summary: 'Delete a view (owner, or settings.manage for shared ones)', params: viewParams } },
      async (req, reply) => {
        await c.views.remove(await workspaceAccess(c, req, req.params.workspaceId), req.params.viewId);
        return reply.code(204).send();
      },
    );
  };
}
