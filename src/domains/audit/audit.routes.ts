import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { workspaceAccess } from '../../http/request-context';
import { isoDate, workspaceParams } from '../../http/schemas';

const entrySchema = z.object({
  id: z.uuid(),
  action: z.string(),
  actor: z.object({
    type: z.enum(['user', 'api_key', 'system', 'anonymous']),
    id: z.uuid().nullable(),
    name: z.string().nullable(),
  }),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  sessionId: z.uuid().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
});

/** `/api/v1/workspaces/:workspaceId/audit-log` (admins): browse and filter; the log has no write routes. */
export function auditRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['audit'];
    app.get(
      '/:workspaceId/audit-log',
      {
        schema: {
          tags,
          summary: 'Audit log, newest first, keyset-paged',
          params: workspaceParams,
          querystring: z.object({
            action: z.string().max(100).optional(),
            actorUserId: z.uuid().optional(),
            from: isoDate.optional(),
            to: isoDate.optional(),
            cursor: z.string().max(200).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
          response: { 200: z.object({ items: z.array(entrySchema), nextCursor: z.string().nullable() }) },
        },
      },
      async (req) => {
        const access = await workspaceAccess(c, req, req.params.workspaceId);
        c.workspaces.assertCan(access, 'audit.read');
        return c.audit.list(access.workspaceId, req.query);
      },
    );

    app.get(
      '/:workspaceId/audit-log/actions',
      {
        schema: {
          tags,
          summary: 'Actions present in the log (for filters)',
          params: workspaceParams,
          response: { 200: z.object({ items: z.array(z.string()) }) },
        },
      },
      async (req) => {
        const access = await workspaceAccess(c, req, req.params.workspaceId);
        c.workspaces.assertCan(access, 'audit.read');
        return { items: await c.audit.actions(access.workspaceId) };
      },
    );
  };
}
