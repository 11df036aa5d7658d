import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, linkIn, type TestApp, totp, uniqueEmail } from '../../test/support/app';
import { createLogger, redactUrl } from './logger';

/** A pino destination that keeps every line in memory. */
function memoryStream() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => lines.join(''), lines };
}

/** Log lines are written asynchronously by some transports; wait a tick so every line has arrived. */
const settle = () => new Promise((r) => setImmediate(r));

const canary = (label: string) => `CANARY${label}${Math.random().toString(36).slice(2, 10)}`;

describe('logger redaction (quality.md: canary secrets in logs = 0)', () => {
  it('never writes passwords, tokens, codes, secrets, emails, phones, cookies or authorization headers', async () => {
    const out = memoryStream();
    const log = createLogger('trace', out.stream);
    const c = Object.fromEntries(
      [
        'password',
        'current',
        'newpw',
        'token',
        'mfatoken',
        'code',
        'secret',
        'access',
        'email',
        'phone',
        'bearer',
        'cookie',
        'csrf',
        'setcookie',
        'hdrauth',
        'hdrcookie',
        'topemail',
        'topToken',
        'child',
      ].map((k) => [k, canary(k)]),
    ) as Record<string, string>;

    log.info({ password: c.password, token: c.topToken, email: `${c.topemail}@example.com` }, 'top level');
    log.info(
      {
        body: {
          password: c.password,
          currentPassword: c.current,
          newPassword: c.newpw,
          token: c.token,
          mfaToken: c.mfatoken,
          code: c.code,
          secret: c.secret,
          accessToken: c.access,
          email: `${c.email}@example.com`,
          phone: c.phone,
        },
      },
      'a request body',
    );
    log.info(
      {
        req: {
          id: 'r1',
          method: 'POST',
          url: '/api/v1/auth/login',
          ip: '127.0.0.1',
          headers: {
            'user-agent': 'test',
            authorization: `Bearer ${c.bearer}`,
            cookie: `lb_session=${c.cookie}`,
            'x-csrf-token': c.csrf,
          },
        },
      },
      'incoming request',
    );
    log.info({ res: { statusCode: 200, headers: { 'set-cookie': `lb_session=${c.setcookie}` } } }, 'request completed');
    log.warn(
      { headers: { authorization: `Bearer ${c.hdrauth}`, cookie: `lb_session=${c.hdrcookie}` } },
      'outgoing call',
    );
    log.child({ user: { email: `${c.child}@example.com` } }).info('child bindings');
    await settle();

    const text = out.text();
    for (const [label, value] of Object.entries(c)) expect(text, label).not.toContain(value);
    // The lines were written (redacted, not dropped).
    expect(out.lines.length).toBe(6);
    expect(text).toContain('[redacted]');
    expect(text).toContain('"userAgent":"test"');
  });

  it('does not write the parameters of a failed database query (they hold emails, phones, hashes)', async () => {
    const out = memoryStream();
    const log = createLogger('info', out.stream);
    const email = `${canary('dberr')}@example.com`;
    // The shape of drizzle's DrizzleQueryError: the statement's parameters in the message and in `params`.
    const error = Object.assign(
      new Error(`Failed query: insert into "users" ("id", "email") values ($1, $2)\nparams: 0190,${email}`),
      { query: 'insert into "users" ("id", "email") values ($1, $2)', params: ['0190', email] },
    );
    log.error({ err: error }, 'unhandled error');
    await settle();
    expect(out.text()).not.toContain(email);
    expect(out.text()).toContain('Failed query: insert into');
    expect(out.text()).toContain('params: [redacted]');
    // Other errors are logged as before: type, message and stack.
    log.error({ err: new TypeError('plain failure') }, 'other');
    await settle();
    const last = JSON.parse(out.lines.at(-1)!);
    expect(last.err).toMatchObject({ type: 'TypeError', message: 'plain failure' });
    expect(last.err.stack).toContain('logger.test.ts');
  });

  it('redactUrl hides invitation tokens and ?token= / ?code= values', () => {
    const tok = canary('invite');
    expect(redactUrl(`/api/v1/invites/${tok}`)).toBe('/api/v1/invites/[redacted]');
    expect(redactUrl(`/api/v1/invites/${tok}/accept`)).toBe('/api/v1/invites/[redacted]/accept');
    expect(redactUrl(`/api/v1/invites/${tok}/register?x=1`)).toBe('/api/v1/invites/[redacted]/register?x=1');
    expect(redactUrl(`/verify-email?token=${tok}`)).toBe('/verify-email?token=[redacted]');
    expect(redactUrl(`/reset-password?lang=ms&token=${tok}&next=%2F`)).toBe(
      '/reset-password?lang=ms&token=[redacted]&next=%2F',
    );
    expect(redactUrl(`/cb?CODE=${tok}`)).toBe('/cb?CODE=[redacted]');
    // Ordinary URLs are untouched.
    expect(redactUrl('/api/v1/workspaces/abc/leads?q=siti')).toBe('/api/v1/workspaces/abc/leads?q=siti');
  });
});

