import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { STAGE_KINDS } from '../../db/schema';
import { workspaceAccess } from '../../http/request-context';
import { nameSchema, workspaceParams } from '../../http/schemas';
import { AppError } from '../../lib/errors';
import { type LeadQuery, leadQuerySchema } from '../leads/lead-query';

const colorSchema = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$|^[a-z]{3,20}$/, { message: 'Use a colour like #228be6 or a name like blue' });

const stageSchema = z.object({
  id: z.uuid(),
  pipelineId: z.uuid(),
  name: z.string(),
  position: z.number().int(),
  kind: z.enum(STAGE_KINDS),
  color: z.string(),
});

const pipelineSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  position: z.number().int(),
  isDefault: z.boolean(),
  stages: z.array(stageSchema),
});

const stageInput = z.object({ name: nameSchema, kind: z.enum(STAGE_KINDS).optional(), color: colorSchema.optional() });

const pipelineParams = workspaceParams.extend({ pipelineId: z.uuid({ message: 'pipelineId must be a UUID' }) });
const stageParams = workspaceParams.extend({ stageId: z.uuid({ message: 'stageId must be a UUID' }) });

/** A LeadQuery passed in a URL: base64url of its JSON. */
export function decodeLeadQueryParam(encoded: string | undefined): LeadQuery {
  if (!encoded) return leadQuerySchema.parse({});
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('validation_failed', 'The query parameter is not base64url-encoded JSON.', {
      details: [{ path: 'query', message: 'Not base64url JSON' }],
    });
  }
  const parsed = leadQuerySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const message = `The query is not valid: ${issue.path.join('.') || 'query'}: ${issue.message}`;
    throw new AppError('validation_failed', message, { details: [{ path: `query.${issue.path.join('.')}`, message }] });
  }
  return parsed.data;
}

/** Pipelines and stages under `/api/v1/workspaces/:workspaceId` (docs/api-contract.md, Settings). */
export function pipelinesRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['pipelines'];

    app.get(
      '/:workspaceId/pipelines',
      {
        schema: {
          tags,
          summary: 'Pipelines with their stages, in order',
          params: workspaceParams,
          response: { 200: z.object({ items: z.array(pipelineSchema) }) },
        },
      },
      async (req) => ({ items: await c.pipelines.list(await workspaceAccess(c, req, req.params.workspaceId)) }),
    );

    app.post(
      '/:workspaceId/pipelines',
      {
        schema: {
          tags,
          summary: 'Create a pipeline (default stages when none are given)',
          params: workspaceParams,
          body: z.object({ name: nameSchema, stages: z.array(stageInput).max(50).optional() }),
          response: { 201: pipelineSchema },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await c.pipelines.create(await workspaceAccess(c, req, req.params.workspaceId), req.body)),
    );

    app.patch(
      '/:workspaceId/pipelines/:pipelineId',
      {
        schema: {
          tags,
          summary: 'Rename a pipeline or make it the default',
          params: pipelineParams,
          body: z.object({ name: nameSchema.optional(), isDefault: z.boolean().optional() }),
          response: { 200: pipelineSchema },
        },
      },
      async (req) =>
        c.pipelines.update(await workspaceAccess(c, req, req.params.workspaceId), req.params.pipelineId, req.body),
    );

    app.delete(
      '/:workspaceId/pipelines/:pipelineId',
      {
        schema: {
          tags,
          summary: 'Delete a pipeline (409 while it has leads or is the default)',
          params: pipelineParams,
        },
      },
      async (req, reply) => {
        await c.pipelines.remove(await workspaceAccess(c, req, req.params.workspaceId), req.params.pipelineId);
        return reply.code(204).send();
      },
    );

    app.post(
      '/:workspaceId/pipelines/:pipelineId/stages',
      {
        schema: {
          tags,
          summary: 'Add a stage (open stages go before won/lost)',
          params: pipelineParams,
          body: stageInput,
          response: { 201: stageSchema },
        },
      },
      async (req, reply) =>
        reply
          .code(201)
          .send(
            await c.pipelines.addStage(
              await workspaceAccess(c, req, req.params.workspaceId),
              req.params.pipelineId,
              req.body,
            ),
          ),
    );

    app.put(
      '/:workspaceId/pipelines/:pipelineId/stage-order',
      {
        schema: {
          tags,
          summary: 'Reorder the stages of a pipeline',
          params: pipelineParams,
          body: z.object({ stageIds: z.array(z.uuid()).min(1).max(100) }),
          response: { 200: pipelineSchema },
        },
      },
      async (req) =>
        c.pipelines.reorderStages(
          await workspaceAccess(c, req, req.params.workspaceId),
          req.params.pipelineId,
          req.body.stageIds,
        ),
    );

    app.get(
      '/:workspaceId/pipelines/:pipelineId/summary',
      {
        schema: {
          tags,
          summary: 'Lead count and total value per stage, for the board',
          description: '`query` is a LeadQuery as base64url JSON. Agents count only their own leads.',
          params: pipelineParams,
          querystring: z.object({ query: z.string().max(20_000).optional() }),
          response: {
            200: z.object({
              stages: z.array(z.object({ stageId: z.uuid(), count: z.number().int(), value: z.number().nullable() })),
            }),
          },
        },
      },
      async (req) => {
        const access = await workspaceAccess(c, req, req.params.workspaceId);
        return c.pipelines.summary(access, req.params.pipelineId, decodeLeadQueryParam(req.query.query));
      },
    );

    app.patch(
      '/:workspaceId/stages/:stageId',
      {
        schema: {
          tags,
          summary: 'Rename a stage, change its kind or colour',
          params: stageParams,
          body: stageInput.partial(),
          response: { 200: stageSchema },
        },
      },
      async (req) =>
        c.pipelines.updateStage(await workspaceAccess(c, req, req.params.workspaceId), req.params.stageId, req.body),
    );

    app.delete(
      '/:workspaceId/stages/:stageId',
      {
        schema: {
          tags,
          summary: 'Delete a stage; its leads move to `moveTo` (409 without it when it has leads)',
          params: stageParams,
          querystring: z.object({ moveTo: z.uuid({ message: 'moveTo must be a stage id' }).optional() }),
        },
      },
      async (req, reply) => {
        await c.pipelines.removeStage(
          await workspaceAccess(c, req, req.params.workspaceId),
          req.params.stageId,
          req.query.moveTo,
        );
        return reply.code(204).send();
      },
    );
  };
}
