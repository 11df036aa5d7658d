import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { workspaceAccess } from '../../http/request-context';
import { workspaceParams } from '../../http/schemas';
import { timelineQuery, timelineSchema } from '../activity/activity.schemas';
import { leadSchema } from '../leads/leads.schemas';
import { contactCreateSchema, contactPatchSchema, contactSchema, identitySchema } from './contacts.schemas';

/** Contacts under `/api/v1/workspaces/:workspaceId`: list, CRUD, timeline, duplicates, merge and undo. */
export function contactsRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['contacts'];
    const contactParams = workspaceParams.extend({ contactId: z.uuid({ message: 'contactId must be a UUID' }) });

    app.get(
      '/:workspaceId/contacts',
      {
        schema: {
          tags,
          summary: 'Contacts, newest first; q searches name, email and phone',
          params: workspaceParams,
          querystring: z.object({
            q: z.string().trim().max(200).optional(),
            cursor: z.string().max(500).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
          response: { 200: z.object({ items: z.array(contactSchema), nextCursor: z.string().nullable() }) },
        },
      },
      async (req) => c.contacts.list(await workspaceAccess(c, req, req.params.workspaceId), req.query),
    );

    app.post(
      '/:workspaceId/contacts',
      {
        schema: {
          tags,
          summary: 'Create a contact (409 when its email or phone already belongs to one)',
          params: workspaceParams,
          body: contactCreateSchema,
          response: { 201: contactSchema },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await c.contacts.create(await workspaceAccess(c, req, req.params.workspaceId), req.body)),
    );

    app.get(
      '/:workspaceId/contacts/:contactId',
      {
        schema: {
          tags,
          summary: 'A contact with its identities and leads',
          params: contactParams,
          response: {
            200: contactSchema.extend({ identities: z.array(identitySchema), leads: z.array(leadSchema) }),
          },
        },
      },
      async (req) => c.contacts.get(await workspaceAccess(c, req, req.params.workspaceId), req.params.contactId),
    );

    app.patch(
      '/:workspaceId/contacts/:contactId',
      {
        schema: {
          tags,
          summary: 'Edit a contact (name, email and phone change on every lead of it too)',
          params: contactParams,
          body: contactPatchSchema,
          response: { 200: contactSchema },
        },
      },
      async (req) =>
        c.contacts.update(await workspaceAccess(c, req, req.params.workspaceId), req.params.contactId, req.body),
    );

    app.delete(
      '/:workspaceId/contacts/:contactId',
      {
        schema: {
          tags,
          summary: 'Delete a contact with its leads, notes, tasks, timeline and identities',
          params: contactParams,
        },
      },
      async (req, reply) => {
        await c.contacts.delete(await workspaceAccess(c, req, req.params.workspaceId), req.params.contactId);
        return reply.code(204).send();
      },
    );

    app.get(
      '/:workspaceId/contacts/:contactId/timeline',
      {
        schema: {
          tags,
          summary: 'Everything that happened to a contact and its leads, newest first',
          params: contactParams,
          querystring: timelineQuery,
          response: { 200: timelineSchema },
        },
      },
      async (req) =>
        c.contacts.timeline(await workspaceAccess(c, req, req.params.workspaceId), req.params.contactId, req.query),
    );

    app.get(
      '/:workspaceId/contacts/:contactId/duplicates',
      {
        schema: {
          tags,
          summary: 'Contacts that may be the same person, with the reasons',
          params: contactParams,
          response: {
            200: z.object({ items: z.array(z.object({ contact: contactSchema, reasons: z.array(z.string()) })) }),
          },
        },
      },
      async (req) => ({
        items: await c.contacts.duplicates(await workspaceAccess(c, req, req.params.workspaceId), req.params.contactId),
      }),
    );

    app.post(
      '/:workspaceId/contacts/:contactId/merge',
      {
        schema: {
          tags,
          summary: 'Merge another contact into this one (everything of the other moves here; can be undone)',
          params: contactParams,
          body: z.object({ otherContactId: z.uuid({ message: 'otherContactId must be a UUID' }) }),
          response: { 200: z.object({ mergeId: z.uuid(), contact: contactSchema }) },
        },
      },
      async (req) =>
        c.contacts.merge(
          await workspaceAccess(c, req, req.params.workspaceId),
          req.params.contactId,
          req.body.otherContactId,
        ),
    );

    app.post(
      '/:workspaceId/contact-merges/:mergeId/undo',
      {
        schema: {
          tags,
          summary: 'Undo a merge: what it moved goes back and the merged contact reappears',
          params: workspaceParams.extend({ mergeId: z.uuid({ message: 'mergeId must be a UUID' }) }),
          response: { 200: z.object({ contact: contactSchema }) },
        },
      },
      async (req) => c.contacts.undoMerge(await workspaceAccess(c, req, req.params.workspaceId), req.params.mergeId),
    );
  };
}
