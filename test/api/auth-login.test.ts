import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { createTestApp, type Res, type SignedIn, type TestApp, TestClient } from '../support/app';

/** The raw Set-Cookie line for a cookie name, as a browser receives it. */
function setCookieLine(res: Res, name: string): string {
  const raw = res.headers['set-cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const line = lines.find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie in ${JSON.stringify(lines)}`);
  return line;
}
const attributes = (line: string) =>
  line
    .split(';')
    .slice(1)
    .map((a) => a.trim().split('=')[0]!.toLowerCase());
const cookieValue = (line: string) => line.split(';')[0]!.split('=').slice(1).join('=');

/** A bare request with only the given cookie and headers (no jar, no automatic CSRF token). */
async function raw(
  t: TestApp,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) {
  return t.server.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

describe('sign-in, sessions and CSRF', () => {
  let t: TestApp;
  let owner: SignedIn;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ name: 'Lina Login', password: 'lina-long-password' });
  });
  afterAll(() => t?.close());

  const q = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await t.c.db.execute(query));
  const sessionIdOf = async (client: TestClient) => {
    const res = await client.get('/api/v1/auth/sessions');
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as { id: string; current: boolean }[]).find((s) => s.current)!.id;
  };
  const withCookie = (value: string) => ({ cookie: `lb_session=${value}` });

  describe('login', () => {
    it('signs in with the right password and answers the user', async () => {
      const browser = t.client();
      const res = await browser.login(owner.email, owner.password);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ok', user: { id: owner.userId, email: owner.email } });
      const session = await browser.get('/api/v1/auth/session');
      expect(session.statusCode).toBe(200);
      expect(session.json().user.id).toBe(owner.userId);
      expect(session.json().workspaces.map((w: { id: string }) => w.id)).toEqual([owner.workspaceId]);
    });

    it('unknown email and wrong password get the identical status, code and message, and no cookie', async () => {
      const wrong = await t
        .client('198.51.100.1')
        .post('/api/v1/auth/login', { email: owner.email, password: 'not-the-password' });
      const unknown = await t
        .client('198.51.100.2')
        .post('/api/v1/auth/login', { email: `nobody.${Date.now()}@example.com`, password: 'not-the-password' });
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      const strip = (r: Res) => ({ ...r.json().error, requestId: undefined });
      expect(strip(wrong)).toEqual(strip(unknown));
      expect(strip(wrong).code).toBe('invalid_credentials');
      expect(wrong.headers['set-cookie']).toBeUndefined();
      expect(unknown.headers['set-cookie']).toBeUndefined();
    });

    it('a signed-out browser is answered 401 unauthenticated', async () => {
      const res = await t.client().get('/api/v1/auth/session');
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
    });
  });

  describe('session cookie', () => {
    it('plain HTTP: lb_session, HttpOnly, SameSite=Lax, Path=/, no Domain, not Secure', async () => {
      const res = await t.client().post('/api/v1/auth/login', { email: owner.email, password: owner.password });
      const line = setCookieLine(res, 'lb_session');
      const attrs = attributes(line);
      expect(attrs).toContain('httponly');
      expect(line).toMatch(/;\s*SameSite=Lax/i);
      expect(line).toMatch(/;\s*Path=\/(;|$)/);
      expect(attrs).not.toContain('domain');
      expect(attrs).not.toContain('secure');
      expect(cookieValue(line).length).toBeGreaterThanOrEqual(32);
    });

    it('behind https: __Host-lb_session with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain', async () => {
      const https = await createTestApp({ PUBLIC_URL: 'https://app.example.com' });
      try {
        const person = await https.signup({ password: 'https-long-password' });
        const res = await https
          .client()
          .post('/api/v1/auth/login', { email: person.email, password: 'https-long-password' });
        expect(res.statusCode, res.body).toBe(200);
        const line = setCookieLine(res, '__Host-lb_session');
        const attrs = attributes(line);
        expect(attrs).toContain('secure');
        expect(attrs).toContain('httponly');
        expect(line).toMatch(/;\s*SameSite=Lax/i);
        expect(line).toMatch(/;\s*Path=\/(;|$)/);
        expect(attrs).not.toContain('domain');
        const sets = [res.headers['set-cookie']].flat().join('\n');
        expect(sets).not.toMatch(/(^|\n)lb_session=/);
        // The cookie authenticates under its prefixed name, and only that one.
        const value = cookieValue(line);
        const ok = await raw(https, 'GET', '/api/v1/auth/session', { cookie: `__Host-lb_session=${value}` });
        expect(ok.statusCode).toBe(200);
        const unprefixed = await raw(https, 'GET', '/api/v1/auth/session', { cookie: `lb_session=${value}` });
        expect(unprefixed.statusCode).toBe(401);
        // Sign-out clears it with the same attributes (a __Host- cookie can only be overwritten by a Secure one).
        const csrf = ok.json().csrfToken;
        const out = await raw(https, 'POST', '/api/v1/auth/logout', {
          cookie: `__Host-lb_session=${value}`,
          'x-csrf-token': csrf,
        });
        expect(out.statusCode).toBe(204);
        const cleared = setCookieLine(out as unknown as Res, '__Host-lb_session');
        expect(attributes(cleared)).toContain('secure');
        expect(cleared).toMatch(/;\s*Path=\/(;|$)/);
        expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/i);
      } finally {
        await https.close();
      }
    });

    it('a new session id and cookie at every sign-in; each lives until it is ended', async () => {
      const first = t.client();
      const second = t.client();
      const r1 = await first.login(owner.email, owner.password);
      const r2 = await second.login(owner.email, owner.password);
      const c1 = cookieValue(setCookieLine(r1, 'lb_session'));
      const c2 = cookieValue(setCookieLine(r2, 'lb_session'));
      expect(c1).not.toBe(c2);
      const s1 = await sessionIdOf(first);
      const s2 = await sessionIdOf(second);
      expect(s1).not.toBe(s2);
      // The CSRF token changes with the session.
      expect(first.csrf).not.toBe(second.csrf);

      // Signing in again from the same browser replaces its cookie with a new session.
      const r3 = await first.login(owner.email, owner.password);
      const c3 = cookieValue(setCookieLine(r3, 'lb_session'));
      expect(c3).not.toBe(c1);
      const s3 = await sessionIdOf(first);
      expect(s3).not.toBe(s1);
      // The session cookie value is never stored: only its hash.
      const stored = await q<{ token_hash: string }>(
        sql`select token_hash from sessions where user_id = ${owner.userId}`,
      );
      expect(JSON.stringify(stored)).not.toContain(c1);
      expect(JSON.stringify(stored)).not.toContain(c3);

      // The old cookie works until it is logged out...
      expect((await raw(t, 'GET', '/api/v1/auth/session', withCookie(c1))).statusCode).toBe(200);
      const csrf1 = (await raw(t, 'GET', '/api/v1/auth/session', withCookie(c1))).json().csrfToken;
      expect(
        (await raw(t, 'POST', '/api/v1/auth/logout', { ...withCookie(c1), 'x-csrf-token': csrf1 })).statusCode,
      ).toBe(204);
      expect((await raw(t, 'GET', '/api/v1/auth/session', withCookie(c1))).statusCode).toBe(401);
      // ...without ending the others.
      expect((await second.get('/api/v1/auth/session')).statusCode).toBe(200);
      expect((await first.get('/api/v1/auth/session')).statusCode).toBe(200);
    });

    it('logout ends the session on the server: the same cookie no longer authenticates', async () => {
      const browser = t.client();
      const res = await browser.login(owner.email, owner.password);
      const value = cookieValue(setCookieLine(res, 'lb_session'));
      const out = await browser.post('/api/v1/auth/logout');
      expect(out.statusCode).toBe(204);
      expect(browser.cookies.has('lb_session')).toBe(false);
      // A copy of the cookie kept by an attacker is worthless now.
      const replay = await raw(t, 'GET', '/api/v1/auth/session', withCookie(value));
      expect(replay.statusCode).toBe(401);
      expect(replay.json().error.code).toBe('unauthenticated');
      const ws = await raw(t, 'GET', `/api/v1/workspaces/${owner.workspaceId}`, withCookie(value));
      expect(ws.statusCode).toBe(401);
    });

    it('an idle session ends after SESSION_IDLE_MINUTES', async () => {
      const browser = t.client();
      await browser.login(owner.email, owner.password);
      const id = await sessionIdOf(browser);
      const idle = t.c.config.SESSION_IDLE_MINUTES;
      // Just inside the idle window: still signed in.
      await t.c.db.execute(
        sql`update sessions set last_seen_at = now() - make_interval(mins => ${idle - 2}) where id = ${id}`,
      );
      expect((await browser.get('/api/v1/auth/session')).statusCode).toBe(200);
      // That request refreshed last-seen; go idle for longer than the window.
      await t.c.db.execute(
        sql`update sessions set last_seen_at = now() - make_interval(mins => ${idle + 1}) where id = ${id}`,
      );
      const res = await browser.get('/api/v1/auth/session');
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
      // An idle session is not listed among the live ones either.
      const other = t.client();
      await other.login(owner.email, owner.password);
      const ids = (await other.get('/api/v1/auth/sessions')).json().items.map((s: { id: string }) => s.id);
      expect(ids).not.toContain(id);
    });

    it('a session ends at its absolute lifetime even when in constant use', async () => {
      const browser = t.client();
      await browser.login(owner.email, owner.password);
      const id = await sessionIdOf(browser);
      const [row] = await q<{ hours: number }>(
        sql`select round(extract(epoch from (expires_at - created_at)) / 3600)::int as hours from sessions where id = ${id}`,
      );
      expect(row!.hours).toBe(t.c.config.SESSION_ABSOLUTE_HOURS);
      await t.c.db.execute(
        sql`update sessions set created_at = now() - make_interval(hours => ${row!.hours}), expires_at = now() - interval '1 second', last_seen_at = now() where id = ${id}`,
      );
      const res = await browser.get('/api/v1/auth/session');
      expect(res.statusCode).toBe(401);
    });
  });

  describe('sessions list and revocation (P5)', () => {
    it('lists device, IP, user agent and which one is current; revoking another ends it at once', async () => {
      const laptop = new TestClient(t.server, '203.0.113.10');
      const phone = t.client('203.0.113.20');
      await laptop.login(owner.email, owner.password);
      const phoneUa =
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1';
      const phoneLogin = await phone.request(
        'POST',
        '/api/v1/auth/login',
        { email: owner.email, password: owner.password },
        { 'user-agent': phoneUa },
      );
      expect(phoneLogin.statusCode).toBe(200);
      await phone.refreshCsrf();
      const phoneId = await sessionIdOf(phone);

      const list = await laptop.get('/api/v1/auth/sessions');
      expect(list.statusCode).toBe(200);
      const items = list.json().items as {
        id: string;
        device: string;
        ip: string;
        userAgent: string;
        current: boolean;
        createdAt: string;
        lastSeenAt: string;
      }[];
      const mine = items.filter((s) => s.current);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ ip: '203.0.113.10', device: 'Chrome on Linux' });
      expect(mine[0]!.userAgent).toContain('Chrome/156.0');
      const phoneItem = items.find((s) => s.id === phoneId)!;
      expect(phoneItem).toMatchObject({
        ip: '203.0.113.20',
        userAgent: phoneUa,
        device: 'Safari on iOS',
        current: false,
      });
      expect(Number.isNaN(Date.parse(phoneItem.createdAt))).toBe(false);
      expect(Number.isNaN(Date.parse(phoneItem.lastSeenAt))).toBe(false);

      // Another person cannot see or revoke these sessions.
      const stranger = await t.signup();
      const strangerIds = (await stranger.client.get('/api/v1/auth/sessions'))
        .json()
        .items.map((s: { id: string }) => s.id);
      expect(strangerIds).not.toContain(phoneId);
      const foreign = await stranger.client.delete(`/api/v1/auth/sessions/${phoneId}`);
      expect(foreign.statusCode).toBe(404);
      expect((await phone.get('/api/v1/auth/session')).statusCode).toBe(200);

      const revoked = await laptop.delete(`/api/v1/auth/sessions/${phoneId}`);
      expect(revoked.statusCode, revoked.body).toBe(204);
      const after = await phone.get('/api/v1/auth/session');
      expect(after.statusCode).toBe(401);
      expect((await laptop.get('/api/v1/auth/session')).statusCode).toBe(200);
      const ids = (await laptop.get('/api/v1/auth/sessions')).json().items.map((s: { id: string }) => s.id);
      expect(ids).not.toContain(phoneId);
      // Revoking it twice: it is gone.
      expect((await laptop.delete(`/api/v1/auth/sessions/${phoneId}`)).statusCode).toBe(404);
    });

    it('revoking the current session signs this browser out', async () => {
      const browser = t.client();
      await browser.login(owner.email, owner.password);
      const id = await sessionIdOf(browser);
      expect((await browser.delete(`/api/v1/auth/sessions/${id}`)).statusCode).toBe(204);
      expect((await browser.get('/api/v1/auth/session')).statusCode).toBe(401);
    });

    it('a sign-in leaves an auth.login audit row with IP, user agent, time and the session id', async () => {
      const browser = t.client('192.0.2.55');
      const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/125.0 Safari/537.36';
      const started = Date.now();
      const res = await browser.request(
        'POST',
        '/api/v1/auth/login',
        { email: owner.email, password: owner.password },
        { 'user-agent': ua },
      );
      expect(res.statusCode).toBe(200);
      await browser.refreshCsrf();
      const sessionId = await sessionIdOf(browser);
      const rows = await q<{
        actor_type: string;
        actor_id: string;
        ip: string;
        user_agent: string;
        session_id: string;
        created_at: Date | string;
        metadata: unknown;
      }>(
        sql`select actor_type, actor_id, ip, user_agent, session_id, created_at, metadata from audit_log
          where action = 'auth.login' and session_id = ${sessionId}`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        actor_type: 'user',
        actor_id: owner.userId,
        ip: '192.0.2.55',
        user_agent: ua,
        session_id: sessionId,
      });
      expect(new Date(rows[0]!.created_at).getTime()).toBeGreaterThanOrEqual(started - 5_000);
      expect(JSON.stringify(rows[0])).not.toContain(owner.password);
      // The sessions list shows the same session with the same origin.
      const listed = (await browser.get('/api/v1/auth/sessions'))
        .json()
        .items.find((s: { id: string }) => s.id === sessionId);
      expect(listed).toMatchObject({ ip: '192.0.2.55', userAgent: ua, device: 'Chrome on Windows', current: true });
    });
  });

  describe('CSRF', () => {
    let browser: TestClient;
    let csrf: string;
    let cookie: string;

    beforeAll(async () => {
      browser = t.client();
      await browser.login(owner.email, owner.password);
      csrf = browser.csrf!;
      cookie = `lb_session=${browser.cookies.get('lb_session')}`;
    });

    const writes = () => [
      { method: 'PATCH' as const, url: '/api/v1/auth/me', payload: { name: 'Hijacked' } },
      { method: 'POST' as const, url: '/api/v1/workspaces', payload: { name: 'CSRF Workspace' } },
      { method: 'PATCH' as const, url: `/api/v1/workspaces/${owner.workspaceId}`, payload: { name: 'CSRF Renamed' } },
      {
        method: 'POST' as const,
        url: `/api/v1/workspaces/${owner.workspaceId}/api-keys`,
        payload: { name: 'CSRF key', scopes: ['leads.read'] },
      },
      { method: 'POST' as const, url: '/api/v1/auth/logout', payload: {} },
    ];

    const snapshot = async () =>
      q(sql`select
        (select name from users where id = ${owner.userId}) as user_name,
        (select name from workspaces where id = ${owner.workspaceId}) as ws_name,
        (select count(*)::int from workspaces) as workspaces,
        (select count(*)::int from api_keys) as keys,
        (select count(*)::int from sessions where revoked_at is not null) as revoked`);

    it.each([
      ['no x-csrf-token', undefined],
      ['an empty x-csrf-token', ''],
      ['a wrong x-csrf-token', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ])(
      'a cookie-authenticated write with %s is refused with 403 csrf_failed and changes nothing',
      async (_label, token) => {
        const before = await snapshot();
        for (const w of writes()) {
          const headers: Record<string, string> = { cookie };
          if (token !== undefined) headers['x-csrf-token'] = token;
          const res = await raw(t, w.method, w.url, headers, w.payload);
          expect(res.statusCode, `${w.method} ${w.url}: ${res.body}`).toBe(403);
          expect(res.json().error.code).toBe('csrf_failed');
        }
        const id = await sessionIdOf(browser);
        const res = await raw(t, 'DELETE', `/api/v1/auth/sessions/${id}`, {
          cookie,
          ...(token === undefined ? {} : { 'x-csrf-token': token }),
        });
        expect(res.statusCode).toBe(403);
        expect(await snapshot()).toEqual(before);
        expect((await browser.get('/api/v1/auth/session')).statusCode).toBe(200);
      },
    );

    it('another session\u2019s CSRF token does not work with this cookie', async () => {
      const other = t.client();
      await other.login(owner.email, owner.password);
      expect(other.csrf).not.toBe(csrf);
      const before = await snapshot();
      const res = await raw(
        t,
        'PATCH',
        '/api/v1/auth/me',
        { cookie, 'x-csrf-token': other.csrf! },
        { name: 'Hijacked' },
      );
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('csrf_failed');
      expect(await snapshot()).toEqual(before);
    });

    it('the right token lets the same write through (the refusals above were for the token alone)', async () => {
      const res = await raw(t, 'PATCH', '/api/v1/auth/me', { cookie, 'x-csrf-token': csrf }, { name: 'Lina Renamed' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().user.name).toBe('Lina Renamed');
    });

    it('a GET needs no token', async () => {
      const res = await raw(t, 'GET', `/api/v1/workspaces/${owner.workspaceId}`, { cookie });
      expect(res.statusCode).toBe(200);
    });

    it('a Bearer API key needs no CSRF token', async () => {
      const created = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, {
        name: 'Integration',
        scopes: ['workspace.read', 'workspace.update'],
      });
      expect(created.statusCode, created.body).toBe(201);
      const secret = created.json().secret as string;
      const res = await raw(
        t,
        'PATCH',
        `/api/v1/workspaces/${owner.workspaceId}`,
        { authorization: `Bearer ${secret}` },
        { timezone: 'Asia/Kuala_Lumpur', name: 'Renamed By Key' },
      );
      expect(res.statusCode, res.body).toBe(200);
      const [row] = await q<{ name: string }>(sql`select name from workspaces where id = ${owner.workspaceId}`);
      expect(row!.name).toBe('Renamed By Key');
      // A wrong key is refused outright, CSRF or not.
      const bad = await raw(
        t,
        'PATCH',
        `/api/v1/workspaces/${owner.workspaceId}`,
        { authorization: `Bearer ${secret}x` },
        { name: 'Nope' },
      );
      expect(bad.statusCode).toBe(401);
    });
  });
});
