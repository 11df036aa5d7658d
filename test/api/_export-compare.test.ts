import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids';
import { LeadsExporter as Old } from '../../src/domains/imports/_export_old';
import { LeadsExporter as New } from '../../src/domains/imports/export';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { ensurePipeline, uploadCsv } from '../support/imports';
import { addMember } from '../support/members';

let t: TestApp;
let owner: SignedIn;
beforeAll(async () => {
  t = await createTestApp();
  owner = await t.signup({ name: 'Olivia', companyName: 'Cmp' });
  const manager = await addMember(t, owner, 'manager', 'Mona');
  await ensurePipeline(t, owner.workspaceId);
  for (const [key, type] of [['budget', 'number'], ['colors', 'multi_select'], ['note', 'text'], ['ok', 'checkbox']] as const)
    await t.c.db.execute(sql`insert into field_definitions (workspace_id, id, entity, key, label, type, options) values (${owner.workspaceId}, ${newId()}, 'lead', ${key}, ${key}, ${type}, ${type === 'multi_select' ? JSON.stringify([{value:'red',label:'red'},{value:'blue',label:'blue'}]) : '[]'}::jsonb)`);
  const rows = ['name,email,owner,budget,tags,phone,value,note,ok,campaign_name,answer,created_at'];
  rows.push(`"=HYPERLINK(""x"",""y"")",evil@example.com,${manager.email},-100.5,vip;=hot,,1234.50,"line1\nline2",true,"Camp, ""quoted""",ans1,2024-01-02T03:04:05.678Z`);
  rows.push(`,nameless@example.com,${owner.email},,,,-5,@cmd,false,,,`);
  for (let i = 0; i < 30; i++) rows.push(`Person ${i},p${i}@x.example,${owner.email},${i},,012${3000000 + i},${i}.25,n${i},,,a${i},`);
  const up = await uploadCsv(owner.client, owner.workspaceId, rows.join('\n'));
  expect(up.statusCode, up.body).toBe(201);
  const mapping = { '0': 'name', '1': 'email', '2': 'owner_email', '3': 'custom.budget', '4': 'tags', '5': 'phone', '6': 'value', '7': 'custom.note', '8': 'custom.ok', '9': 'campaign_name', '10': 'answer:Why?', '11': 'created_at' };
  const started = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/imports/${up.json().operationId}/start`, { mapping, upsertKey: 'email' });
  expect(started.statusCode, started.body).toBe(202);
  await t.drainJobs();
  await t.c.db.execute(sql`update leads set custom = custom || '{"colors":["red","blue"]}'::jsonb where email = 'p1@x.example'`);
  await t.c.db.execute(sql`update leads set custom = custom || '{"colors":["=red"]}'::jsonb where email = 'p2@x.example'`);
});
afterAll(() => t?.close());

async function text(stream: NodeJS.ReadableStream) {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts).toString('utf8');
}

it('new export = old export', async () => {
  const access = { workspaceId: owner.workspaceId, permissions: new Set(['leads.export', 'leads.read_all']), principal: { kind: 'session', userId: owner.userId }, actor: { type: 'user', id: owner.userId } } as never;
  const deps = (t.c.imports as any).deps;
  for (const format of ['csv', 'jsonl'] as const) {
    const a = await text((await new Old(deps).open(access, { format })).stream);
    const b = await text((await new New(deps).open(access, { format })).stream);
    if (format === 'csv') {
      const pa = parse(a, { bom: true, columns: true }) as Record<string, string>[];
      const pb = parse(b, { bom: true, columns: true }) as Record<string, string>[];
      expect(pb.length).toBe(32);
      for (let i = 0; i < pa.length; i++) {
        const x = { ...pa[i] }; const y = { ...pb[i] };
        expect(JSON.parse(y.answers!)).toEqual(JSON.parse(x.answers!));
        delete x.answers; delete y.answers;
        expect(y).toEqual(x);
      }
      console.log(b.split('\n').slice(0, 4).join('\n'));
    } else {
      const la = a.trim().split('\n').map((l) => JSON.parse(l));
      const lb = b.trim().split('\n').map((l) => JSON.parse(l));
      expect(lb).toEqual(la);
      console.log(b.split('\n').slice(0, 2).join('\n'));
    }
  }
});
