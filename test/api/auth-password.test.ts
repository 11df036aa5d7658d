import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { createTestApp, linkIn, type SignedIn, type TestApp, uniqueEmail } from '../support/app';

/** Forgotten password, reset by email link, password change, and profile edits. */
describe('passwords and profile', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  const q = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await t.c.db.execute(query));
  const mailsTo = (email: string) =>
    t.outbox().filter((m) => new RegExp(`^To: .*${email.replace(/[.+]/g, '\\$&')}`, 'mi').test(m));
  const resetMailsTo = (email: string) =>
    mailsTo(email).filter((m) => m.replace(/=\r?\n/g, '').includes('/reset-password?token'));
  const tokenOf = (eml: string) =>
    decodeURIComponent(new URL(linkIn(eml, '/reset-password?token=')).searchParams.get('token')!);

  /** Asks for a reset link as a signed-out visitor and returns the token from the email. */
  async function requestReset(email: string): Promise<string> {
    const res = await t.client().post('/api/v1/auth/password/forgot', { email });
    expect(res.statusCode, res.body).toBe(202);
    await t.drainJobs();
    const mail = resetMailsTo(email).at(-1);
    if (!mail) throw new Error(`no reset email to ${email}`);
    return tokenOf(mail);
  }

  describe('forgot password', () => {
    it('answers 202 with an empty body for known and unknown emails alike; only the known one gets an email', async () => {
      const owner = await t.signup();
      const ghost = uniqueEmail('ghost');
      const known = await t.client().post('/api/v1/auth/password/forgot', { email: owner.email.toUpperCase() });
      const unknown = await t.client().post('/api/v1/auth/password/forgot', { email: ghost });
      expect(known.statusCode).toBe(202);
      expect(unknown.statusCode).toBe(202);
      expect(known.body).toBe(unknown.body);
      await t.drainJobs();
      expect(resetMailsTo(owner.email)).toHaveLength(1);
      expect(mailsTo(ghost)).toHaveLength(0);
      expect(t.outbox().join('\n')).not.toContain(ghost);
      // No token is stored for anyone but the known account.
      const [row] = await q<{
        n: number;
      }>(sql`select count(*)::int as n from auth_tokens t join users u on u.id = t.user_id
        where u.email <> ${owner.email.toLowerCase()} and t.kind = 'reset_password'`);
      expect(row!.n).toBe(0);
    });

    it('a malformed email is a validation error, not a silent 202', async () => {
      const res = await t.client().post('/api/v1/auth/password/forgot', { email: 'not an email' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    });
  });

  describe('reset by emailed link', () => {
    it('works once, sets the new password, and ends every session', async () => {
      const owner = await t.signup({ password: 'the-old-password' });
      const laptop = t.client();
      await laptop.login(owner.email, 'the-old-password');
      const token = await requestReset(owner.email);
      // The token is stored only as a hash.
      expect(JSON.stringify(await q(sql`select * from auth_tokens`))).not.toContain(token);

      const reset = await t.client().post('/api/v1/auth/password/reset', { token, password: 'the-new-password' });
      expect(reset.statusCode, reset.body).toBe(204);

      // Every session of the account ended, including the one that signed up.
      expect((await owner.client.get('/api/v1/auth/session')).statusCode).toBe(401);
      expect((await laptop.get('/api/v1/auth/session')).statusCode).toBe(401);
      const [live] = await q<{ n: number }>(
        sql`select count(*)::int as n from sessions where user_id = ${owner.userId} and revoked_at is null`,
      );
      expect(live!.n).toBe(0);

      expect((await t.client().login(owner.email, 'the-old-password')).statusCode).toBe(401);
      expect((await t.client().login(owner.email, 'the-new-password')).statusCode).toBe(200);

      // The same link a second time: refused, and the password stays as set.
      const again = await t.client().post('/api/v1/auth/password/reset', { token, password: 'attacker-password' });
      expect(again.statusCode).toBe(400);
      expect(again.json().error.code).toBe('invalid_token');
      expect((await t.client().login(owner.email, 'attacker-password')).statusCode).toBe(401);
      expect((await t.client().login(owner.email, 'the-new-password')).statusCode).toBe(200);

      const [audit] = await q<{ n: number }>(
        sql`select count(*)::int as n from audit_log where action = 'auth.password_reset' and actor_id = ${owner.userId}`,
      );
      expect(audit!.n).toBe(1);
    });

    it('an expired link is refused and changes nothing', async () => {
      const owner = await t.signup({ password: 'the-old-password' });
      const token = await requestReset(owner.email);
      await t.c.db.execute(
        sql`update auth_tokens set expires_at = now() - interval '1 second' where user_id = ${owner.userId}`,
      );
      const res = await t.client().post('/api/v1/auth/password/reset', { token, password: 'the-new-password' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_token');
      expect((await owner.client.get('/api/v1/auth/session')).statusCode).toBe(200);
      expect((await t.client().login(owner.email, 'the-old-password')).statusCode).toBe(200);
    });

    it('the link is valid for about an hour', async () => {
      const owner = await t.signup();
      await requestReset(owner.email);
      const [row] = await q<{
        minutes: number;
      }>(sql`select round(extract(epoch from (expires_at - created_at)) / 60)::int as minutes
        from auth_tokens where user_id = ${owner.userId}`);
      expect(row!.minutes).toBe(60);
    });

    it('a forged or altered token is refused', async () => {
      const owner = await t.signup({ password: 'the-old-password' });
      const token = await requestReset(owner.email);
      const altered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
      for (const bad of [altered, 'x'.repeat(43), `${token}x`]) {
        const res = await t.client().post('/api/v1/auth/password/reset', { token: bad, password: 'the-new-password' });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('invalid_token');
      }
      // The real one still works after the failed tries.
      expect(
        (await t.client().post('/api/v1/auth/password/reset', { token, password: 'the-new-password' })).statusCode,
      ).toBe(204);
    });

    it('a too-short new password is refused without using up the link', async () => {
      const owner = await t.signup();
      const token = await requestReset(owner.email);
      const short = await t.client().post('/api/v1/auth/password/reset', { token, password: 'short' });
      expect(short.statusCode).toBe(400);
      expect(short.json().error.code).toBe('validation_failed');
      expect(
        (await t.client().post('/api/v1/auth/password/reset', { token, password: 'long-enough-now' })).statusCode,
      ).toBe(204);
    });
  });

  describe('change password (signed in)', () => {
    let owner: SignedIn;
    beforeAll(async () => {
      owner = await t.signup({ password: 'the-old-password' });
    });

    it('requires the current password', async () => {
      const other = t.client();
      await other.login(owner.email, 'the-old-password');
      const res = await owner.client.post('/api/v1/auth/me/password', {
        currentPassword: 'not-the-current-one',
        newPassword: 'the-new-password',
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('invalid_credentials');
      // Nothing changed: the old password works, no session ended.
      expect((await other.get('/api/v1/auth/session')).statusCode).toBe(200);
      expect((await owner.client.get('/api/v1/auth/session')).statusCode).toBe(200);
      expect((await t.client().login(owner.email, 'the-new-password')).statusCode).toBe(401);
    });

    it('ends the other sessions but keeps this one', async () => {
      const other = t.client();
      await other.login(owner.email, 'the-old-password');
      const res = await owner.client.post('/api/v1/auth/me/password', {
        currentPassword: 'the-old-password',
        newPassword: 'the-new-password',
      });
      expect(res.statusCode, res.body).toBe(204);
      expect((await owner.client.get('/api/v1/auth/session')).statusCode).toBe(200);
      expect((await other.get('/api/v1/auth/session')).statusCode).toBe(401);
      const sessions = (await owner.client.get('/api/v1/auth/sessions')).json().items as { current: boolean }[];
      expect(sessions).toHaveLength(1);
      expect(sessions[0]!.current).toBe(true);
      expect((await t.client().login(owner.email, 'the-old-password')).statusCode).toBe(401);
      expect((await t.client().login(owner.email, 'the-new-password')).statusCode).toBe(200);
      const [row] = await q<{ password_hash: string }>(sql`select password_hash from users where id = ${owner.userId}`);
      expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    it('refuses a too-short new password', async () => {
      const res = await owner.client.post('/api/v1/auth/me/password', {
        currentPassword: 'the-new-password',
        newPassword: 'short',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    });
  });

  describe('PATCH /auth/me', () => {
    it('updates name and phone (normalised to E.164)', async () => {
      const owner = await t.signup({ name: 'Old Name', phone: '+60123456789' });
      const res = await owner.client.patch('/api/v1/auth/me', { name: '  Nur Aisyah  ', phone: '017-222 3344' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().user).toMatchObject({ name: 'Nur Aisyah', phone: '+60172223344', email: owner.email });
      const [row] = await q<{ name: string; phone: string }>(
        sql`select name, phone from users where id = ${owner.userId}`,
      );
      expect(row).toEqual({ name: 'Nur Aisyah', phone: '+60172223344' });
      expect((await owner.client.get('/api/v1/auth/session')).json().user).toMatchObject({
        name: 'Nur Aisyah',
        phone: '+60172223344',
      });
      // International numbers keep their own country code.
      const intl = await owner.client.patch('/api/v1/auth/me', { phone: '+44 20 7946 0958' });
      expect(intl.json().user.phone).toBe('+442079460958');
    });

    it('refuses an unparseable phone with a human message and keeps the old one', async () => {
      const owner = await t.signup({ phone: '+60123456789' });
      const res = await owner.client.patch('/api/v1/auth/me', { phone: 'not a phone' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
      expect(res.json().error.message).toMatch(/phone/i);
      const [row] = await q<{ phone: string }>(sql`select phone from users where id = ${owner.userId}`);
      expect(row!.phone).toBe('+60123456789');
    });

    it('does not change the email, even when one is sent', async () => {
      const owner = await t.signup();
      const res = await owner.client.patch('/api/v1/auth/me', { name: 'Still Me', email: 'hijack@example.com' });
      expect([200, 400]).toContain(res.statusCode);
      const [row] = await q<{ email: string }>(sql`select email from users where id = ${owner.userId}`);
      expect(row!.email).toBe(owner.email.toLowerCase());
    });

    it('needs a signed-in session', async () => {
      const res = await t.client().patch('/api/v1/auth/me', { name: 'Nobody' });
      expect(res.statusCode).toBe(401);
    });
  });
});
