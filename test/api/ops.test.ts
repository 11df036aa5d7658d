import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';

/** The operator's endpoints, the public pages (P34/P35), security headers and the error envelope. */
describe('ops endpoints, public pages and error answers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ PRIVACY_CONTACT_EMAIL: 'dpo@example.org' });
  });
  afterAll(() => t?.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.server.inject({ method: 'GET', url, headers });

  /** The documented error shape, with no trace of the server's internals. */
  function expectEnvelope(res: { statusCode: number; body: string; json: () => any }, status: number, code: string) {
    expect(res.statusCode, res.body).toBe(status);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
    expect(body.error.message.length).toBeGreaterThan(5);
    expect(res.body).not.toMatch(/stack|\bat [\w.<>]+ \(|node_modules|\.ts:\d+|FST_/);
  }

  describe('health, readiness, metrics, API docs', () => {
    it('/healthz answers 200', async () => {
      const res = await get('/healthz');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    });

    it('/readyz answers 200 with the database kind', async () => {
      const res = await get('/readyz');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ready', database: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite' });
    });

    it('/readyz answers 503 in the error envelope when the database does not answer', async () => {
      const ping = t.c.database.ping;
      t.c.database.ping = async () => {
        throw new Error('connection refused (simulated)');
      };
      try {
        const res = await get('/readyz');
        expectEnvelope(res, 503, 'unavailable');
        expect(res.body).not.toContain('simulated');
      } finally {
        t.c.database.ping = ping;
      }
      expect((await get('/readyz')).statusCode).toBe(200);
    });

    it('/metrics exposes the request-duration histogram in Prometheus text format', async () => {
      await get('/healthz');
      const res = await get('/metrics');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.body).toContain('# TYPE leadsboost_http_request_duration_seconds histogram');
      expect(res.body).toMatch(/leadsboost_http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*\} \d+/);
    });

    it('/openapi.json is an OpenAPI 3 document listing the API', async () => {
      const res = await get('/openapi.json');
      expect(res.statusCode).toBe(200);
      const doc = res.json();
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.title).toBe('LeadsBoost API');
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/v1/auth/signup', '/api/v1/workspaces/{workspaceId}/audit-log']),
      );
      expect(doc.paths['/api/v1/auth/signup'].post).toBeDefined();
    });

    it('/docs serves the API reference as HTML', async () => {
      let res = await get('/docs');
      for (let hops = 0; hops < 3 && res.statusCode >= 300 && res.statusCode < 400; hops++) {
        res = await get(new URL(String(res.headers.location), 'http://localhost/docs').pathname);
      }
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body.toLowerCase()).toContain('swagger');
    });
  });

  describe('privacy policy page (P34, P35)', () => {
    it('serves the policy with its last-updated date and the configured privacy contact', async () => {
      const res = await get('/privacy-policy');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<h1>Privacy Policy</h1>');
      expect(res.body).toMatch(/data-testid="policy-last-updated">1st January 2025</);
      expect(res.body).toContain('mailto:dpo@example.org');
      expect(res.body).not.toContain('it@tektician.com');
      // The policy text itself, not only the frame.
      expect(res.body).toContain('Personal Data Protection Act');
    });

    it('shows the shipped contact when none is configured', async () => {
      const plain = await createTestApp({}, { worker: false });
      try {
        const res = await plain.server.inject('/privacy-policy');
        expect(res.body).toContain('mailto:it@tektician.com');
        expect(res.body).not.toContain('dpo@example.org');
      } finally {
        await plain.close();
      }
    });

    it('publishes the contact and data region for the web app', async () => {
      const res = await get('/api/v1/meta');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ privacyContactEmail: 'dpo@example.org', dataRegion: expect.any(String) });
    });
  });

  describe('security headers', () => {
    it.each(['/privacy-policy', '/api/v1/auth/session', '/healthz', '/login'])(
      '%s carries CSP, nosniff and anti-framing',
      async (url) => {
        const res = await get(url, { accept: 'text/html' });
        const csp = String(res.headers['content-security-policy'] ?? '');
        expect(csp).toMatch(/(^|;)\s*default-src 'self'/);
        expect(csp).toMatch(/frame-ancestors 'none'/);
        expect(csp).toMatch(/object-src 'none'/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(String(res.headers['x-frame-options'] ?? '')).toMatch(/DENY|SAMEORIGIN/i);
        expect(res.headers['x-powered-by']).toBeUndefined();
      },
    );
  });

  describe('error answers: always the envelope, never a stack', () => {
    let user: SignedIn;
    beforeAll(async () => {
      user = await t.signup();
    });

    it('malformed JSON → 400 validation_failed', async () => {
      const res = await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"email": "a@example.com", "password": ',
      });
      expectEnvelope(res, 400, 'validation_failed');
    });

    it('an empty JSON body → 400 validation_failed', async () => {
      const res = await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '',
      });
      expectEnvelope(res, 400, 'validation_failed');
    });

    it('a wrong content type → 415 unsupported_media_type', async () => {
      const res = await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'text/xml' },
        payload: '<login><email>a@example.com</email></login>',
      });
      expectEnvelope(res, 415, 'unsupported_media_type');
    });

    it('a body over 1 MiB → 413 payload_too_large', async () => {
      const res = await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2 * 1024 * 1024) }),
      });
      expectEnvelope(res, 413, 'payload_too_large');
    });

    it('an unknown /api route → 404 not_found, also for HTML clients and other methods', async () => {
      expectEnvelope(await get('/api/v1/no-such-thing'), 404, 'not_found');
      expectEnvelope(await get('/api/v1/no-such-thing', { accept: 'text/html' }), 404, 'not_found');
      expectEnvelope(await t.server.inject({ method: 'DELETE', url: '/api/v1/workspaces' }), 404, 'not_found');
    });

    it('schema violations → 400 with details naming the field', async () => {
      const res = await user.client.patch(`/api/v1/workspaces/${user.workspaceId}`, { timezone: 42 });
      expectEnvelope(res, 400, 'validation_failed');
      expect(res.json().error.details[0].path).toContain('timezone');
      expectEnvelope(await user.client.get('/api/v1/workspaces/not-a-uuid'), 400, 'validation_failed');
    });

    it('auth failures → 401/403 in the envelope', async () => {
      expectEnvelope(await get('/api/v1/auth/session'), 401, 'unauthenticated');
      const sameCookieNoToken = t.client();
      sameCookieNoToken.cookies = new Map(user.client.cookies);
      const noCsrf = await sameCookieNoToken.patch(`/api/v1/workspaces/${user.workspaceId}`, { name: 'x' });
      expectEnvelope(noCsrf, 403, 'csrf_failed');
      expectEnvelope(
        await get(`/api/v1/workspaces/${user.workspaceId}`, { authorization: 'Bearer lb_nope' }),
        401,
        'unauthenticated',
      );
    });

    it('the requestId of an error is the x-request-id header of the answer', async () => {
      const res = await get('/api/v1/no-such-thing');
      expect(res.json().error.requestId).toBe(res.headers['x-request-id']);
    });
  });
});
