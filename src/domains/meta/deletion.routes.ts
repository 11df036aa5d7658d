import type { FastifyInstance } from 'fastify';
import type { Container } from '../../app/container';
import { AppError } from '../../lib/errors';
import { escapeHtml } from '../auth/auth.emails';
import { publicPage } from '../privacy/policy-page';

const FORM_LIMIT = 64 * 1024;

/** The `signed_request` field of Meta's form-encoded callback body. */
function signedRequestOf(body: unknown): string {
  const value = typeof body === 'string' ? new URLSearchParams(body).get('signed_request') : null;
  if (!value) throw new AppError('invalid_signature', 'The signed_request is missing, malformed or wrongly signed.');
  return value;
}

const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '');

/**
 * Meta's data-deletion and deauthorize callbacks (P33), and the public status page the deletion answer points to.
 * Both callbacks are `application/x-www-form-urlencoded` with a `signed_request`; a wrongly signed one changes nothing.
 */
export async function metaDeletionRoutes(app: FastifyInstance, c: Container) {
  await app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_LIMIT },
      (_req, body, done) => done(null, body),
    );
    const hidden = { schema: { hide: true } };

    scope.post('/webhooks/meta/data-deletion', hidden, async (req) => {
      return c.metaDeletion.requestDataDeletion(signedRequestOf(req.body));
    });

    scope.post('/webhooks/meta/deauthorize', hidden, async (req, reply) => {
      await c.metaDeletion.deauthorize(signedRequestOf(req.body));
      return reply.code(200).send('');
    });
  });

  app.get<{ Querystring: { code?: string } }>(
    '/privacy/deletion-status',
    { schema: { hide: true } },
    async (req, reply) => {
      const code = typeof req.query.code === 'string' ? req.query.code.trim().toUpperCase() : '';
      const status = code ? await c.metaDeletion.status(code) : null;
      reply.type('text/html; charset=utf-8');
      if (!status) {
        return reply
          .code(404)
          .send(
            publicPage(
              'Data deletion request',
              `<p>No deletion request has the confirmation code <strong>${escapeHtml(code || '(none)')}</strong>. Check the code Facebook showed you, or write to <a href="mailto:${escapeHtml(c.config.PRIVACY_CONTACT_EMAIL)}">${escapeHtml(c.config.PRIVACY_CONTACT_EMAIL)}</a>.</p>`,
            ),
          );
      }
      const done = status.status === 'completed';
      const counts = done
        ? `<table><tr><th>Facebook connections removed</th><td>${status.summary.connections ?? 0}</td></tr>
<tr><th>Page access tokens deleted</th><td>${status.summary.pages ?? 0}</td></tr>
<tr><th>Lead form settings deleted</th><td>${status.summary.forms ?? 0}</td></tr></table>`
        : '';
      return publicPage(
        'Data deletion request',
        `<p class="meta">Confirmation code <strong data-testid="deletion-code">${escapeHtml(code)}</strong></p>
<p>Status: <strong data-testid="deletion-status">${done ? 'Completed' : 'In progress'}</strong></p>
<p>Requested ${escapeHtml(when(status.requestedAt))}${done ? `; completed ${escapeHtml(when(status.completedAt))}` : '. Deletion finishes within minutes, and always within 30 days.'}</p>
<h2>What is deleted</h2>
<p>Everything LeadsBoost obtained from Facebook about you as the person who connected a business: your name and Facebook user id, your access token and the Page access tokens obtained with it, and the Pages' lead form settings. ${done ? 'None of it is kept.' : ''}</p>
${counts}
<h2>What is kept, and why</h2>
<p>Leads that people submitted to the business through its forms are the business's own customer records. They are not your personal data, and they stay with the business, which answers for them under its privacy policy. A business deletes them by disconnecting the Page in LeadsBoost, which erases every lead and contact detail that came only from it.</p>
<p>A record of this request (the confirmation code, the dates and the counts above, with no Facebook identifier in clear) is kept as proof that the deletion was done.</p>`,
      );
    },
  );
}
