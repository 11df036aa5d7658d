import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, policyAcknowledgements } from '../../src/db/schema';
import { PolicyAcknowledgementsRepository } from '../../src/domains/privacy/policy.repository';
import { PrivacyPolicyService } from '../../src/domains/privacy/policy.service';
import { SHIPPED_POLICY_FILE } from '../../src/domains/privacy/policy-version';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { addMember } from '../support/members';

/**
 * P34: the current policy's version is its "Last Updated" day; accounts accept it when they are made; a person whose
 * latest acknowledgement is of an older version is told so by `GET /auth/session` until they acknowledge the current
 * one with `POST /auth/me/policy-acknowledgement`, which is recorded (row and audit entry).
 */
const SHIPPED = { version: '2025-01-01', lastUpdated: '1st January 2025' };
const ACK = '/api/v1/auth/me/policy-acknowledgement';

describe('privacy policy acknowledgement (P34)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  const rowsOf = (userId: string) =>
    t.c.db
      .select()
      .from(policyAcknowledgements)
      .where(eq(policyAcknowledgements.userId, userId))
      .orderBy(asc(policyAcknowledgements.acknowledgedAt));
  const auditOf = (userId: string) =>
    t.c.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'privacy.policy_acknowledged'), eq(auditLog.targetId, userId)))
      .orderBy(asc(auditLog.createdAt), asc(auditLog.seq));
  const policyOf = async (who: SignedIn) => {
    const res = await who.client.get('/api/v1/auth/session');
    expect(res.statusCode, res.body).toBe(200);
    return res.json().privacyPolicy;
  };
  /** As if the person had last acknowledged an older policy: the published one is newer than theirs. */
  const makeAcknowledgementOlder = (userId: string, version = '2024-06-01') =>
    t.c.db
      .update(policyAcknowledgements)
      .set({ policyVersion: version, acknowledgedAt: new Date('2024-06-02T09:00:00Z') })
      .where(eq(policyAcknowledgements.userId, userId));

  it('a new sign-up has accepted the current version and is asked nothing', async () => {
    const owner = await t.signup();
    expect(await policyOf(owner)).toEqual({
      ...SHIPPED,
      acknowledgementRequired: false,
      acknowledgedVersion: SHIPPED.version,
      acknowledgedAt: expect.any(String),
    });
    const rows = await rowsOf(owner.userId);
    expect(rows).toEqual([
      expect.objectContaining({
        policyVersion: SHIPPED.version,
        method: 'signup',
        policySha256: t.c.privacyPolicy.current.sha256,
      }),
    ]);
    const [entry, ...more] = await auditOf(owner.userId);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      workspaceId: null,
      actorType: 'user',
      actorId: owner.userId,
      targetType: 'user',
      metadata: { version: SHIPPED.version, method: 'signup' },
    });
  });

  it('registering from an invitation accepts it too', async () => {
    const owner = await t.signup();
    const member = await addMember(t, owner, 'agent');
    expect((await policyOf(member)).acknowledgementRequired).toBe(false);
    expect((await rowsOf(member.userId)).map((r) => r.method)).toEqual(['invite']);
  });

  it('a person whose acknowledged version is older is told, with the new version and its date', async () => {
    const owner = await t.signup();
    await makeAcknowledgementOlder(owner.userId);
    expect(await policyOf(owner)).toEqual({
      ...SHIPPED,
      acknowledgementRequired: true,
      acknowledgedVersion: '2024-06-01',
      acknowledgedAt: '2024-06-02T09:00:00.000Z',
    });
  });

  it('acknowledging records who, which version and when, audits it, and clears the flag', async () => {
    const owner = await t.signup();
    await makeAcknowledgementOlder(owner.userId);
    const before = Date.now();
    const res = await owner.client.post(ACK, { version: SHIPPED.version });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().privacyPolicy).toMatchObject({
      ...SHIPPED,
      acknowledgementRequired: false,
      acknowledgedVersion: SHIPPED.version,
    });

    const rows = await rowsOf(owner.userId);
    expect(rows.map((r) => [r.policyVersion, r.method])).toEqual([
      ['2024-06-01', 'signup'],
      [SHIPPED.version, 'prompt'],
    ]);
    const recorded = rows[1]!;
    expect(recorded.policySha256).toBe(t.c.privacyPolicy.current.sha256);
    expect(recorded.acknowledgedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);

    const sessionId = (await owner.client.get('/api/v1/auth/sessions')).json().items[0].id;
    const entry = (await auditOf(owner.userId)).at(-1)!;
    expect(entry).toMatchObject({
      actorType: 'user',
      actorId: owner.userId,
      sessionId,
      ip: '127.0.0.1',
      userAgent: expect.stringContaining('Mozilla/5.0'),
      metadata: { version: SHIPPED.version, method: 'prompt' },
    });

    expect((await policyOf(owner)).acknowledgementRequired).toBe(false);

    // Again (a second tab): the same answer, nothing recorded twice.
    const again = await owner.client.post(ACK, { version: SHIPPED.version });
    expect(again.statusCode).toBe(200);
    expect(await rowsOf(owner.userId)).toHaveLength(2);
    expect(await auditOf(owner.userId)).toHaveLength(2);
  });

  it('acknowledging a version that is not the current one is refused with 409 and records nothing', async () => {
    const owner = await t.signup();
    await makeAcknowledgementOlder(owner.userId);
    for (const version of ['2024-06-01', '2099-01-01']) {
      const res = await owner.client.post(ACK, { version });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().error.code).toBe('policy_version_not_current');
    }
    expect((await rowsOf(owner.userId)).map((r) => r.policyVersion)).toEqual(['2024-06-01']);
    expect((await policyOf(owner)).acknowledgementRequired).toBe(true);
  });

  it('refuses a body that names no version (400)', async () => {
    const owner = await t.signup();
    for (const body of [{}, { version: 'latest' }, { version: 20250101 }]) {
      const res = await owner.client.post(ACK, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
  });

  it('refuses a caller who is not signed in (401)', async () => {
    const res = await t.client().post(ACK, { version: SHIPPED.version });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
  });

  it('refuses a cookie request without the CSRF token (403) and records nothing', async () => {
    const owner = await t.signup();
    await makeAcknowledgementOlder(owner.userId);
    const csrf = owner.client.csrf;
    owner.client.csrf = null;
    const missing = await owner.client.post(ACK, { version: SHIPPED.version });
    owner.client.csrf = 'not-the-token';
    const wrong = await owner.client.post(ACK, { version: SHIPPED.version });
    owner.client.csrf = csrf;
    for (const res of [missing, wrong]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('csrf_failed');
    }
    expect((await rowsOf(owner.userId)).map((r) => r.policyVersion)).toEqual(['2024-06-01']);
  });

  it('an API key acts for a workspace, not a person: it cannot acknowledge (401)', async () => {
    const owner = await t.signup();
    const key = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, {
      name: 'P34 key',
      scopes: ['leads.read'],
    });
    const keyClient = t.client();
    keyClient.bearer = key.json().secret;
    const res = await keyClient.post(ACK, { version: SHIPPED.version });
    expect(res.statusCode).toBe(401);
  });
});

