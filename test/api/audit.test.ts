import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, rowsOf } from '../../src/db/client';
import { createTestApp, type SignedIn, type TestApp, type TestClient } from '../support/app';
import { addMember, type Member } from '../support/members';

interface Entry {
  id: string;
  action: string;
  actor: { type: string; id: string | null; name: string | null };
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  sessionId: string | null;
  metadata: Record<string, any>;
  createdAt: string;
}

/** P19: security-relevant events are recorded, readable by admins only, never writable, and tampering shows. */
describe('audit log', () => {
  let t: TestApp;
  let owner: SignedIn;
  let admin: Member;
  let agent: Member;
  let viewer: Member;
  let inviteEmail: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ name: 'Ola Owner', companyName: 'Audit Co' });
    admin = await addMember(t, owner, 'admin', 'Ada Admin');
    agent = await addMember(t, owner, 'agent', 'Aga Agent');
    viewer = await addMember(t, owner, 'viewer', 'Vic Viewer');
  });
  afterAll(() => t?.close());

  const ws = () => `/api/v1/workspaces/${owner.workspaceId}`;
  const log = async (query = '', client: TestClient = admin.client) => {
    const res = await client.get(`${ws()}/audit-log${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: Entry[]; nextCursor: string | null };
  };
  /** The database's own message for a refused statement (drizzle wraps it in "Failed query: …"). */
  const refusal = (query: Promise<unknown>) =>
    query.then(
      () => 'succeeded',
      (error: Error & { cause?: Error }) => `${error.message} ${error.cause?.message ?? ''}`,
    );
  const latest = async (action: string) => (await log(`?action=${action}&limit=1`)).items[0];

  describe('what is recorded', () => {
    it('a sign-in of a member, with who, from where and which session', async () => {
      const browser = t.client('203.0.113.7');
      expect((await browser.login(agent.email, agent.password)).statusCode).toBe(200);
      const sessions = (await browser.get('/api/v1/auth/sessions')).json().items as { id: string; current: boolean }[];
      const entry = (await log(`?action=auth.login&actorUserId=${agent.userId}&limit=1`)).items[0]!;
      expect(entry).toMatchObject({
        action: 'auth.login',
        actor: { type: 'user', id: agent.userId, name: 'Aga Agent' },
        ip: '203.0.113.7',
        sessionId: sessions.find((s) => s.current)!.id,
        metadata: { method: 'password' },
      });
      expect(entry.userAgent).toContain('Chrome');
    });

    it('a failed sign-in of a member, without the password tried', async () => {
      const res = await t
        .client('203.0.113.8')
        .post('/api/v1/auth/login', { email: viewer.email, password: 'wrong-password-canary-42' });
      expect(res.statusCode).toBe(401);
      const entry = await latest('auth.login_failed');
      expect(entry).toMatchObject({
        actor: { type: 'user', id: viewer.userId },
        ip: '203.0.113.8',
        metadata: { reason: 'wrong_password' },
      });
      const dump = JSON.stringify(rowsOf(await t.c.db.execute(sql`select * from audit_log`)));
      expect(dump).not.toContain('wrong-password-canary-42');
    });

    it('an invitation, without the invitee’s address', async () => {
      inviteEmail = `audit.invitee.${Date.now()}@example.com`;
      const created = await admin.client.post(`${ws()}/invites`, { email: inviteEmail, role: 'viewer' });
      expect(created.statusCode).toBe(201);
      const entry = await latest('member.invited');
      expect(entry).toMatchObject({
        actor: { type: 'user', id: admin.userId, name: 'Ada Admin' },
        targetType: 'invite',
        targetId: created.json().id,
        metadata: { role: 'viewer' },
      });
      const dump = JSON.stringify(rowsOf(await t.c.db.execute(sql`select * from audit_log`)));
      expect(dump).not.toContain(inviteEmail);
    });

    it('a role change, with from and to', async () => {
      expect((await owner.client.patch(`${ws()}/members/${viewer.userId}`, { role: 'manager' })).statusCode).toBe(200);
      expect(await latest('member.role_changed')).toMatchObject({
        actor: { type: 'user', id: owner.userId },
        targetType: 'user',
        targetId: viewer.userId,
        metadata: { from: 'viewer', to: 'manager' },
      });
      expect((await owner.client.patch(`${ws()}/members/${viewer.userId}`, { role: 'viewer' })).statusCode).toBe(200);
    });

    it('a member removal, with the role they had', async () => {
      const removed = await addMember(t, owner, 'agent', 'Rex Removed');
      expect((await admin.client.delete(`${ws()}/members/${removed.userId}`)).statusCode).toBe(204);
      expect(await latest('member.removed')).toMatchObject({
        actor: { type: 'user', id: admin.userId },
        targetType: 'user',
        targetId: removed.userId,
        metadata: { role: 'agent' },
      });
    });

    it('an API key creation, with its scopes and not its secret', async () => {
      const res = await admin.client.post(`${ws()}/api-keys`, {
        name: 'audited key',
        scopes: ['workspace.read', 'audit.read'],
      });
      expect(res.statusCode).toBe(201);
      expect(await latest('api_key.created')).toMatchObject({
        actor: { type: 'user', id: admin.userId },
        targetType: 'api_key',
        targetId: res.json().apiKey.id,
        metadata: { scopes: ['workspace.read', 'audit.read'], expiresAt: null },
      });
      expect(JSON.stringify(rowsOf(await t.c.db.execute(sql`select * from audit_log`)))).not.toContain(
        res.json().secret.slice(3),
      );
    });

    it('a settings change, with each field’s old and new value', async () => {
      expect((await owner.client.patch(ws(), { name: 'Audit Co Renamed', timezone: 'Europe/London' })).statusCode).toBe(
        200,
      );
      const entry = await latest('workspace.settings_changed');
      expect(entry).toMatchObject({
        actor: { type: 'user', id: owner.userId },
        targetType: 'workspace',
        targetId: owner.workspaceId,
        metadata: {
          changes: { name: { from: 'Audit Co', to: 'Audit Co Renamed' }, timezone: { to: 'Europe/London' } },
        },
      });
    });

    it('lists each action recorded in the workspace for the filter menu', async () => {
      const res = await admin.client.get(`${ws()}/audit-log/actions`);
      expect(res.statusCode).toBe(200);
      expect(res.json().items).toEqual(
        expect.arrayContaining([
          'workspace.created',
          'member.invited',
          'member.joined',
          'member.role_changed',
          'member.removed',
          'api_key.created',
          'workspace.settings_changed',
        ]),
      );
    });

    it('does not show account events of people outside the workspace', async () => {
      const outsider = await t.signup({ name: 'Out Sider', companyName: 'Elsewhere' });
      await t.client().login(outsider.email, outsider.password);
      const all = await log('?limit=200');
      expect(all.items.filter((e) => e.actor.id === outsider.userId)).toEqual([]);
      expect(all.items.filter((e) => e.action === 'auth.login').map((e) => e.actor.id)).toContain(agent.userId);
    });
  });

  describe('reading', () => {
    it('filters by action and by actor', async () => {
      const byAction = await log('?action=member.joined&limit=200');
      expect(byAction.items.length).toBeGreaterThanOrEqual(3);
      expect(new Set(byAction.items.map((e) => e.action))).toEqual(new Set(['member.joined']));
      const byActor = await log(`?actorUserId=${admin.userId}&limit=200`);
      expect(byActor.items.length).toBeGreaterThanOrEqual(3);
      expect(new Set(byActor.items.map((e) => e.actor.id))).toEqual(new Set([admin.userId]));
    });

    it('filters by a from/to time window, inclusive', async () => {
      const all = (await log('?limit=200')).items;
      expect(all.length).toBeGreaterThan(10);
      const from = all[all.length - 3]!.createdAt;
      const to = all[2]!.createdAt;
      const expected = all.filter((e) => e.createdAt >= from && e.createdAt <= to).map((e) => e.id);
      const windowed = await log(`?limit=200&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      expect(windowed.items.map((e) => e.id)).toEqual(expected);
      expect(expected.length).toBeLessThan(all.length);
      const future = await log(`?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
      expect(future.items).toEqual([]);
    });

    it('pages with a cursor: newest first, no duplicates, no gaps', async () => {
      for (let i = 0; i < 12; i++)
        expect((await owner.client.patch(ws(), { name: `Audit Co ${i}` })).statusCode).toBe(200);
      const everything = (await log('?limit=200')).items.map((e) => e.id);
      expect(everything.length).toBeGreaterThan(25);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await log(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(7);
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 50);
      expect(seen).toEqual(everything);
      expect(new Set(seen).size).toBe(seen.length);
      expect(pages).toBe(Math.ceil(everything.length / 7));

      // Paging also works together with a filter.
      const filtered: string[] = [];
      cursor = null;
      do {
        const page = await log(`?action=workspace.settings_changed&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
        filtered.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(filtered).toEqual((await log('?action=workspace.settings_changed&limit=200')).items.map((e) => e.id));
      expect(filtered.length).toBeGreaterThanOrEqual(13);
    });

    it('rejects a forged cursor with 400', async () => {
      const res = await admin.client.get(
        `${ws()}/audit-log?cursor=${Buffer.from('not-a-date|x').toString('base64url')}`,
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    });

    it('is for owners and admins only: managers, agents and viewers get 403', async () => {
      const manager = await addMember(t, owner, 'manager', 'Mo Manager');
      expect((await log('', owner.client)).items.length).toBeGreaterThan(0);
      for (const member of [manager, agent, viewer]) {
        for (const url of [`${ws()}/audit-log`, `${ws()}/audit-log/actions`]) {
          const res = await member.client.get(url);
          expect(res.statusCode).toBe(403);
          expect(res.json().error.code).toBe('forbidden');
        }
      }
    });
  });

  describe('append-only and tamper-evident', () => {
    it('has no write route: OpenAPI lists only GET under audit-log, and writes answer 404', async () => {
      const doc = (await t.server.inject('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
      const auditPaths = Object.entries(doc.paths).filter(([p]) => p.includes('audit-log'));
      expect(auditPaths.length).toBeGreaterThanOrEqual(2);
      for (const [p, ops] of auditPaths) expect(Object.keys(ops), p).toEqual(['get']);
      const entry = (await log('?limit=1')).items[0]!;
      for (const method of ['POST', 'PATCH', 'PUT', 'DELETE']) {
        for (const url of [`${ws()}/audit-log`, `${ws()}/audit-log/${entry.id}`]) {
          const res = await owner.client.request(method, url, method === 'DELETE' ? undefined : { action: 'x' });
          expect(res.statusCode, `${method} ${url}`).toBe(404);
        }
      }
    });

    it('refuses UPDATE and DELETE in SQL (trigger)', async () => {
      expect(await refusal(t.c.db.execute(sql`update audit_log set action = 'rewritten'`))).toContain(
        'audit_log is append-only',
      );
      expect(await refusal(t.c.db.execute(sql`delete from audit_log`))).toContain('audit_log is append-only');
      const n = rowsOf<{ n: number }>(
        await t.c.db.execute(sql`select count(*)::int as n from audit_log where action = 'rewritten'`),
      );
      expect(n[0]!.n).toBe(0);
    });

    it('verify() reports every chain intact', async () => {
      const reports = await t.c.audit.verify();
      expect(reports.map((r) => r.chain).sort()).toEqual(
        expect.arrayContaining(['account', `ws:${owner.workspaceId}`]),
      );
      expect(reports.filter((r) => !r.ok)).toEqual([]);
      expect(reports.find((r) => r.chain === `ws:${owner.workspaceId}`)!.rows).toBeGreaterThan(20);
    });

    /** Runs SQL with the append-only trigger switched off, as someone with direct database access could. */
    const tamper = (statement: ReturnType<typeof sql>) =>
      t.c.db.transaction(async (tx) => {
        await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
        await tx.execute(statement);
        await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
      });

    it('detects an edited row: that chain is broken at that row, the others stay intact', async () => {
      const chain = `ws:${owner.workspaceId}`;
      await tamper(sql`update audit_log set metadata = '{"role":"owner"}'::jsonb where chain = ${chain} and seq = 4`);
      const reports = await t.c.audit.verify();
      expect(reports.find((r) => r.chain === chain)).toMatchObject({
        ok: false,
        brokenAtSeq: 4,
        reason: 'row content does not match its hash',
      });
      expect(reports.filter((r) => r.chain !== chain && !r.ok)).toEqual([]);
      // The trigger is back on.
      expect(await refusal(t.c.db.execute(sql`delete from audit_log where chain = ${chain}`))).toContain(
        'audit_log is append-only',
      );
    });

    it('detects a deleted row as a gap in its chain', async () => {
      const rows = rowsOf<{ n: number }>(
        await t.c.db.execute(sql`select count(*)::int as n from audit_log where chain = 'account'`),
      );
      expect(rows[0]!.n).toBeGreaterThan(5);
      await tamper(sql`delete from audit_log where chain = 'account' and seq = 3`);
      const report = (await t.c.audit.verify()).find((r) => r.chain === 'account');
      expect(report).toMatchObject({ ok: false, brokenAtSeq: 4, reason: 'row 3 is missing' });
    });

    it('refuses TRUNCATE (a statement trigger), so the log cannot be emptied through SQL either', async () => {
      expect(await refusal(t.c.db.execute(sql`truncate audit_log`))).toContain('audit_log is append-only');
    });

    it('detects the newest rows of a chain removed: the chain no longer ends at its recorded head', async () => {
      const other = await t.signup({ companyName: 'Tail Co' });
      await other.client.patch(`/api/v1/workspaces/${other.workspaceId}`, { name: 'Tail Co 2' });
      const chain = `ws:${other.workspaceId}`;
      expect((await t.c.audit.verify()).find((r) => r.chain === chain)).toMatchObject({ ok: true, rows: 2 });
      await tamper(sql`delete from audit_log where chain = ${chain} and seq = 2`);
      expect((await t.c.audit.verify()).find((r) => r.chain === chain)).toMatchObject({
        ok: false,
        rows: 1,
        reason: 'rows after 1 are missing (the chain ended at 2)',
      });
      // Removing every row of a chain is caught the same way.
      await tamper(sql`delete from audit_log where chain = ${chain}`);
      expect((await t.c.audit.verify()).find((r) => r.chain === chain)).toMatchObject({ ok: false, rows: 0 });
    });
  });
});

