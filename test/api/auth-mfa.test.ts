import { sql } from 'drizzle-orm';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { THROTTLE_POLICY } from '../../src/domains/auth/login-throttle';
import { createTestApp, linkIn, type SignedIn, type TestApp, type TestClient, totp } from '../support/app';
import { addMember, type Member } from '../support/members';

/** The TOTP code `stepsAhead` 30-second steps from now (one step of drift is accepted either way). */
const codeAt = (secret: string, stepsAhead: number) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });

/** A 6-digit code that is valid at none of the steps the server accepts right now. */
async function wrongCode(secret: string): Promise<string> {
  const valid = new Set(await Promise.all([-2, -1, 0, 1, 2].map((s) => codeAt(secret, s))));
  for (let n = 123456; ; n = (n + 111111) % 1_000_000) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

/** Two-factor sign-in (TOTP, recovery codes) and the workspace "require 2FA" setting. */
describe('two-factor authentication', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  const q = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await t.c.db.execute(query));

  /** Turns 2FA on for a signed-in person; returns the secret and recovery codes. */
  async function enrol(client: TestClient): Promise<{ secret: string; recoveryCodes: string[] }> {
    const setup = await client.post('/api/v1/auth/mfa/setup');
    expect(setup.statusCode, setup.body).toBe(200);
    const secret = setup.json().secret as string;
    const enabled = await client.post('/api/v1/auth/mfa/enable', { code: await totp(secret) });
    expect(enabled.statusCode, enabled.body).toBe(200);
    return { secret, recoveryCodes: enabled.json().recoveryCodes };
  }

  /** The first step of sign-in for an account with 2FA: the mfaToken. */
  async function passwordStep(client: TestClient, who: { email: string; password: string }): Promise<string> {
    const res = await client.post('/api/v1/auth/login', { email: who.email, password: who.password });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('mfa_required');
    expect(res.headers['set-cookie']).toBeUndefined();
    return res.json().mfaToken;
  }

  describe('enrolment and sign-in', () => {
    let owner: SignedIn;
    let secret: string;
    let recoveryCodes: string[];

    beforeAll(async () => {
      owner = await t.signup({ password: 'mfa-owner-password' });
    });

    it('setup answers a secret, an otpauth URL and a PNG QR code; the secret is stored encrypted', async () => {
      const res = await owner.client.post('/api/v1/auth/mfa/setup');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { secret: string; otpauthUrl: string; qrCodeDataUrl: string };
      secret = body.secret;
      expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
      expect(body.qrCodeDataUrl.startsWith('data:image/png;base64,')).toBe(true);
      const png = Buffer.from(body.qrCodeDataUrl.slice('data:image/png;base64,'.length), 'base64');
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      const url = new URL(body.otpauthUrl);
      expect(url.protocol).toBe('otpauth:');
      expect(url.searchParams.get('secret')).toBe(secret);
      expect(url.searchParams.get('issuer')).toBe('LeadsBoost');

      const [row] = await q<{ mfa_secret: string; mfa_enabled_at: unknown }>(
        sql`select mfa_secret, mfa_enabled_at from users where id = ${owner.userId}`,
      );
      expect(row!.mfa_secret.startsWith('enc:v1:')).toBe(true);
      expect(row!.mfa_secret).not.toContain(secret);
      expect(row!.mfa_enabled_at).toBeNull();
      const dump = JSON.stringify(await q(sql`select * from users`));
      expect(dump).not.toContain(secret);
      expect(dump.toLowerCase()).not.toContain(secret.toLowerCase());
      // The ciphertext is bound to this user: it decrypts with the key ring and the user's id, to the same secret.
      expect(t.c.keyring.decrypt(row!.mfa_secret, `mfa:${owner.userId}`)).toBe(secret);

      // Not on yet: sign-in still needs only the password.
      const login = await t.client().post('/api/v1/auth/login', { email: owner.email, password: owner.password });
      expect(login.json().status).toBe('ok');
    });

    it('enable with a wrong code is refused with 401 invalid_mfa_code and leaves 2FA off', async () => {
      const res = await owner.client.post('/api/v1/auth/mfa/enable', { code: await wrongCode(secret) });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('invalid_mfa_code');
      expect((await owner.client.get('/api/v1/auth/session')).json().user.mfaEnabled).toBe(false);
    });

    it('enable with the current code turns 2FA on and answers 10 one-time recovery codes, stored hashed', async () => {
      const res = await owner.client.post('/api/v1/auth/mfa/enable', { code: await totp(secret) });
      expect(res.statusCode, res.body).toBe(200);
      recoveryCodes = res.json().recoveryCodes;
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);
      for (const c of recoveryCodes) expect(c).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
      expect((await owner.client.get('/api/v1/auth/session')).json().user.mfaEnabled).toBe(true);
      const dump = JSON.stringify(await q(sql`select * from users where id = ${owner.userId}`));
      for (const c of recoveryCodes) expect(dump).not.toContain(c);
      // Setting up again while on is refused (it would replace the secret without the second factor).
      const again = await owner.client.post('/api/v1/auth/mfa/setup');
      expect(again.statusCode).toBe(409);
    });

    it('sign-in now asks for the second factor; a wrong code is refused; the next TOTP code signs in', async () => {
      const browser = t.client();
      const mfaToken = await passwordStep(browser, owner);
      const wrong = await browser.post('/api/v1/auth/login/mfa', { mfaToken, code: await wrongCode(secret) });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe('invalid_mfa_code');
      expect(wrong.headers['set-cookie']).toBeUndefined();
      expect((await browser.get('/api/v1/auth/session')).statusCode).toBe(401);

      // The code used to enable has been spent; the next step's code is accepted (one step of drift).
      const ok = await browser.post('/api/v1/auth/login/mfa', { mfaToken, code: await codeAt(secret, 1) });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ status: 'ok', user: { id: owner.userId, mfaEnabled: true } });
      expect(browser.cookies.has('lb_session')).toBe(true);
      await browser.refreshCsrf();
      expect((await browser.get('/api/v1/auth/session')).statusCode).toBe(200);
      const [audit] = await q<{ metadata: { method: string } }>(
        sql`select metadata from audit_log where action = 'auth.login' and actor_id = ${owner.userId} order by created_at desc, seq desc limit 1`,
      );
      expect(audit!.metadata.method).toBe('totp');
    });

    it('the same TOTP code cannot be used twice (replay), nor an older one', async () => {
      const used = await codeAt(secret, 1);
      const replay = await t
        .client()
        .post('/api/v1/auth/login/mfa', { mfaToken: await passwordStep(t.client(), owner), code: used });
      expect(replay.statusCode).toBe(401);
      expect(replay.json().error.code).toBe('invalid_mfa_code');
      const older = await t.client().post('/api/v1/auth/login/mfa', {
        mfaToken: await passwordStep(t.client(), owner),
        code: await totp(secret),
      });
      expect(older.statusCode).toBe(401);
    });

    it('a recovery code signs in once', async () => {
      const code = recoveryCodes[3]!;
      const first = t.client();
      const res = await first.post('/api/v1/auth/login/mfa', {
        mfaToken: await passwordStep(first, owner),
        code: code.toUpperCase(),
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().status).toBe('ok');
      const second = await t
        .client()
        .post('/api/v1/auth/login/mfa', { mfaToken: await passwordStep(t.client(), owner), code });
      expect(second.statusCode).toBe(401);
      expect(second.json().error.code).toBe('invalid_mfa_code');
      // The other codes still work.
      const other = await t
        .client()
        .post('/api/v1/auth/login/mfa', { mfaToken: await passwordStep(t.client(), owner), code: recoveryCodes[4] });
      expect(other.statusCode).toBe(200);
    });

    it('a tampered, foreign or made-up mfaToken is refused with 400 invalid_token', async () => {
      const mfaToken = await passwordStep(t.client(), owner);
      const [payload, mac] = mfaToken.split('.') as [string, string];
      const fields = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
      const stranger = await t.signup();
      const repointed = `${Buffer.from(JSON.stringify([stranger.userId, fields[1], fields[2]])).toString('base64url')}.${mac}`;
      const flipped = `${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
      // An email-verification token is signed for another purpose and is not a sign-in step.
      const otherPurpose = t.c.auth.verificationToken((await t.c.authRepo.findUserById(owner.userId))!);
      for (const bad of [repointed, flipped, 'made-up', `${payload}.`, otherPurpose]) {
        const res = await t.client().post('/api/v1/auth/login/mfa', { mfaToken: bad, code: await codeAt(secret, 1) });
        expect(res.statusCode, bad).toBe(400);
        expect(res.json().error.code).toBe('invalid_token');
        expect(res.headers['set-cookie']).toBeUndefined();
      }
    });

    it('an mfaToken expires', async () => {
      const mfaToken = await passwordStep(t.client(), owner);
      const [payload] = mfaToken.split('.') as [string];
      const fields = JSON.parse(Buffer.from(payload, 'base64url').toString()) as [string, string, number];
      expect(fields[2] - Date.now() / 1000).toBeLessThanOrEqual(5 * 60);
      expect(fields[2] - Date.now() / 1000).toBeGreaterThan(60);
    });

    it('wrong second-factor codes are throttled like wrong passwords', async () => {
      const person = await t.signup({ password: 'throttled-password' });
      const { secret: s } = await enrol(person.client);
      const mfaToken = await passwordStep(t.client(), person);
      const answers: number[] = [];
      const bad = await wrongCode(s);
      for (let i = 0; i < THROTTLE_POLICY.account.freeFailures + 2; i++) {
        answers.push((await t.client().post('/api/v1/auth/login/mfa', { mfaToken, code: bad })).statusCode);
      }
      expect(answers.slice(0, THROTTLE_POLICY.account.freeFailures)).toEqual(
        Array(THROTTLE_POLICY.account.freeFailures).fill(401),
      );
      expect(answers.at(-1)).toBe(429);
      // Even the right code waits now.
      const right = await t.client().post('/api/v1/auth/login/mfa', { mfaToken, code: await codeAt(s, 1) });
      expect(right.statusCode).toBe(429);
    });

    it('a password reset neither turns 2FA off nor keeps an earlier sign-in step valid', async () => {
      const person = await t.signup({ password: 'before-reset-password' });
      const { secret: s } = await enrol(person.client);
      const pending = await passwordStep(t.client(), person);
      expect((await t.client().post('/api/v1/auth/password/forgot', { email: person.email })).statusCode).toBe(202);
      await t.drainJobs();
      const mail = t
        .outbox()
        .filter((m) => m.includes(person.email) && m.replace(/=\r?\n/g, '').includes('/reset-password?token'))
        .at(-1)!;
      const token = decodeURIComponent(new URL(linkIn(mail, '/reset-password?token=')).searchParams.get('token')!);
      expect(
        (await t.client().post('/api/v1/auth/password/reset', { token, password: 'after-reset-password' })).statusCode,
      ).toBe(204);
      // The step started with the old password is void.
      const stale = await t.client().post('/api/v1/auth/login/mfa', { mfaToken: pending, code: await codeAt(s, 1) });
      expect(stale.statusCode).toBe(400);
      expect(stale.json().error.code).toBe('invalid_token');
      // The new password still leads to the second factor.
      const fresh = await passwordStep(t.client(), { email: person.email, password: 'after-reset-password' });
      const ok = await t.client().post('/api/v1/auth/login/mfa', { mfaToken: fresh, code: await codeAt(s, 1) });
      expect(ok.statusCode, ok.body).toBe(200);
    });

    it('disabling needs the password; then sign-in needs only the password again', async () => {
      const wrong = await owner.client.post('/api/v1/auth/mfa/disable', { password: 'not-my-password' });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe('invalid_credentials');
      expect((await owner.client.get('/api/v1/auth/session')).json().user.mfaEnabled).toBe(true);
      const missing = await owner.client.post('/api/v1/auth/mfa/disable', {});
      expect(missing.statusCode).toBe(400);

      const res = await owner.client.post('/api/v1/auth/mfa/disable', { password: owner.password });
      expect(res.statusCode, res.body).toBe(204);
      expect((await owner.client.get('/api/v1/auth/session')).json().user.mfaEnabled).toBe(false);
      const [row] = await q<{ mfa_secret: string | null; mfa_recovery_codes: string[] }>(
        sql`select mfa_secret, mfa_recovery_codes from users where id = ${owner.userId}`,
      );
      expect(row!.mfa_secret).toBeNull();
      expect(row!.mfa_recovery_codes).toEqual([]);
      const login = await t.client().post('/api/v1/auth/login', { email: owner.email, password: owner.password });
      expect(login.json().status).toBe('ok');
    });
  });

  describe('workspace "require 2FA"', () => {
    let owner: SignedIn;
    let admin: Member;
    let agent: Member;
    const ws = () => `/api/v1/workspaces/${owner.workspaceId}`;

    beforeAll(async () => {
      owner = await t.signup({ companyName: 'Strict Co', password: 'strict-owner-password' });
      admin = await addMember(t, owner, 'admin', 'Adi Admin');
      agent = await addMember(t, owner, 'agent', 'Ani Agent');
    });

    it('an admin (not owner) cannot set it: 403 forbidden', async () => {
      const res = await admin.client.patch(ws(), { requireMfa: true });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
      expect((await owner.client.get(ws())).json().requireMfa).toBe(false);
    });

    it('the owner must have 2FA first: 409 conflict', async () => {
      const res = await owner.client.patch(ws(), { requireMfa: true });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('conflict');
      expect((await owner.client.get(ws())).json().requireMfa).toBe(false);
    });

    it('with 2FA on, the owner sets it; members without 2FA are then refused with 403 mfa_enrolment_required', async () => {
      await enrol(owner.client);
      const res = await owner.client.patch(ws(), { requireMfa: true });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().requireMfa).toBe(true);
      expect((await owner.client.get(ws())).statusCode).toBe(200);
      expect((await owner.client.get(`${ws()}/members`)).statusCode).toBe(200);

      for (const member of [agent, admin]) {
        for (const path of [ws(), `${ws()}/members`, `${ws()}/audit-log`]) {
          const refused = await member.client.get(path);
          expect(refused.statusCode, `${member.role} ${path}`).toBe(403);
          expect(refused.json().error.code).toBe('mfa_enrolment_required');
        }
        const write = await member.client.patch(ws(), { name: 'Sneaky' });
        expect(write.statusCode).toBe(403);
        expect(write.json().error.code).toBe('mfa_enrolment_required');
        // They still see, from their session, that the workspace wants 2FA, so the app can send them to set it up.
        const session = await member.client.get('/api/v1/auth/session');
        expect(session.statusCode).toBe(200);
        const summary = session.json().workspaces.find((w: { id: string }) => w.id === owner.workspaceId);
        expect(summary.requireMfa).toBe(true);
      }
      expect((await owner.client.get(ws())).json().name).toBe('Strict Co');
    });

    it('a member regains access as soon as they enrol', async () => {
      await enrol(agent.client);
      const res = await agent.client.get(ws());
      expect(res.statusCode, res.body).toBe(200);
      const members = (await owner.client.get(`${ws()}/members`)).json().items as {
        userId: string;
        mfaEnabled: boolean;
      }[];
      expect(members.find((m) => m.userId === agent.userId)!.mfaEnabled).toBe(true);
      expect(members.find((m) => m.userId === admin.userId)!.mfaEnabled).toBe(false);
      // The admin, still without 2FA, is still refused.
      expect((await admin.client.get(ws())).statusCode).toBe(403);
    });

    it('turning 2FA off again locks the member out again', async () => {
      const off = await agent.client.post('/api/v1/auth/mfa/disable', { password: agent.password });
      expect(off.statusCode).toBe(204);
      const res = await agent.client.get(ws());
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('mfa_enrolment_required');
    });
  });
});
