import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { createTestApp, linkIn, type TestApp, uniqueEmail } from '../support/app';

interface UserDbRow {
  id: string;
  name: string;
  email: string;
  phone: string;
  password_hash: string;
  email_verified_at: string | null;
}

/** P1: sign-up takes exactly name, email, phone, password and company name, and refuses what it cannot store. */
describe('sign-up (P1)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  const q = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await t.c.db.execute(query));
  const counts = async () => {
    const [row] = await q<{ users: number; workspaces: number; members: number; sessions: number }>(sql`select
      (select count(*)::int from users) as users,
      (select count(*)::int from workspaces) as workspaces,
      (select count(*)::int from memberships) as members,
      (select count(*)::int from sessions) as sessions`);
    return row!;
  };
  const valid = () => ({
    name: 'Siti Aminah',
    email: uniqueEmail('siti'),
    phone: '+60123456789',
    password: 'correct-horse-battery',
    companyName: 'Kedai Siti Sdn Bhd',
  });

  it('stores exactly the fields given: name, lower-cased email, E.164 phone, argon2id hash, workspace name', async () => {
    const email = `Siti.Mixed.${Date.now()}@Example.COM`;
    const password = 'correct-horse-battery';
    const client = t.client();
    const res = await client.post('/api/v1/auth/signup', {
      name: '  Siti Aminah ',
      email,
      phone: '012-345 6789',
      password,
      companyName: 'Kedai Siti Sdn Bhd',
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.user).toMatchObject({
      name: 'Siti Aminah',
      email: email.toLowerCase(),
      phone: '+60123456789',
      emailVerified: false,
      mfaEnabled: false,
    });
    expect(body.workspace).toMatchObject({ name: 'Kedai Siti Sdn Bhd', role: 'owner', requireMfa: false });
    expect(JSON.stringify(body)).not.toContain(password);

    const [user] = await q<UserDbRow>(sql`select * from users where id = ${body.user.id}`);
    expect(user).toMatchObject({ name: 'Siti Aminah', email: email.toLowerCase(), phone: '+60123456789' });
    // argon2id at OWASP ASVS parameters: 19 MiB memory, 2 passes.
    expect(user!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(user!.password_hash).not.toContain(password);
    expect(user!.email_verified_at).toBeNull();

    const [ws] = await q<{ name: string; role: string }>(sql`select w.name, m.role from workspaces w
      join memberships m on m.workspace_id = w.id where m.user_id = ${body.user.id}`);
    expect(ws).toEqual({ name: 'Kedai Siti Sdn Bhd', role: 'owner' });

    // The account signs in with the same address typed in any case.
    const again = await t.client().login(email.toUpperCase(), password);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().user.id).toBe(body.user.id);
    // And the sign-up left the browser signed in.
    const session = await client.get('/api/v1/auth/session');
    expect(session.statusCode).toBe(200);
    expect(session.json().user.id).toBe(body.user.id);
  });

  it('the users table holds no column beyond the account fields and security state', async () => {
    const columns = (
      await q<{ column_name: string }>(
        sql`select column_name from information_schema.columns where table_name = 'users' and table_schema = current_schema()`,
      )
    ).map((r) => r.column_name);
    expect(columns.sort()).toEqual(
      [
        'id',
        'name',
        'email',
        'phone',
        'password_hash',
        'email_verified_at',
        'mfa_secret',
        'mfa_enabled_at',
        'mfa_recovery_codes',
        'mfa_last_step',
        'last_login_at',
        'created_at',
        'updated_at',
      ].sort(),
    );
  });

  it('refuses missing fields with 400 validation_failed naming each one, and writes nothing', async () => {
    const before = await counts();
    const res = await t.client().post('/api/v1/auth/signup', {});
    expect(res.statusCode).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('validation_failed');
    const paths = (error.details as { path: string }[]).map((d) => d.path.replace(/^body\./, ''));
    for (const field of ['name', 'email', 'phone', 'password', 'companyName']) expect(paths).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['email', { email: 'not-an-email' }],
    ['email', { email: 'two@@example.com' }],
    ['password', { password: 'short' }],
    ['password', { password: '123456789' }],
    ['name', { name: '   ' }],
    ['companyName', { companyName: '' }],
  ])('refuses a bad %s with 400 validation_failed and writes nothing', async (field, override) => {
    const before = await counts();
    const res = await t.client().post('/api/v1/auth/signup', { ...valid(), ...override });
    expect(res.statusCode, res.body).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('validation_failed');
    expect((error.details as { path: string }[]).map((d) => d.path.replace(/^body\./, ''))).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it.each(['12345', 'call me maybe', '+60 1', '000-000 0000'])(
    'refuses the unparseable phone %j with a human message and writes nothing',
    async (phone) => {
      const before = await counts();
      const input = { ...valid(), phone };
      const res = await t.client().post('/api/v1/auth/signup', input);
      expect(res.statusCode, res.body).toBe(400);
      const error = res.json().error;
      expect(error.code).toBe('validation_failed');
      expect(error.message).toMatch(/phone/i);
      expect(error.message).not.toMatch(/regex|zod|instancePath|undefined/i);
      expect((error.details as { path: string }[]).map((d) => d.path.replace(/^body\./, ''))).toContain('phone');
      expect(await counts()).toEqual(before);
      const [row] = await q<{ n: number }>(sql`select count(*)::int as n from users where email = ${input.email}`);
      expect(row!.n).toBe(0);
    },
  );

  it('refuses a second account with the same email (any case) with 409 email_taken, and writes nothing', async () => {
    const first = valid();
    const created = await t.client().post('/api/v1/auth/signup', first);
    expect(created.statusCode, created.body).toBe(201);
    const before = await counts();
    const dup = await t.client().post('/api/v1/auth/signup', {
      ...valid(),
      email: ` ${first.email.toUpperCase()} `.trim(),
      companyName: 'Impostor Co',
      password: 'another-long-password',
    });
    expect(dup.statusCode, dup.body).toBe(409);
    expect(dup.json().error.code).toBe('email_taken');
    expect(dup.headers['set-cookie']).toBeUndefined();
    expect(await counts()).toEqual(before);
    const [ws] = await q<{ n: number }>(sql`select count(*)::int as n from workspaces where name = 'Impostor Co'`);
    expect(ws!.n).toBe(0);
    // The original password still works; the second attempt changed nothing.
    expect((await t.client().login(first.email, first.password)).statusCode).toBe(200);
    expect((await t.client().login(first.email, 'another-long-password')).statusCode).toBe(401);
  });

  it('two simultaneous sign-ups with one email make exactly one account', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      [0, 1, 2].map(() => t.client().post('/api/v1/auth/signup', { ...valid(), email, companyName: 'Race Co' })),
    );
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses, results.map((r) => r.body).join('\n')).toEqual([201, 409, 409]);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().error.code).toBe('email_taken');
    const [row] = await q<{ users: number; workspaces: number }>(sql`select
      (select count(*)::int from users where email = ${email}) as users,
      (select count(*)::int from workspaces where name = 'Race Co') as workspaces`);
    expect(row).toEqual({ users: 1, workspaces: 1 });
  });

  describe('email verification', () => {
    it('the emailed /verify-email link confirms the address', async () => {
      const input = valid();
      const client = t.client();
      const res = await client.post('/api/v1/auth/signup', input);
      expect(res.statusCode).toBe(201);
      await client.refreshCsrf();
      const eml = await t.mailTo(input.email);
      const link = linkIn(eml, '/verify-email?token=');
      const token = decodeURIComponent(new URL(link).searchParams.get('token')!);
      expect(token.length).toBeGreaterThan(20);

      expect((await client.get('/api/v1/auth/session')).json().user.emailVerified).toBe(false);
      // The link works from any browser, signed in or not.
      const verified = await t.client().post('/api/v1/auth/email/verify', { token });
      expect(verified.statusCode, verified.body).toBe(200);
      expect(verified.json()).toEqual({ ok: true });
      expect((await client.get('/api/v1/auth/session')).json().user.emailVerified).toBe(true);
      const [user] = await q<UserDbRow>(sql`select * from users where email = ${input.email}`);
      expect(user!.email_verified_at).not.toBeNull();
    });

    it('a forged or altered token is refused with 400 invalid_token and verifies nothing', async () => {
      const victim = valid();
      const attacker = valid();
      for (const input of [victim, attacker]) {
        expect((await t.client().post('/api/v1/auth/signup', input)).statusCode).toBe(201);
      }
      const attackerToken = decodeURIComponent(
        new URL(linkIn(await t.mailTo(attacker.email), '/verify-email?token=')).searchParams.get('token')!,
      );
      const [victimRow] = await q<UserDbRow>(sql`select * from users where email = ${victim.email}`);
      const [payload, mac] = attackerToken.split('.') as [string, string];
      const fields = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
      // The attacker's token re-pointed at the victim, keeping the attacker's MAC.
      const repointed = `${Buffer.from(JSON.stringify([victimRow!.id, victim.email, fields[2]])).toString('base64url')}.${mac}`;
      // The attacker's token with a far-future expiry.
      const extended = `${Buffer.from(JSON.stringify([fields[0], fields[1], 9_999_999_999])).toString('base64url')}.${mac}`;
      const flipped = mac.endsWith('A') ? `${payload}.${mac.slice(0, -1)}B` : `${payload}.${mac.slice(0, -1)}A`;
      for (const token of [repointed, extended, flipped, payload, `${payload}.`, 'garbage', `${attackerToken}x`]) {
        const res = await t.client().post('/api/v1/auth/email/verify', { token });
        expect(res.statusCode, `${token}: ${res.body}`).toBe(400);
        expect(res.json().error.code).toBe('invalid_token');
      }
      const rows = await q<UserDbRow>(
        sql`select * from users where email in (${victim.email}, ${attacker.email}) and email_verified_at is not null`,
      );
      expect(rows).toEqual([]);
    });
  });
});
