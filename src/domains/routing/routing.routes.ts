import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { ROLES } from '../../db/schema';
import { workspaceAccess } from '../../http/request-context';
import { nameSchema, workspaceParams } from '../../http/schemas';
import { CONDITION_OPS } from './conditions';

const conditionSchema = z.object({
  field: z.string().min(1).max(100),
  op: z.enum(CONDITION_OPS),
  value: z.unknown().optional(),
});

const assignSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), userId: z.uuid({ message: 'userId must be a UUID' }) }),
  z.object({
    type: z.literal('round_robin'),
    userIds: z.array(z.uuid()).min(1, { message: 'Choose at least one member' }).max(100),
  }),
]);

const ruleSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  position: z.number().int(),
  enabled: z.boolean(),
  conditions: z.array(z.object({ field: z.string(), op: z.enum(CONDITION_OPS), value: z.unknown() })),
  assign: assignSchema,
});

const memberSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  role: z.enum(ROLES),
  available: z.boolean(),
  capacity: z.number().int().nullable(),
  openLeads: z.number().int(),
});

const ruleBody = z.object({
  name: nameSchema,
  enabled: z.boolean().optional(),
  conditions: z.array(conditionSchema).max(20).optional(),
  assign: assignSchema,
});

const ruleParams = workspaceParams.extend({ ruleId: z.uuid({ message: 'ruleId must be a UUID' }) });

/** Routing rules and members' routing settings under `/api/v1/workspaces/:workspaceId/routing`. */
export function routingRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['routing'];

    app.get(
      '/:workspaceId/routing/rules',
      {
        schema: {
          tags,
          summary: 'Routing rules, in evaluation order',
          params: workspaceParams,
          response: { 200: z.object({ items: z.array(ruleSchema) }) },
        },
      },
      async (req) => ({ items: await c.routing.listRules(await workspaceAccess(c, req, req.params.workspaceId)) }),
    );

    app.post(
      '/:workspaceId/routing/rules',
      {
        schema: {
          tags,
          summary: 'Add a routing rule (evaluated after the existing ones)',
          params: workspaceParams,
          body: ruleBody,
          response: { 201: ruleSchema },
        },
      },
      async (req, reply) =>
        reply
          .code(201)
          .send(await c.routing.createRule(await workspaceAccess(c, req, req.params.workspaceId), req.body)),
    );

    app.put(
      '/:workspaceId/routing/rules/order',
      {
        schema: {
          tags,
          summary: 'Reorder the routing rules',
          params: workspaceParams,
          body: z.object({ ruleIds: z.array(z.uuid()).max(500) }),
          response: { 200: z.object({ items: z.array(ruleSchema) }) },
        },
      },
      async (req) => ({
        items: await c.routing.reorderRules(await workspaceAccess(c, req, req.params.workspaceId), req.body.ruleIds),
      }),
    );

    app.patch(
      '/:workspaceId/routing/rules/:ruleId',
      {
        schema: {
          tags,
          summary: 'Change a routing rule',
          params: ruleParams,
          body: ruleBody.partial(),
          response: { 200: ruleSchema },
        },
      },
      async (req) =>
        c.routing.updateRule(await workspaceAccess(c, req, req.params.workspaceId), req.params.ruleId, req.body),
    );

    app.delete(
      '/:workspaceId/routing/rules/:ruleId',
      { schema: { tags, summary: 'Delete a routing rule', params: ruleParams } },
      async (req, reply) => {
        await c.routing.deleteRule(await workspaceAccess(c, req, req.params.workspaceId), req.params.ruleId);
        return reply.code(204).send();
      },
    );

    app.get(
      '/:workspaceId/routing/members',
      {
        schema: {
          tags,
          summary: 'Members with their availability, capacity and open leads',
          params: workspaceParams,
          response: { 200: z.object({ items: z.array(memberSchema) }) },
        },
      },
      async (req) => ({ items: await c.routing.listMembers(await workspaceAccess(c, req, req.params.workspaceId)) }),
    );

    app.patch(
      '/:workspaceId/routing/members/:userId',
      {
        schema: {
          tags,
          summary: 'Set a member\u2019s availability or capacity (members may set their own availability)',
          params: workspaceParams.extend({ userId: z.uuid({ message: 'userId must be a UUID' }) }),
          body: z.object({
            available: z.boolean().optional(),
            capacity: z.number().int().min(0).max(100_000).nullable().optional(),
          }),
          response: { 200: memberSchema },
        },
      },
      async (req) =>
        c.routing.updateMember(await workspaceAccess(c, req, req.params.workspaceId), req.params.userId, req.body),
    );
  };
}
