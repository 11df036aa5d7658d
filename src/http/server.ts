import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import client from 'prom-client';
import type { Container } from '../app/container';
import { activityRoutes } from '../domains/activity/activity.routes';
import { auditRoutes } from '../domains/audit/audit.routes';
import { authRoutes } from '../domains/auth/auth.routes';
import { contactsRoutes } from '../domains/contacts/contacts.routes';
import { demoRoutes } from '../domains/demo/demo.routes';
import { fieldsRoutes } from '../domains/fields/fields.routes';
import { importsRoutes } from '../domains/imports/imports.routes';
import { leadsRoutes } from '../domains/leads/leads.routes';
import { metaDeletionRoutes } from '../domains/meta/deletion.routes';
import { metaOAuthRoutes, metaRoutes } from '../domains/meta/meta.routes';
import { metaWebhookRoutes } from '../domains/meta/webhooks.routes';
import { operationsRoutes } from '../domains/operations/operations.routes';
import { pipelinesRoutes } from '../domains/pipelines/pipelines.routes';
import { policyPage, renderPolicy } from '../domains/privacy/policy-page';
import { routingRoutes } from '../domains/routing/routing.routes';
import { viewsRoutes } from '../domains/views/views.routes';
import { apiKeysRoutes } from '../domains/workspaces/api-keys.routes';
import { publicInviteRoutes, workspacesRoutes } from '../domains/workspaces/workspaces.routes';
import { jobsRoutes } from '../jobs/jobs.routes';
import { AppError } from '../lib/errors';
import { newId } from '../lib/ids';
import { handleError } from './errors';
import { makeAuthenticate } from './request-context';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export async function buildServer(
  c: Container,
  options: { https?: { cert: Buffer; key: Buffer } } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: c.log,
    trustProxy: c.config.TRUST_PROXY,
    genReqId: () => newId(),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    // Router errors (bad percent-encoding, over-long path segments) get the same error envelope as the rest.
    frameworkErrors: handleError,
    ...(options.https ? { https: options.https } : {}),
  } as FastifyServerOptions) as unknown as FastifyInstance;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // PostgreSQL refuses NUL characters in text and JSON, and unpaired surrogates in JSON: turned away here, as a 400,
  // instead of failing deep in a query.
  app.addHook('preValidation', async (req) => {
    const bad = unstorableText(req.params) ?? unstorableText(req.query) ?? unstorableText(req.body);
    if (bad) throw new AppError('validation_failed', bad);
  });
  app.addHook('onResponse', async (req, reply) => {
    httpDuration
      .labels(req.method, req.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: c.config.secureCookies ? [] : null,
      },
    },
    // HSTS only where the site is really served over HTTPS, or browsers would refuse plain-HTTP development.
    strictTransportSecurity: c.config.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new AppError('rate_limited', `Too many requests. Try again in ${Math.ceil(ctx.ttl / 1000)} seconds.`, {
        retryAfter: Math.ceil(ctx.ttl / 1000),
      }),
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'LeadsBoost API',
        version: '1.0.0',
        description:
          'Every route of LeadsBoost. Authenticate with a session cookie or `Authorization: Bearer <API key>`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const authenticate = makeAuthenticate(c);
  await app.register(
    async (api) => {
      api.addHook('onRequest', authenticate);
      await api.register(authRoutes(c), { prefix: '/auth' });
      await api.register(publicInviteRoutes(c), { prefix: '/invites' });
      await api.register(workspacesRoutes(c), { prefix: '/workspaces' });
      await api.register(apiKeysRoutes(c), { prefix: '/workspaces' });
      await api.register(auditRoutes(c), { prefix: '/workspaces' });
      await api.register(jobsRoutes(c), { prefix: '/workspaces' });
      await api.register(demoRoutes(c));
      await api.register(metaOAuthRoutes(c));
      // Leads and contacts (issue 4): each plugin declares paths below /workspaces/:workspaceId.
      for (const routes of [
        leadsRoutes,
        contactsRoutes,
        activityRoutes,
        pipelinesRoutes,
        fieldsRoutes,
        routingRoutes,
        viewsRoutes,
        operationsRoutes,
        importsRoutes,
        metaRoutes,
      ]) {
        await api.register(routes(c), { prefix: '/workspaces' });
      }
    },
    { prefix: '/api/v1' },
  );

  await metaDeletionRoutes(app, c);
  // Meta's signed webhooks: public (no session, so no CSRF), with their own raw-body parser.
  await app.register(metaWebhookRoutes(c));
  registerOps(app, c);
  registerPublicPages(app, c);
  await registerWebApp(app);
  return app;
}

const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a request's text cannot be stored (a NUL character, an unpaired surrogate), or undefined. Walks iteratively. */
export function unstorableText(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    const strings: string[] = [];
    if (typeof v === 'string') strings.push(v);
    // Raw bodies (signed webhooks) are checked by their own route, not byte by byte here.
    else if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
      for (const [k, item] of Object.entries(v)) {
        strings.push(k);
        stack.push(item);
      }
    }
    for (const s of strings) {
      if (s.includes('\u0000')) return 'Text must not contain the NUL character (\\u0000).';
      if (UNPAIRED_SURROGATE.test(s)) return 'Text must be valid Unicode (it contains an unpaired surrogate).';
    }
  }
  return undefined;
}

const httpDuration = new client.Histogram({
  name: 'leadsboost_http_request_duration_seconds',
  help: 'HTTP request duration by route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});
client.collectDefaultMetrics({ prefix: 'leadsboost_' });

function registerOps(app: FastifyInstance, c: Container) {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (req, reply) => {
    try {
      await c.database.ping();
      return { status: 'ready', database: c.database.kind };
    } catch {
      return reply
        .code(503)
        .send({ error: { code: 'unavailable', message: 'The database is not reachable.', requestId: String(req.id) } });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', client.register.contentType);
    return client.register.metrics();
  });
}

function registerPublicPages(app: FastifyInstance, c: Container) {
  const html = policyPage(renderPolicy(c.config.PRIVACY_CONTACT_EMAIL, c.config.DATA_REGION, c.privacyPolicy.current));
  app.get('/privacy-policy', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(html),
  );
  app.get(
    '/api/v1/meta',
    { schema: { tags: ['meta'], summary: 'Public facts about this deployment (privacy contact, data region)' } },
    async () => ({
      privacyContactEmail: c.config.PRIVACY_CONTACT_EMAIL,
      dataRegion: c.config.DATA_REGION,
      /** "Try the demo" is offered: the Meta simulator runs in this process. */
      demo: c.demo.available,
    }),
  );
}

/** The React app from web/dist; unknown non-API GETs get index.html so client-side routes load on refresh. */
async function registerWebApp(app: FastifyInstance) {
  const indexFile = path.join(WEB_DIST, 'index.html');
  const hasWeb = existsSync(indexFile);
  if (hasWeb) await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false, index: false });
  app.setNotFoundHandler((req, reply) => {
    const wantsPage =
      req.method === 'GET' && !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');
    if (wantsPage && hasWeb) return reply.type('text/html; charset=utf-8').send(readFileSync(indexFile));
    if (wantsPage) {
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .send('<p>The web app is not built yet. Run <code>npm run build</code>, then reload.</p>');
    }
    return reply
      .code(404)
      .send({ error: { code: 'not_found', message: 'There is nothing at this address.', requestId: String(req.id) } });
  });
}
