import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { workspaceAccess } from '../../http/request-context';
import { workspaceParams } from '../../http/schemas';
import {
  captureParams,
  captureSchema,
  capturesQuery,
  connectPagesBody,
  deleteDataQuery,
  deletedSchema,
  formParams,
  formSchema,
  healthSchema,
  mappingBody,
  oauthCallbackQuery,
  oauthStartBody,
  pageHealthSchema,
  pageParams,
  syncBody,
  testLeadBody,
} from './meta.schemas';

/** Facebook connection, Pages, forms and captures under `/api/v1/workspaces/:workspaceId/meta` (docs/meta-capture.md). */
export function metaRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['meta'];
    const access = (req: Parameters<typeof workspaceAccess>[1], workspaceId: string) =>
      workspaceAccess(c, req, workspaceId);

    app.get(
      '/:workspaceId/meta',
      {
        schema: {
          tags,
          summary: 'The Facebook connection and each Page’s capture health',
          params: workspaceParams,
          response: { 200: healthSchema },
        },
      },
      async (req) => c.metaPages.health(await access(req, req.params.workspaceId)),
    );

    app.post(
      '/:workspaceId/meta/oauth/start',
      {
        schema: {
          tags,
          summary: 'Start Facebook Login: the dialog URL, asking only for the scopes the features need',
          params: workspaceParams,
          body: oauthStartBody,
          response: { 200: z.object({ url: z.string(), scopes: z.array(z.string()) }) },
        },
      },
      async (req) => c.metaConnections.startOAuth(await access(req, req.params.workspaceId), req.body.features),
    );

    app.get(
      '/:workspaceId/meta/available-pages',
      {
        schema: {
          tags,
          summary: 'The connected person’s Facebook Pages, and which are connected here',
          params: workspaceParams,
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  pageId: z.string(),
                  name: z.string(),
                  instagramAccountId: z.string().nullable(),
                  connected: z.boolean(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => c.metaPages.available(await access(req, req.params.workspaceId)),
    );

    app.post(
      '/:workspaceId/meta/pages',
      {
        schema: {
          tags,
          summary: 'Connect Pages: subscribe each to new leads, list its forms, backfill 90 days',
          params: workspaceParams,
          body: connectPagesBody,
          response: { 200: z.object({ items: z.array(pageHealthSchema) }) },
        },
      },
      async (req) => c.metaPages.connect(await access(req, req.params.workspaceId), req.body.pageIds),
    );

    app.delete(
      '/:workspaceId/meta/pages/:pageRowId',
      {
        schema: {
          tags,
          summary:
            'Disconnect a Page and delete every lead and contact detail that came only from it (deleteData=true)',
          params: pageParams,
          querystring: deleteDataQuery,
          response: { 200: deletedSchema },
        },
      },
      async (req) =>
        c.metaPages.disconnect(await access(req, req.params.workspaceId), req.params.pageRowId, req.query.deleteData),
    );

    app.delete(
      '/:workspaceId/meta',
      {
        schema: {
          tags,
          summary: 'Disconnect Facebook: every Page, its data (deleteData=true) and the connection',
          params: workspaceParams,
          querystring: deleteDataQuery,
          response: { 200: deletedSchema },
        },
      },
      async (req) => c.metaConnections.disconnect(await access(req, req.params.workspaceId), req.query.deleteData),
    );

    app.post(
      '/:workspaceId/meta/sync',
      {
        schema: {
          tags,
          summary: 'Reconcile now: fetch leads no webhook brought',
          params: workspaceParams,
          body: syncBody,
          response: { 202: z.object({ queued: z.literal(true) }) },
        },
      },
      async (req, reply) =>
        reply.code(202).send(await c.metaPages.sync(await access(req, req.params.workspaceId), req.body.pageRowId)),
    );

    app.post(
      '/:workspaceId/meta/pages/:pageRowId/test-lead',
      {
        schema: {
          tags,
          summary: 'Create a test lead at Facebook; it arrives by webhook like any lead',
          params: pageParams,
          body: testLeadBody,
          response: { 200: z.object({ leadgenId: z.string() }) },
        },
      },
      async (req) =>
        c.metaPages.testLead(await access(req, req.params.workspaceId), req.params.pageRowId, req.body.formId),
    );

    app.get(
      '/:workspaceId/meta/forms/:formRowId',
      {
        schema: {
          tags,
          summary: 'A lead form: its questions and where each answer goes',
          params: formParams,
          response: { 200: formSchema },
        },
      },
      async (req) => c.metaForms.get(await access(req, req.params.workspaceId), req.params.formRowId),
    );

    app.put(
      '/:workspaceId/meta/forms/:formRowId/mapping',
      {
        schema: {
          tags,
          summary: 'Change where a form’s answers go (contact fields, lead fields, answers)',
          params: formParams,
          body: mappingBody,
          response: { 200: formSchema },
        },
      },
      async (req) =>
        c.metaForms.setMapping(await access(req, req.params.workspaceId), req.params.formRowId, req.body.mapping),
    );

    app.get(
      '/:workspaceId/meta/captures',
      {
        schema: {
          tags,
          summary: 'Meta leads as they arrived: captured, waiting or failed, newest first',
          params: workspaceParams,
          querystring: capturesQuery,
          response: { 200: z.object({ items: z.array(captureSchema), nextCursor: z.string().nullable() }) },
        },
      },
      async (req) => c.metaCapture.list(await access(req, req.params.workspaceId), req.query),
    );

    app.post(
      '/:workspaceId/meta/captures/:leadgenId/retry',
      {
        schema: {
          tags,
          summary: 'Try a failed or waiting capture again now',
          params: captureParams,
          response: { 200: captureSchema },
        },
      },
      async (req) => c.metaCapture.retry(await access(req, req.params.workspaceId), req.params.leadgenId),
    );
  };
}

/** Facebook Login's redirect target, `/api/v1/meta/oauth/callback` (a browser navigation: answers with a redirect). */
export function metaOAuthRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/meta/oauth/callback',
      {
        schema: {
          tags: ['meta'],
          summary: 'Facebook Login redirect: finishes the connection, then redirects to the integration settings',
          querystring: oauthCallbackQuery,
        },
      },
      async (req, reply) => reply.redirect(await c.metaConnections.finishOAuth(req.principal, req.query), 302),
    );
  };
}
