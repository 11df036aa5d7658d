import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { FIELD_TYPES } from '../../db/schema';
import { workspaceAccess } from '../../http/request-context';
import { nameSchema, workspaceParams } from '../../http/schemas';

const entitySchema = z.enum(['lead', 'contact']);

const optionSchema = z.object({ value: z.string(), label: z.string(), color: z.string().optional() });

const fieldSchema = z.object({
  id: z.uuid(),
  entity: entitySchema,
  key: z.string(),
  label: z.string(),
  type: z.enum(FIELD_TYPES),
  required: z.boolean(),
  options: z.array(optionSchema),
  currency: z.string().nullable(),
  position: z.number().int(),
  archived: z.boolean(),
});

const optionInput = z.object({
  value: z.string().trim().max(100).optional(),
  label: z.string().trim().min(1, { message: 'Every option needs a label' }).max(100),
  color: z.string().max(30).optional(),
});

const fieldParams = workspaceParams.extend({ fieldId: z.uuid({ message: 'fieldId must be a UUID' }) });

/** Custom field definitions under `/api/v1/workspaces/:workspaceId/fields` (docs/api-contract.md, Settings). */
export function fieldsRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['fields'];

    app.get(
      '/:workspaceId/fields',
      {
        schema: {
          tags,
          summary: 'Custom fields of leads or contacts, in display order',
          params: workspaceParams,
          querystring: z.object({
            entity: entitySchema.optional(),
            includeArchived: z.enum(['true', 'false']).optional(),
          }),
          response: { 200: z.object({ items: z.array(fieldSchema) }) },
        },
      },
      async (req) => ({
        items: await c.fields.list(await workspaceAccess(c, req, req.params.workspaceId), {
          entity: req.query.entity,
          includeArchived: req.query.includeArchived === 'true',
        }),
      }),
    );

    app.post(
      '/:workspaceId/fields',
      {
        schema: {
          tags,
          summary: 'Create a custom field (key derived from the label when absent)',
          params: workspaceParams,
          body: z.object({
            entity: entitySchema,
            label: nameSchema,
            type: z.enum(FIELD_TYPES),
            key: z.string().trim().min(1).max(40, { message: 'Use at most 40 characters' }).optional(),
            required: z.boolean().optional(),
            options: z.array(optionInput).max(200).optional(),
            currency: z
              .string()
              .regex(/^[A-Z]{3}$/, { message: 'Use a three-letter currency code such as MYR' })
              .nullable()
              .optional(),
          }),
          response: { 201: fieldSchema },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await c.fields.create(await workspaceAccess(c, req, req.params.workspaceId), req.body)),
    );

    app.patch(
      '/:workspaceId/fields/:fieldId',
      {
        schema: {
          tags,
          summary: 'Change a field (its type and key never change)',
          params: fieldParams,
          body: z.object({
            label: nameSchema.optional(),
            required: z.boolean().optional(),
            options: z.array(optionInput).max(200).optional(),
            position: z.number().int().min(0).optional(),
            archived: z.boolean().optional(),
            type: z.string().optional(),
            key: z.string().optional(),
          }),
          response: { 200: fieldSchema },
        },
      },
      async (req) =>
        c.fields.update(await workspaceAccess(c, req, req.params.workspaceId), req.params.fieldId, req.body),
    );

    app.delete(
      '/:workspaceId/fields/:fieldId',
      { schema: { tags, summary: 'Archive a field (values are kept)', params: fieldParams } },
      async (req, reply) => {
        await c.fields.archive(await workspaceAccess(c, req, req.params.workspaceId), req.params.fieldId);
        return reply.code(204).send();
      },
    );
  };
}
