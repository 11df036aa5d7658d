import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { GraphError } from './errors';
import { FAULT_KINDS, faultSchema } from './faults';
import type { Simulator } from './index';
import { SimInputError } from './state';

/**
 * The control API under `/_sim` (docs/meta-capture.md): the same operations as the programmatic API, for tests and
 * tools that drive the simulator from another process. Answers JSON; mistakes answer `{error:{code,message}}`.
 */

const when = z.union([z.number(), z.string()]);
const pageBody = z.object({
  name: z.string().min(1),
  id: z.string().optional(),
  instagram: z.boolean().optional(),
  category: z.string().optional(),
  subscribed: z.boolean().optional(),
});
const formBody = z.object({
  pageId: z.string(),
  name: z.string().min(1),
  id: z.string().optional(),
  status: z.enum(['ACTIVE', 'ARCHIVED', 'DELETED', 'DRAFT']).optional(),
  locale: z.string().optional(),
  questions: z
    .array(
      z.union([
        z.string(),
        z.object({
          key: z.string().min(1),
          label: z.string().optional(),
          type: z.string().optional(),
          options: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
        }),
      ]),
    )
    .optional(),
  consents: z.array(z.string()).optional(),
  createdTime: when.optional(),
});
const adBody = z.object({
  pageId: z.string(),
  formId: z.string(),
  name: z.string().min(1),
  adsetName: z.string().optional(),
  campaignName: z.string().optional(),
  id: z.string().optional(),
  costPerLead: z.number().min(0).optional(),
});
const leadsBody = z.object({
  formId: z.string(),
  adId: z.string().nullable().optional(),
  platform: z.enum(['fb', 'ig']).optional(),
  answers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  consents: z.record(z.string(), z.boolean()).optional(),
  createdTime: when.optional(),
  count: z.number().int().min(1).max(10_000).optional(),
  deliver: z.boolean().optional(),
});
const tokenBody = z.object({
  userId: z.string().optional(),
  longLived: z.boolean().optional(),
  expiresIn: z.number().int().min(0).optional(),
});
const flushBody = z.object({ timeoutMs: z.number().int().min(0).max(600_000).optional() });

export function registerControlRoutes(app: FastifyInstance, sim: Simulator): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (!request.url.startsWith('/_sim')) {
      // Framework errors on Graph paths (a body that is not JSON, …) still get Meta's error object.
      const graph = new GraphError(100, `(#100) ${error.message}`);
      return reply.code(400).send(graph.body());
    }
    if (error instanceof z.ZodError)
      return reply.code(400).send({ error: { code: 'validation_failed', message: z.prettifyError(error) } });
    if (error instanceof SimInputError)
      return reply
        .code(error.status)
        .send({ error: { code: error.status === 404 ? 'not_found' : 'invalid_input', message: error.message } });
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error(error);
    return reply
      .code(status)
      .send({ error: { code: status === 500 ? 'internal' : 'bad_request', message: error.message } });
  });

  app.get('/', async () => ({
    simulator: 'Meta Graph API, Facebook Login and webhooks (LeadsBoost)',
    appId: sim.appId,
    graph: `${sim.url}/v25.0/`,
    dialog: `${sim.url}/v25.0/dialog/oauth`,
    control: `${sim.url}/_sim/state`,
  }));

  app.post('/_sim/reset', async () => {
    sim.reset();
    return { ok: true };
  });
  app.get('/_sim/config', async () => sim.config());
  app.post('/_sim/config', async (req) => sim.configure((req.body ?? {}) as never));
  app.post('/_sim/pages', async (req) => sim.createPage(pageBody.parse(req.body)));
  app.post('/_sim/forms', async (req) => sim.createForm(formBody.parse(req.body)));
  app.post('/_sim/ads', async (req) => sim.createAd(adBody.parse(req.body)));
  app.post('/_sim/leads', async (req) => {
    const { count = 1, ...input } = leadsBody.parse(req.body);
    return { leads: Array.from({ length: count }, () => sim.createLead(input)) };
  });
  app.get('/_sim/leads', async (req) => {
    const { formId } = z.object({ formId: z.string().optional() }).parse(req.query);
    return { leads: sim.leads(formId) };
  });
  app.get('/_sim/faults', async () => ({ faults: sim.faults.list() }));
  app.post('/_sim/faults', async (req) => {
    const body = req.body;
    const list = Array.isArray(body) ? body.map((f) => faultSchema.parse(f)) : [faultSchema.parse(body)];
    return { faults: sim.faults.add(list) };
  });
  app.delete('/_sim/faults', async (req) => {
    const { kind } = z.object({ kind: z.enum(FAULT_KINDS).optional() }).parse(req.query);
    sim.faults.clear(kind);
    return { faults: sim.faults.list() };
  });
  app.get('/_sim/deliveries', async () => ({ deliveries: sim.deliveries() }));
  app.post('/_sim/flush', async (req) => sim.flush(flushBody.parse(req.body ?? {})));
  app.get('/_sim/calls', async () => ({ calls: sim.calls() }));
  app.delete('/_sim/calls', async () => {
    sim.clearCalls();
    return { calls: [] };
  });
  app.post('/_sim/tokens', async (req) => sim.issueUserToken(tokenBody.parse(req.body ?? {})));
  app.post('/_sim/users/:userId/deauthorize', async (req, reply) =>
    callback(reply, () => sim.deauthorize((req.params as { userId: string }).userId)),
  );
  app.post('/_sim/users/:userId/data-deletion', async (req, reply) =>
    callback(reply, () => sim.requestDataDeletion((req.params as { userId: string }).userId)),
  );
  app.get('/_sim/state', async () => sim.state());
}

async function callback(
  reply: import('fastify').FastifyReply,
  send: () => Promise<{ status: number; body: unknown; url: string; signedRequest: string }>,
) {
  try {
    return await send();
  } catch (e) {
    if (e instanceof SimInputError) throw e;
    const err = e as Error & { cause?: { code?: string } };
    return reply.code(502).send({
      error: { code: 'callback_failed', message: `${err.message}${err.cause?.code ? ` (${err.cause.code})` : ''}` },
    });
  }
}
