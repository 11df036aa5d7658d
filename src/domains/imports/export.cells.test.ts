import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedIn, type TestApp } from '../../../test/support/app';
import { ensurePipeline, uploadCsv } from '../../../test/support/imports';
import { addMember, type Member } from '../../../test/support/members';

/**
 * The cells the database formats from looked-up or computed values (export.ts `columnsOf`): names from the
 * pipeline/stage/member maps, the owner who has left the workspace, a lead without an owner, negative values.
 */
describe('export cells from lookups and computed values', () => {
  let t: TestApp;
  let owner: SignedIn;
  let former: Member;
  const ws = () => `/api/v1/workspaces/${owner.workspaceId}`;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ name: 'Olivia Owner', companyName: 'Cells Co' });
    former = await addMember(t, owner, 'manager', 'Fiona Former');
    const { stageIds } = await ensurePipeline(t, owner.workspaceId);
    const csv = [
      'name,email,owner,value',
      `Left Owner,left@cells.example,${former.email},-5`,
      `No Owner,none@cells.example,,12.5`,
      `Member Owner,member@cells.example,${owner.email},0`,
    ].join('\n');
    const up = await uploadCsv(owner.client, owner.workspaceId, csv);
    expect(up.statusCode, up.body).toBe(201);
    const started = await owner.client.post(`${ws()}/imports/${up.json().operationId}/start`, {
      mapping: { '0': 'name', '1': 'email', '2': 'owner_email', '3': 'value' },
      upsertKey: 'email',
    });
    expect(started.statusCode, started.body).toBe(202);
    await t.drainJobs();
    // The manager leaves (their leads keep them as owner); the first stage gets a name a spreadsheet would run.
    await t.c.db.execute(
      sql`delete from memberships where workspace_id = ${owner.workspaceId} and user_id = ${former.userId}`,
    );
    await t.c.db.execute(sql`update stages set name = '=Fresh' where id = ${stageIds[0]!}`);
  });
  afterAll(() => t?.close());

  it('CSV: neutralised names, the former owner looked up, empty cells for nothing', async () => {
    const res = await owner.client.get(
      `${ws()}/leads/export?format=csv&columns=email,stage,pipeline,owner_email,value`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const rows = parse(res.body, { bom: true, columns: true }) as Record<string, string>[];
    const by = (email: string) => rows.find((r) => r.email === email);
    expect(by('left@cells.example')).toEqual({
      email: 'left@cells.example',
      stage: `'=Fresh`,
      pipeline: 'Sales',
      owner_email: former.email,
      value: `'-5`,
    });
    expect(by('none@cells.example')).toMatchObject({ owner_email: '', value: '12.5' });
    expect(by('member@cells.example')).toMatchObject({ owner_email: owner.email, value: '0' });
    // The raw text shows empty cells as nothing at all (not `""`).
    expect(res.body).toMatch(/none@cells\.example,'=Fresh,Sales,,12\.5/);
  });

  it('JSON lines: the same values, typed and never neutralised', async () => {
    const res = await owner.client.get(
      `${ws()}/leads/export?format=jsonl&columns=email,stage,pipeline,owner_email,value`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const by = (email: string) => lines.find((l) => l.email === email);
    expect(by('left@cells.example')).toEqual({
      email: 'left@cells.example',
      stage: '=Fresh',
      pipeline: 'Sales',
      owner_email: former.email,
      value: -5,
    });
    expect(by('none@cells.example')).toMatchObject({ owner_email: null, value: 12.5 });
    expect(by('member@cells.example')).toMatchObject({ owner_email: owner.email, value: 0 });
  });
});
