import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../app/container';
import { workspaceAccess } from '../http/request-context';
import { isoDate, workspaceParams } from '../http/schemas';

/** `/api/v1/workspaces/:workspaceId/jobs/failed`: the dead-letter view of a workspace's background jobs. */
export function jobsRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['jobs'];
    app.get(
      '/:workspaceId/jobs/failed',
      {
        schema: {
          tags,
          summary: 'Jobs that failed after every retry',
          params: workspaceParams,
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  id: z.string(),
                  queue: z.string(),
                  error: z.string(),
                  createdOn: isoDate,
                  completedOn: isoDate.nullable(),
                  retryCount: z.number(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => {
        const access = await workspaceAccess(c, req, req.params.workspaceId);
        c.workspaces.assertCan(access, 'jobs.read');
        return { items: await c.queue.listFailed(access.workspaceId) };
      },
    );

    app.post(
      '/:workspaceId/jobs/failed/:jobId/retry',
      { schema: { tags, summary: 'Run a failed job again', params: workspaceParams.extend({ jobId: z.uuid() }) } },
      async (req, reply) => {
        const access = await workspaceAccess(c, req, req.params.workspaceId);
        c.workspaces.assertCan(access, 'jobs.read');
        await c.queue.retryFailed(access.workspaceId, req.params.jobId);
        return reply.code(202).send();
      },
    );
  };
}
