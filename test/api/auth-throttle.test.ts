import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { LoginThrottle, THROTTLE_POLICY } from '../../src/domains/auth/login-throttle';
import { createTestApp, type Res, type TestApp, uniqueEmail } from '../support/app';

interface Answer {
  status: number;
  code: string | null;
  retryAfter: number | null;
}

const { account, ip: ipPolicy, lockMinutes } = THROTTLE_POLICY;

/**
 * P9: repeated bad sign-ins are slowed, then locked; unknown accounts answer exactly like known ones.
 * Waiting out a backoff is simulated by moving `login_throttle.locked_until` into the past, which is what time does.
 */
describe('sign-in throttling (P9)', () => {
  let t: TestApp;
  let ipCounter = 0;
  /** A fresh client IP, so the per-IP counter of one test never affects another. */
  const nextIp = () => `10.20.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  /** The throttle key of an address, as the server computes it. */
  const accountKey = (email: string) =>
    new LoginThrottle(t.c.authRepo).keysFor(email.trim().toLowerCase(), null).account;
  const q = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await t.c.db.execute(query));

  const answer = (res: Res): Answer => ({
    status: res.statusCode,
    code: res.statusCode === 200 ? null : res.json().error.code,
    retryAfter: res.headers['retry-after'] === undefined ? null : Number(res.headers['retry-after']),
  });
  const attempt = async (ip: string, email: string, password: string) =>
    answer(await t.client(ip).post('/api/v1/auth/login', { email, password }));
  /** What waiting until the end of the current backoff does: the lock is over, the failure count stays. */
  const waitOutAccountLock = (email: string) =>
    t.c.db.execute(sql`update login_throttle set locked_until = now() - interval '1 second'
      where key = ${accountKey(email)}`);
  const waitOutIpLock = (ip: string) =>
    t.c.db.execute(sql`update login_throttle set locked_until = now() - interval '1 second' where key = ${`ip:${ip}`}`);
  const accountRow = async (email: string) => {
    const [row] = await q<{ failures: number; locked_until: string | Date | null }>(
      sql`select failures, locked_until from login_throttle where key = ${accountKey(email)}`,
    );
    return row;
  };

  /**
   * The attacker's view of hammering one address with wrong passwords from one IP: every answer, in order,
   * waiting out each short backoff (but not the final lock) so that the failures keep counting.
   */
  async function hammer(email: string, ip: string): Promise<Answer[]> {
    const answers: Answer[] = [];
    let failures = 0;
    while (failures < account.lockFailures) {
      const a = await attempt(ip, email, `wrong-password-${answers.length}`);
      answers.push(a);
      if (a.status === 401) failures++;
      else {
        expect(a, JSON.stringify(answers)).toMatchObject({ status: 429, code: 'account_locked' });
        await waitOutAccountLock(email);
      }
    }
    answers.push(await attempt(ip, email, 'wrong-password-after-lock'));
    return answers;
  }

  const free = account.freeFailures;
  const lock = account.lockFailures;

  it('the first failures answer 401 invalid_credentials; then each attempt must wait longer; at the limit it locks for 15 minutes', async () => {
    const owner = await t.signup({ password: 'the-right-password' });
    const ip = nextIp();
    const answers = await hammer(owner.email, ip);

    // The free failures are answered at once, with no wait.
    for (const a of answers.slice(0, free))
      expect(a).toEqual({ status: 401, code: 'invalid_credentials', retryAfter: null });
    // The attempt after the first failure past the free ones must wait (Retry-After), then each wait doubles.
    const waits = answers.filter((a) => a.status === 429).map((a) => a.retryAfter!);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(lock);
    expect(waits).toHaveLength(lock - free);
    for (const [i, wait] of waits.slice(0, -1).entries()) {
      const max = 2 ** (i + 1);
      expect(wait, `backoff ${i + 1}`).toBeGreaterThan(0);
      expect(wait, `backoff ${i + 1}`).toBeLessThanOrEqual(max);
      expect(wait, `backoff ${i + 1}`).toBeGreaterThan(max / 2 - 1);
    }
    // After the tenth failure: locked for about 15 minutes.
    const final = answers.at(-1)!;
    expect(final.status).toBe(429);
    expect(final.code).toBe('account_locked');
    expect(final.retryAfter).toBeGreaterThan((lockMinutes - 1) * 60);
    expect(final.retryAfter).toBeLessThanOrEqual(lockMinutes * 60);

    // While locked, even the right password is refused, from any IP, and the lock does not count it as a success.
    for (const from of [ip, nextIp()]) {
      const right = await t
        .client(from)
        .post('/api/v1/auth/login', { email: owner.email, password: 'the-right-password' });
      expect(right.statusCode).toBe(429);
      expect(right.json().error.code).toBe('account_locked');
      expect(right.json().error.message).toMatch(/minutes/);
      expect(right.headers['set-cookie']).toBeUndefined();
    }
    expect((await accountRow(owner.email))!.failures).toBe(lock);

    // Once the lock is over, the right password signs in and clears the count.
    await waitOutAccountLock(owner.email);
    const ok = await t.client(nextIp()).login(owner.email, 'the-right-password');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await accountRow(owner.email)).toBeUndefined();
  });

  it('the right password during a short backoff is refused too', async () => {
    const owner = await t.signup({ password: 'the-right-password' });
    const ip = nextIp();
    for (let i = 0; i <= free; i++) expect((await attempt(ip, owner.email, `wrong-${i}`)).status).toBe(401);
    const right = await attempt(ip, owner.email, 'the-right-password');
    expect(right.status).toBe(429);
    expect(right.code).toBe('account_locked');
    expect(right.retryAfter).toBeGreaterThan(0);
  });

  it('password checks of a signed-in person (change password, 2FA off, new recovery codes) count in the same throttle', async () => {
    const owner = await t.signup({ password: 'the-right-password' });
    const checks: [string, (password: string) => object][] = [
      ['/api/v1/auth/me/password', (p) => ({ currentPassword: p, newPassword: 'another-long-password-1' })],
      ['/api/v1/auth/mfa/disable', (p) => ({ password: p })],
      ['/api/v1/auth/mfa/recovery-codes', (p) => ({ password: p })],
    ];
    for (let i = 0; i <= free; i++) {
      const [path, body] = checks[i % checks.length]!;
      const res = await owner.client.post(path, body(`wrong-${i}`));
      expect(res.statusCode, `${path} ${res.body}`).toBe(401);
      expect(res.json().error.code).toBe('invalid_credentials');
    }
    expect((await accountRow(owner.email))!.failures).toBe(free + 1);
    // Past the free failures the account must wait: the right password too, here and at sign-in from another IP.
    const right = await owner.client.post('/api/v1/auth/me/password', {
      currentPassword: 'the-right-password',
      newPassword: 'another-long-password-1',
    });
    expect(right.statusCode).toBe(429);
    expect(right.json().error.code).toBe('account_locked');
    expect((await attempt(nextIp(), owner.email, 'the-right-password')).code).toBe('account_locked');
    // Once the wait is over, the right password is accepted and clears the count.
    await waitOutAccountLock(owner.email);
    const changed = await owner.client.post('/api/v1/auth/me/password', {
      currentPassword: 'the-right-password',
      newPassword: 'another-long-password-1',
    });
    expect(changed.statusCode, changed.body).toBe(204);
    expect(await accountRow(owner.email)).toBeUndefined();
  });

  it('an unknown email gets exactly the same sequence of answers as a known one', async () => {
    const known = await t.signup({ password: 'the-right-password' });
    const knownAnswers = await hammer(known.email, nextIp());
    const unknownAnswers = await hammer(uniqueEmail('ghost'), nextIp());
    const shape = (answers: Answer[]) =>
      answers.map((a) => `${a.status} ${a.code} ${a.retryAfter === null ? '-' : a.retryAfter > 60 ? 'long' : 'short'}`);
    expect(shape(unknownAnswers)).toEqual(shape(knownAnswers));
    // The emails differ only in case from the stored ones: still the same counter.
    const upper = await attempt(nextIp(), known.email.toUpperCase(), 'the-right-password');
    expect(upper).toMatchObject({ status: 429, code: 'account_locked' });
  });

  it('failed sign-ins are audited as auth.login_failed without the password or the email', async () => {
    const owner = await t.signup({ password: 'the-right-password' });
    const ghost = uniqueEmail('ghostaudit');
    const ip = nextIp();
    const wrong = 'Canary-Wrong-Password-7731';
    expect((await attempt(ip, owner.email, wrong)).status).toBe(401);
    expect((await attempt(ip, ghost, wrong)).status).toBe(401);
    for (let i = 0; i < lock; i++) await attempt(ip, owner.email, wrong);
    const rows = await q<Record<string, unknown>>(
      sql`select * from audit_log where action = 'auth.login_failed' and ip = ${ip} order by created_at, seq`,
    );
    const reasons = rows.map((r) => (r.metadata as { reason: string }).reason);
    expect(reasons.slice(0, 2)).toEqual(['wrong_password', 'unknown_account']);
    expect(reasons).toContain('locked');
    expect(rows.length).toBe(2 + lock);
    expect(rows[0]).toMatchObject({ actor_type: 'user', actor_id: owner.userId, ip });
    expect(rows[1]).toMatchObject({ actor_type: 'anonymous', actor_id: null, ip });
    for (const r of rows) expect(r.user_agent).toContain('Mozilla/5.0');
    const dump = JSON.stringify(rows).toLowerCase();
    expect(dump).not.toContain(wrong.toLowerCase());
    expect(dump).not.toContain(owner.email.toLowerCase());
    expect(dump).not.toContain(ghost.toLowerCase());
    expect(dump).not.toContain(owner.email.split('@')[0]!.toLowerCase());
  });

  it('one IP trying many accounts is slowed past the IP threshold and locked at its limit', async () => {
    const ip = nextIp();
    const accounts = Array.from({ length: Math.ceil(ipPolicy.lockFailures / free) }, () => uniqueEmail('spray'));
    const answers: Answer[] = [];
    let failures = 0;
    let slowed = 0;
    while (failures < ipPolicy.lockFailures) {
      // Each account stays within its own free failures: only the IP counter can stop this.
      const email = accounts[Math.floor(failures / free)]!;
      const a = await attempt(ip, email, 'spray-password-1');
      answers.push(a);
      if (a.status === 401) {
        failures++;
        continue;
      }
      expect(a, `after ${failures} failures`).toMatchObject({ status: 429, code: 'account_locked' });
      expect(a.retryAfter).toBeGreaterThan(0);
      // A backoff is never longer than the lock it leads to.
      expect(a.retryAfter, `after ${failures} failures`).toBeLessThanOrEqual(lockMinutes * 60);
      expect(failures, 'slowed before the IP threshold').toBeGreaterThan(ipPolicy.freeFailures);
      slowed++;
      await waitOutIpLock(ip);
    }
    // The first freeFailures go through without a wait.
    expect(answers.slice(0, ipPolicy.freeFailures).every((a) => a.status === 401)).toBe(true);
    expect(slowed).toBe(ipPolicy.lockFailures - ipPolicy.freeFailures - 1);

    // Now the IP is locked for about 15 minutes: even a real account with its right password is refused from it...
    const real = await t.signup({ password: 'the-right-password' });
    const fromIp = await attempt(ip, real.email, 'the-right-password');
    expect(fromIp).toMatchObject({ status: 429, code: 'account_locked' });
    expect(fromIp.retryAfter).toBeGreaterThan((lockMinutes - 1) * 60);
    // ...while the same account signs in from elsewhere: the lock is on the IP, not on the accounts.
    expect((await attempt(nextIp(), real.email, 'the-right-password')).status).toBe(200);
    expect((await attempt(nextIp(), accounts[0]!, 'spray-password-1')).status).toBe(401);
  });

  it('1,000 wrong passwords against one account: none succeeds; after the lock every answer is 429', async () => {
    const owner = await t.signup({ password: 'the-right-password' });
    const ip = nextIp();
    const answers: Answer[] = [];
    let lockedAt = -1;
    for (let i = 0; i < 1000; i++) {
      const a = await attempt(ip, owner.email, `guess-${i.toString(36)}-password`);
      answers.push(a);
      if (lockedAt < 0 && a.status === 401 && answers.filter((x) => x.status === 401).length === lock) lockedAt = i;
      // Short backoffs are waited out (as a patient attacker would); the final lock is not.
      if (a.status === 429 && lockedAt < 0) await waitOutAccountLock(owner.email);
    }
    expect(answers.some((a) => a.status === 200)).toBe(false);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(lock);
    expect(lockedAt).toBeGreaterThan(0);
    const afterLock = answers.slice(lockedAt + 1);
    expect(afterLock.length).toBeGreaterThan(900);
    expect(afterLock.every((a) => a.status === 429 && a.code === 'account_locked' && a.retryAfter! > 60)).toBe(true);
    // Refused attempts neither count as failures nor lift the lock; the right password is still refused.
    expect((await accountRow(owner.email))!.failures).toBe(lock);
    expect((await attempt(ip, owner.email, 'the-right-password')).status).toBe(429);
  }, 180_000);

  it('the auth routes are rate-limited per IP (429 rate_limited with Retry-After)', async () => {
    const limited = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3' }, { worker: false });
    try {
      const ip = '10.99.0.1';
      const statuses: number[] = [];
      let last: Res | undefined;
      for (let i = 0; i < 5; i++) {
        last = await limited.client(ip).post('/api/v1/auth/password/forgot', { email: uniqueEmail('rl') });
        statuses.push(last.statusCode);
      }
      expect(statuses).toEqual([202, 202, 202, 429, 429]);
      expect(last!.json().error.code).toBe('rate_limited');
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
      // Another IP is not affected.
      expect(
        (await limited.client('10.99.0.2').post('/api/v1/auth/password/forgot', { email: uniqueEmail('rl') }))
          .statusCode,
      ).toBe(202);
    } finally {
      await limited.close();
    }
  });

  it('a burst of parallel wrong passwords is counted in full and locks the account', async () => {
    const owner = await t.signup({ password: 'the-right-password' });
    const burst = 3 * lock;
    const answers = await Promise.all(
      Array.from({ length: burst }, (_, i) => attempt(nextIp(), owner.email, `parallel-guess-${i}`)),
    );
    expect(answers.some((a) => a.status === 200)).toBe(false);
    const checked = answers.filter((a) => a.status === 401).length;
    // Every password that was checked counted as a failure: none was lost to a concurrent update.
    expect((await accountRow(owner.email))!.failures).toBe(checked);
    expect(checked).toBeGreaterThan(free);
    // So the account now waits (the long lock when the whole burst was checked), whatever the interleaving was.
    const next = await attempt(nextIp(), owner.email, 'the-right-password');
    expect(next).toMatchObject({ status: 429, code: 'account_locked' });
    if (checked >= lock) expect(next.retryAfter).toBeGreaterThan((lockMinutes - 1) * 60);
  });
});
