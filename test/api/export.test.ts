import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { newId } from '../../src/lib/ids';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { ensurePipeline, operationOf, uploadCsv } from '../support/imports';
import { addMember, type Member } from '../support/members';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('leads export', () => {
  let t: TestApp;
  let owner: SignedIn;
  let manager: Member;
  let agent: Member;
  const ws = () => `/api/v1/workspaces/${owner.workspaceId}`;
  const TOTAL = 2105; // more than one batch of 2,000

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ name: 'Olivia Owner', companyName: 'Export Co' });
    manager = await addMember(t, owner, 'manager', 'Mona Manager');
    agent = await addMember(t, owner, 'agent', 'Adam Agent');
    await ensurePipeline(t, owner.workspaceId);
    await t.c.db.execute(
      sql`insert into field_definitions (workspace_id, id, entity, key, label, type) values (${owner.workspaceId}, ${newId()}, 'lead', 'budget', 'Budget', 'number')`,
    );
    const rows = ['name,email,owner,budget,tags,phone'];
    rows.push(`"=HYPERLINK(""http://evil.example"",""click"")",evil@example.com,${manager.email},100,vip;hot,`);
    rows.push(`@SUM(1+1),at@example.com,${agent.email},,vip,`);
    for (let i = 0; i < TOTAL - 2; i++)
      rows.push(`Person ${i},p${i}@export.example,${owner.email},${i},,012${String(3000000 + i)}`);
    const up = await uploadCsv(owner.client, owner.workspaceId, rows.join('\n'));
    expect(up.statusCode, up.body).toBe(201);
    const mapping = { '0': 'name', '1': 'email', '2': 'owner_email', '3': 'custom.budget', '4': 'tags', '5': 'phone' };
    expect(up.json().suggestedMapping).toEqual(mapping);
    const started = await owner.client.post(`${ws()}/imports/${up.json().operationId}/start`, {
      mapping,
      upsertKey: 'email',
    });
    expect(started.statusCode, started.body).toBe(202);
    await t.drainJobs();
    expect((await operationOf(t, owner.workspaceId, up.json().operationId)).details).toMatchObject({
      created: TOTAL,
      rejected: 0,
    });
  });
  afterAll(() => t?.close());

  it('streams every lead as CSV with every field, neutralising formula cells', async () => {
    const res = await owner.client.get(`${ws()}/leads/export?format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="leads-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parse(res.body, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => r.id)).size).toBe(TOTAL);
    expect(Object.keys(rows[0]!)).toEqual(
      expect.arrayContaining([
        'id',
        'name',
        'email',
        'phone',
        'pipeline',
        'stage',
        'owner_email',
        'tags',
        'answers',
        'custom.budget',
        'created_at',
      ]),
    );
    const evil = rows.find((r) => r.email === 'evil@example.com')!;
    expect(evil.name).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(evil).toMatchObject({
      owner_email: manager.email,
      tags: 'vip;hot',
      'custom.budget': '100',
      pipeline: 'Sales',
      stage: 'New',
      answers: '[]',
    });
    expect(rows.find((r) => r.email === 'at@example.com')!.name).toBe(`'@SUM(1+1)`);
    const person = rows.find((r) => r.email === 'p7@export.example')!;
    expect(person.phone).toBe(`'+60123000007`);
    // No cell of the file starts a formula.
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('streams JSON lines with typed values and the chosen columns', async () => {
    const res = await owner.client.get(`${ws()}/leads/export?format=jsonl&columns=name,email,tags,custom.budget`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/leads-\d{4}-\d{2}-\d{2}\.jsonl"$/);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(TOTAL);
    const evil = lines.find((l) => l.email === 'evil@example.com');
    expect(evil).toEqual({
      name: '=HYPERLINK("http://evil.example","click")',
      email: 'evil@example.com',
      tags: ['vip', 'hot'],
      'custom.budget': 100,
    });
    expect((await owner.client.get(`${ws()}/leads/export?columns=nope`)).statusCode).toBe(400);
    // A column list naming nothing (found by the fuzz suite: it was a 500) exports every column.
    for (const format of ['jsonl', 'csv']) {
      const empty = await owner.client.get(`${ws()}/leads/export?format=${format}&columns=%2C`);
      expect(empty.statusCode, empty.body).toBe(200);
      expect(empty.body).toContain('evil@example.com');
    }
  });

  it('respects the view: search, filters and sort', async () => {
    const query = {
      q: 'person 1',
      filters: [{ field: 'custom.budget', op: 'lt', value: 20 }],
      sort: { field: 'name', direction: 'asc' },
    };
    const res = await owner.client.get(`${ws()}/leads/export?format=jsonl&columns=name&query=${b64(query)}`);
    expect(res.statusCode, res.body).toBe(200);
    const names = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).name);
    expect(names).toEqual([
      'Person 1',
      'Person 10',
      'Person 11',
      'Person 12',
      'Person 13',
      'Person 14',
      'Person 15',
      'Person 16',
      'Person 17',
      'Person 18',
      'Person 19',
    ]);
    const byOwner = await owner.client.get(
      `${ws()}/leads/export?format=jsonl&columns=email&query=${b64({ filters: [{ field: 'owner_id', op: 'eq', value: manager.userId }] })}`,
    );
    expect(
      byOwner.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).email),
    ).toEqual(['evil@example.com']);
    expect((await owner.client.get(`${ws()}/leads/export?query=not-json`)).statusCode).toBe(400);
    expect(
      (
        await owner.client.get(
          `${ws()}/leads/export?query=${b64({ filters: [{ field: 'nope', op: 'eq', value: 1 }] })}`,
        )
      ).statusCode,
    ).toBe(400);
  });

  it('is refused to agents; a key without leads.read_all exports only its creator\u2019s leads', async () => {
    expect((await agent.client.get(`${ws()}/leads/export`)).statusCode).toBe(403);
    // Keys are made by owners and admins; a key acts as its creator, here the owner, who owns all but two leads.
    const key = await owner.client.post(`${ws()}/api-keys`, { name: 'export', scopes: ['leads.export'] });
    expect(key.statusCode, key.body).toBe(201);
    const keyClient = t.client();
    keyClient.bearer = key.json().secret;
    const res = await keyClient.get(`${ws()}/leads/export?format=jsonl&columns=email`);
    expect(res.statusCode).toBe(200);
    const emails = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).email);
    expect(emails).toHaveLength(TOTAL - 2);
    expect(emails).not.toContain('evil@example.com');
    expect(emails).not.toContain('at@example.com');
    const other = await t.signup({ companyName: 'Other Co' });
    expect((await other.client.get(`${ws()}/leads/export`)).statusCode).toBe(404);
  });

  it('is audited with the format and the number of rows', async () => {
    const before = rowsOf<{ n: number }>(
      await t.c.db.execute(
        sql`select count(*)::int as n from audit_log where workspace_id = ${owner.workspaceId} and action = 'leads.exported'`,
      ),
    )[0]!.n;
    const res = await manager.client.get(`${ws()}/leads/export?format=csv&columns=id`);
    expect(res.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    const rows = rowsOf<{ actor_id: string; metadata: Record<string, unknown> }>(
      await t.c.db.execute(
        sql`select actor_id, metadata from audit_log where workspace_id = ${owner.workspaceId} and action = 'leads.exported' order by seq desc`,
      ),
    );
    expect(rows).toHaveLength(before + 1);
    expect(rows[0]).toMatchObject({
      actor_id: manager.userId,
      metadata: { count: TOTAL, format: 'csv', filtered: false, columns: 1 },
    });
  });
});