describe('publishing a new policy version (PRIVACY_POLICY_FILE, P34)', () => {
  let t: TestApp;
  let newerFile: string;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lb-policy-'));
    newerFile = path.join(dir, 'privacy-policy.txt');
    writeFileSync(
      newerFile,
      readFileSync(SHIPPED_POLICY_FILE, 'utf8').replace(
        'Last Updated: 1st January 2025',
        'Last Updated: 15th March 2026',
      ),
    );
    t = await createTestApp({ PRIVACY_POLICY_FILE: newerFile }, { worker: false });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(path.dirname(newerFile), { recursive: true, force: true });
  });

  it('serves the configured policy with its date; the session reports its version; the old one is refused', async () => {
    const page = await t.server.inject('/privacy-policy');
    expect(page.body).toMatch(/data-testid="policy-last-updated">15th March 2026</);
    const owner = await t.signup();
    const status = (await owner.client.get('/api/v1/auth/session')).json().privacyPolicy;
    expect(status).toMatchObject({
      version: '2026-03-15',
      lastUpdated: '15th March 2026',
      acknowledgementRequired: false,
    });
    const stale = await owner.client.post(ACK, { version: '2025-01-01' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('policy_version_not_current');
  });

  it('people who accepted the shipped version are asked again once the newer one is published', async () => {
    // The same database as before the operator published the newer policy: accounts made under the shipped one.
    const shipped = new PrivacyPolicyService({
      db: t.c.db,
      config: { ...t.c.config, PRIVACY_POLICY_FILE: undefined },
      repo: new PolicyAcknowledgementsRepository(t.c.db),
      audit: t.c.audit,
    });
    const userId = (await t.signup()).userId;
    await t.c.db.delete(policyAcknowledgements).where(eq(policyAcknowledgements.userId, userId));
    await t.c.db.transaction((tx) => shipped.recordAcceptance(tx, userId, 'signup', { type: 'user', id: userId }));
    expect(await shipped.statusFor(userId)).toMatchObject({ version: '2025-01-01', acknowledgementRequired: false });
    expect(await t.c.privacyPolicy.statusFor(userId)).toMatchObject({
      version: '2026-03-15',
      acknowledgementRequired: true,
      acknowledgedVersion: '2025-01-01',
    });
  });
});
