import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../app/container';
import { AppError } from '../../lib/errors';
import { verifyHubSignature, verifyTokenMatches } from './signatures';

/** Meta batches up to ~1000 updates per POST; WhatsApp documents bodies up to ~3 MB. */
export const WEBHOOK_BODY_LIMIT = 3 * 1024 * 1024;

const QUIETER = new Set(['warn', 'error', 'fatal', 'silent']);

const verificationQuery = z.object({
  'hub.mode': z.string().max(100).optional(),
  'hub.verify_token': z.string().max(1000).optional(),
  'hub.challenge': z.string().max(1000).optional(),
});

/**
 * Meta's webhook endpoint, public and signed (meta-platform.md §1): the GET verification handshake, and event POSTs
 * whose `X-Hub-Signature-256` is checked over the raw bytes before anything is stored. The raw-body parser is scoped
 * to this plugin. This path is benchmarked: verify, store, enqueue, answer; everything else happens in jobs.
 */
export function metaWebhookRoutes(c: Container): FastifyPluginAsyncZod {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    const tags = ['webhooks'];
    const quiet = QUIETER.has(c.config.LOG_LEVEL) ? c.config.LOG_LEVEL : 'warn';

    app.get(
      '/webhooks/meta',
      {
        // Its address carries the verify token: not written to the request log.
        logLevel: quiet,
        schema: {
          tags,
          summary: 'Meta webhook verification (answers hub.challenge when hub.verify_token matches)',
          querystring: verificationQuery,
        },
      },
      async (req, reply) => {
        const q = req.query;
        if (q['hub.mode'] !== 'subscribe' || !verifyTokenMatches(q['hub.verify_token'], c.config.META_VERIFY_TOKEN)) {
          throw new AppError('forbidden', 'The verification token does not match.');
        }
        return reply.type('text/plain; charset=utf-8').send(q['hub.challenge'] ?? '');
      },
    );

    app.post(
      '/webhooks/meta',
      {
        // One log line per webhook would dominate the logs (and the benchmark); failures are still logged.
        logLevel: quiet,
        // Meta's servers are the only client: browser security headers (CSP, HSTS, framing…) mean nothing to them,
        // and helmet rebuilds its headers on every request. The answer is a constant or a JSON error; nosniff is
        // still sent (below), so no browser would ever render it as anything else.
        helmet: false,
        schema: { tags, summary: 'Meta webhook events (signed with X-Hub-Signature-256)' },
      },
      async (req, reply) => {
        reply.header('x-content-type-options', 'nosniff');
        if (!c.config.metaEnabled) {
          throw new AppError('meta_not_configured', 'Facebook is not configured on this server.');
        }
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const header = req.headers['x-hub-signature-256'];
        if (!verifyHubSignature(raw, typeof header === 'string' ? header : undefined, c.config.META_APP_SECRET)) {
          throw new AppError('invalid_signature', 'The X-Hub-Signature-256 header is missing or wrong.');
        }
        const body = raw.toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          throw new AppError('validation_failed', 'The body is not valid JSON.');
        }
        if (!parsed || typeof parsed !== 'object' || body.includes('\u0000')) {
          throw new AppError('validation_failed', 'The body is not a webhook event.');
        }
        await c.metaIngest.receive(body);
        return reply.type('text/plain; charset=utf-8').send('EVENT_RECEIVED');
      },
    );
  };
}
