import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { setSessionCookie, workspaceAccess } from '../../http/request-context';
import { workspaceParams } from '../../http/schemas';

/** "Try the demo" (sandbox installs only) and "Remove demo data". */
export function demoRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['demo'];

    app.post(
      '/demo/session',
      {
        schema: {
          tags,
          summary: 'Sign in to the demo workspace (only on a server running the Meta simulator in-process)',
          response: { 200: z.object({ workspaceId: z.uuid() }) },
        },
      },
      async (_req, reply) => {
        const started = await c.demo.signIn();
        setSessionCookie(c, reply, started.token);
        return { workspaceId: started.workspaceId };
      },
    );

    app.delete(
      '/workspaces/:workspaceId/demo',
      {
        schema: {
          tags,
          summary: 'Remove the demo data (leads, contacts, demo agents, the simulated Facebook connection)',
          params: workspaceParams,
          response: { 200: z.object({ deleted: z.object({ leads: z.number(), contacts: z.number() }) }) },
        },
      },
      async (req) => ({
        deleted: await c.demo.removeDemoData(await workspaceAccess(c, req, req.params.workspaceId)),
      }),
    );
  };
}
