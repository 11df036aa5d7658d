import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { workspaceAccess } from '../../http/request-context';
import { isoDate, nameSchema, workspaceParams } from '../../http/schemas';

const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: isoDate,
  expiresAt: isoDate.nullable(),
  lastUsedAt: isoDate.nullable(),
  createdBy: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
});

/** `/api/v1/workspaces/:workspaceId/api-keys`. */
export function apiKeysRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['api-keys'];

    app.get(
      '/:workspaceId/api-keys',
      {
        schema: {
          tags,
          summary: 'Active API keys',
          params: workspaceParams,
          response: { 200: z.object({ items: z.array(apiKeySchema) }) },
        },
      },
      async (req) => ({ items: await c.apiKeys.list(await workspaceAccess(c, req, req.params.workspaceId)) }),
    );

    app.get(
      '/:workspaceId/api-keys/scopes',
      {
        schema: {
          tags,
          summary: 'Scopes a key can be given',
          params: workspaceParams,
          response: { 200: z.object({ items: z.array(z.object({ scope: z.string(), description: z.string() })) }) },
        },
      },
      async (req) => {
        await workspaceAccess(c, req, req.params.workspaceId);
        return { items: c.apiKeys.scopes() };
      },
    );

    app.post(
      '/:workspaceId/api-keys',
      {
        schema: {
          tags,
          summary: 'Create a key; the secret is returned once',
          params: workspaceParams,
          body: z.object({
            name: nameSchema,
            scopes: z.array(z.string()).min(1, { message: 'Choose at least one scope' }).max(50),
            expiresAt: isoDate.nullable().optional(),
          }),
          response: { 201: z.object({ apiKey: apiKeySchema, secret: z.string() }) },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await c.apiKeys.create(await workspaceAccess(c, req, req.params.workspaceId), req.body)),
    );

    app.delete(
      '/:workspaceId/api-keys/:keyId',
      { schema: { tags, summary: 'Revoke a key', params: workspaceParams.extend({ keyId: z.uuid() }) } },
      async (req, reply) => {
        await c.apiKeys.revoke(await workspaceAccess(c, req, req.params.workspaceId), req.params.keyId);
        return reply.code(204).send();
      },
    );
  };
}