describe('leadsboost audit verify (CLI)', () => {
  const run = promisify(execFile);
  const root = path.resolve(__dirname, '../..');
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-audit-cli-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const cli = (...args: string[]) => {
    const { DATABASE_URL: _ignored, ENCRYPTION_KEYS: _keys, ...env } = process.env;
    return run(tsx, ['src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
  };

  it('exits 0 on an intact log, and 1 once a row was edited', async () => {
    await cli(
      'create-admin',
      '--email',
      'cli.admin@example.com',
      '--name',
      'Cli Admin',
      '--phone',
      '+60123456789',
      '--company',
      'Cli Co',
      '--password',
      'a-long-password-1',
    );
    const ok = await cli('audit', 'verify');
    expect(ok.stdout).toMatch(/^ok {6}account/m);
    expect(ok.stdout).toMatch(/All \d+ chain\(s\) intact\./);

    const database = await openDatabase({ dataDir });
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
      await tx.execute(sql`update audit_log set action = 'auth.nothing_to_see' where chain = 'account' and seq = 1`);
      await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    });
    await database.close();
    const broken = await cli('audit', 'verify').then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    );
    expect(broken?.code).toBe(1);
    expect(broken?.stdout).toMatch(/BROKEN {2}account {2}at row 1/);
  });
});
