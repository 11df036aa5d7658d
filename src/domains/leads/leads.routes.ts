import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { workspaceAccess } from '../../http/request-context';
import { workspaceParams } from '../../http/schemas';
import { timelineQuery, timelineSchema } from '../activity/activity.schemas';
import {
  bulkBodySchema,
  leadCreateSchema,
  leadDetailSchema,
  leadListQuerySchema,
  leadPageSchema,
  leadPatchSchema,
  leadQueryBodySchema,
  leadSchema,
} from './leads.schemas';

/** Leads under `/api/v1/workspaces/:workspaceId` (the export is served by the export routes). */
export function leadsRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['leads'];
    const leadParams = workspaceParams.extend({ leadId: z.uuid({ message: 'leadId must be a UUID' }) });

    app.post(
      '/:workspaceId/leads/query',
      {
        schema: {
          tags,
          summary: 'Leads matching a query: search, filters, one sort, keyset cursor and an optional count',
          params: workspaceParams,
          body: leadQueryBodySchema,
          response: { 200: leadPageSchema },
        },
      },
      async (req) => c.leads.query(await workspaceAccess(c, req, req.params.workspaceId), req.body),
    );

    app.get(
      '/:workspaceId/leads',
      {
        schema: {
          tags,
          summary: 'Leads, newest first, with simple filters (POST /leads/query takes any filter)',
          params: workspaceParams,
          querystring: leadListQuerySchema,
          response: { 200: leadPageSchema },
        },
      },
      async (req) => c.leads.list(await workspaceAccess(c, req, req.params.workspaceId), req.query),
    );

    app.post(
      '/:workspaceId/leads',
      {
        schema: {
          tags,
          summary: 'Create a lead; the contact is found by email or phone, or created',
          params: workspaceParams,
          body: leadCreateSchema,
          response: { 201: leadSchema },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await c.leads.create(await workspaceAccess(c, req, req.params.workspaceId), req.body)),
    );

    app.post(
      '/:workspaceId/leads/bulk',
      {
        schema: {
          tags,
          summary: 'Assign, tag, move or delete many leads (over 500: a background operation)',
          params: workspaceParams,
          body: bulkBodySchema,
          response: { 200: z.object({ updated: z.number().int() }), 202: z.object({ operationId: z.uuid() }) },
        },
      },
      async (req, reply) => {
        const result = await c.leads.bulk(await workspaceAccess(c, req, req.params.workspaceId), req.body);
        return 'operationId' in result ? reply.code(202).send(result) : reply.code(200).send(result);
      },
    );

    app.get(
      '/:workspaceId/leads/:leadId',
      {
        schema: {
          tags,
          summary: 'A lead with its contact and owner',
          params: leadParams,
          response: { 200: leadDetailSchema },
        },
      },
      async (req) => c.leads.get(await workspaceAccess(c, req, req.params.workspaceId), req.params.leadId),
    );

    app.patch(
      '/:workspaceId/leads/:leadId',
      {
        schema: {
          tags,
          summary: 'Edit a lead (name, email and phone edit its contact and every lead of it)',
          params: leadParams,
          body: leadPatchSchema,
          response: { 200: leadSchema },
        },
      },
      async (req) => c.leads.update(await workspaceAccess(c, req, req.params.workspaceId), req.params.leadId, req.body),
    );

    app.delete(
      '/:workspaceId/leads/:leadId',
      { schema: { tags, summary: 'Delete a lead with its tasks and timeline', params: leadParams } },
      async (req, reply) => {
        await c.leads.delete(await workspaceAccess(c, req, req.params.workspaceId), req.params.leadId);
        return reply.code(204).send();
      },
    );

    app.get(
      '/:workspaceId/leads/:leadId/timeline',
      {
        schema: {
          tags,
          summary: 'What happened to a lead, newest first',
          params: leadParams,
          querystring: timelineQuery,
          response: { 200: timelineSchema },
        },
      },
      async (req) =>
        c.leads.timeline(await workspaceAccess(c, req, req.params.workspaceId), req.params.leadId, req.query),
    );

    app.get(
      '/:workspaceId/tags',
      {
        schema: {
          tags,
          summary: 'Tags in use on leads, most used first',
          params: workspaceParams,
          response: { 200: z.object({ items: z.array(z.object({ name: z.string(), count: z.number().int() })) }) },
        },
      },
      async (req) => ({ items: await c.leads.tags(await workspaceAccess(c, req, req.params.workspaceId)) }),
    );
  };
}