/**
 * The whole thing for real: sign-up, email verification, sign-in, 2FA, password reset, an invitation and an API key,
 * through an app whose logger writes into a buffer at the most verbose level. None of the secrets may appear.
 */
describe('a full account flow leaves no secret in the logs', () => {
  let t: TestApp;
  const out = memoryStream();

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'trace' }, { log: createLogger('trace', out.stream) });
  });
  afterAll(() => t?.close());

  it('password, cookie, CSRF token, email, phone, TOTP secret, recovery codes, tokens and API key never appear', async () => {
    const secrets: Record<string, string> = {};
    const email = uniqueEmail('logcanary');
    const password = 'Canary-Password-9f3k2';
    secrets.email = email;
    secrets.emailLocalPart = email.split('@')[0]!;
    secrets.password = password;
    secrets.phone = '+60172223344';
    secrets.phoneTyped = '017-222 3344';

    const browser = t.client();
    const signup = await browser.post('/api/v1/auth/signup', {
      name: 'Log Canary',
      email,
      phone: '017-222 3344',
      password,
      companyName: 'Canary Co',
    });
    expect(signup.statusCode, signup.body).toBe(201);
    await browser.refreshCsrf();
    const workspaceId = signup.json().workspace.id as string;
    secrets.signupCookie = browser.cookies.get('lb_session')!;
    secrets.csrf = browser.csrf!;

    // Email verification, by link (as a page load with the token in the URL, then the API call).
    const verifyToken = decodeURIComponent(
      new URL(linkIn(await t.mailTo(email), '/verify-email?token=')).searchParams.get('token')!,
    );
    secrets.verifyToken = verifyToken;
    await t.server.inject({
      method: 'GET',
      url: `/verify-email?token=${encodeURIComponent(verifyToken)}`,
      headers: { accept: 'text/html' },
    });
    expect((await browser.post('/api/v1/auth/email/verify', { token: verifyToken })).statusCode).toBe(200);

    // A failed sign-in, then a good one.
    expect(
      (await t.client().post('/api/v1/auth/login', { email, password: 'Canary-Wrong-Password-1' })).statusCode,
    ).toBe(401);
    secrets.wrongPassword = 'Canary-Wrong-Password-1';
    const laptop = t.client();
    expect((await laptop.login(email, password)).statusCode).toBe(200);
    secrets.loginCookie = laptop.cookies.get('lb_session')!;

    // Two-factor: set up, enable, sign in with the code and with a recovery code.
    const setup = await laptop.post('/api/v1/auth/mfa/setup');
    const totpSecret = setup.json().secret as string;
    secrets.totpSecret = totpSecret;
    const firstCode = await totp(totpSecret);
    const enabled = await laptop.post('/api/v1/auth/mfa/enable', { code: firstCode });
    expect(enabled.statusCode).toBe(200);
    const recoveryCodes = enabled.json().recoveryCodes as string[];
    for (const [i, code] of recoveryCodes.entries()) secrets[`recovery${i}`] = code;
    const step = await t.client().post('/api/v1/auth/login', { email, password });
    const mfaToken = step.json().mfaToken as string;
    secrets.mfaToken = mfaToken;
    const phone = t.client();
    expect((await phone.post('/api/v1/auth/login/mfa', { mfaToken, code: recoveryCodes[0] })).statusCode).toBe(200);
    secrets.mfaCookie = phone.cookies.get('lb_session')!;

    // An invitation (the token is in the URL path) and an API key (in the Authorization header).
    const invitee = uniqueEmail('loginvitee');
    secrets.invitee = invitee;
    expect(
      (await laptop.post(`/api/v1/workspaces/${workspaceId}/invites`, { email: invitee, role: 'agent' })).statusCode,
    ).toBe(201);
    const inviteToken = linkIn(await t.mailTo(invitee), '/invite/').split('/invite/')[1]!;
    secrets.inviteToken = inviteToken;
    expect((await t.client().get(`/api/v1/invites/${inviteToken}`)).statusCode).toBe(200);
    const key = await laptop.post(`/api/v1/workspaces/${workspaceId}/api-keys`, {
      name: 'Logs',
      scopes: ['workspace.read'],
    });
    const apiKey = key.json().secret as string;
    secrets.apiKey = apiKey;
    const keyed = t.client();
    keyed.bearer = apiKey;
    expect((await keyed.get(`/api/v1/workspaces/${workspaceId}`)).statusCode).toBe(200);
    const badKey = t.client();
    badKey.bearer = `${apiKey.slice(0, -4)}zzzz`;
    secrets.badKey = badKey.bearer;
    expect((await badKey.get(`/api/v1/workspaces/${workspaceId}`)).statusCode).toBe(401);

    // Password reset by emailed link, then a change of password.
    expect((await t.client().post('/api/v1/auth/password/forgot', { email })).statusCode).toBe(202);
    const resetMail = (await t.mailTo(email)).replace(/=\r?\n/g, '');
    const resetToken = decodeURIComponent(
      new URL(linkIn(resetMail, '/reset-password?token=')).searchParams.get('token')!,
    );
    secrets.resetToken = resetToken;
    await t.server.inject({
      method: 'GET',
      url: `/reset-password?token=${encodeURIComponent(resetToken)}`,
      headers: { accept: 'text/html' },
    });
    const newPassword = 'Canary-New-Password-7h2m';
    secrets.newPassword = newPassword;
    expect(
      (await t.client().post('/api/v1/auth/password/reset', { token: resetToken, password: newPassword })).statusCode,
    ).toBe(204);
    const again = t.client();
    const step2 = await again.post('/api/v1/auth/login', { email, password: newPassword });
    expect(
      (await again.post('/api/v1/auth/login/mfa', { mfaToken: step2.json().mfaToken, code: recoveryCodes[1] }))
        .statusCode,
    ).toBe(200);
    await again.refreshCsrf();
    const changed = 'Canary-Changed-Password-4q8w';
    secrets.changedPassword = changed;
    expect(
      (await again.post('/api/v1/auth/me/password', { currentPassword: newPassword, newPassword: changed })).statusCode,
    ).toBe(204);
    // A malformed body that echoes the password back in a validation error must not log it either.
    await t.client().post('/api/v1/auth/login', { email, password: { nested: changed } });
    await again.post('/api/v1/auth/logout');

    // A database failure inside a sign-up: the 500 is logged, but not the statement's parameters (email, phone, hash).
    const doomedEmail = uniqueEmail('logdoomed');
    secrets.doomedEmail = doomedEmail;
    secrets.doomedPhone = '+60135556677';
    await t.c.db.execute(sql`alter table users add constraint log_canary_check check (name <> 'Doomed Canary')`);
    try {
      const failed = await t.client().post('/api/v1/auth/signup', {
        name: 'Doomed Canary',
        email: doomedEmail,
        phone: '+60135556677',
        password: 'Canary-Doomed-Password-3x',
        companyName: 'Doomed Co',
      });
      expect(failed.statusCode).toBe(500);
      expect(failed.body).not.toContain(doomedEmail);
    } finally {
      await t.c.db.execute(sql`alter table users drop constraint log_canary_check`);
    }
    secrets.doomedPassword = 'Canary-Doomed-Password-3x';

    await t.drainJobs();
    await settle();
    const text = out.text();
    // The logger was really capturing the requests.
    expect(text).toContain('"msg":"incoming request"');
    expect(text).toContain('/api/v1/auth/login');
    expect(text).toContain('/api/v1/invites/[redacted]');
    expect(text).toContain('log_canary_check');
    for (const [label, value] of Object.entries(secrets)) {
      expect(text.includes(value), `${label} appears in the logs`).toBe(false);
      expect(text.includes(encodeURIComponent(value)), `${label} (URL-encoded) appears in the logs`).toBe(false);
    }
  });
});
