import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { count, ensurePipeline, operationOf, uploadCsv } from '../support/imports';
import { addMember, type Member } from '../support/members';

const BOM = '\ufeff';

describe('CSV import', () => {
  let t: TestApp;
  let owner: SignedIn;
  let manager: Member;
  let stages: { pipelineId: string; stageIds: string[] };
  const ws = () => `/api/v1/workspaces/${owner.workspaceId}`;
  const leadsCount = () => count(t, sql`select count(*) as n from leads where workspace_id = ${owner.workspaceId}`);

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ name: 'Olivia Owner', companyName: 'Import Co' });
    manager = await addMember(t, owner, 'manager', 'Mona Manager');
    stages = await ensurePipeline(t, owner.workspaceId);
  });
  afterAll(() => t?.close());

  const run = async (operationId: string, body: Record<string, unknown>) => {
    const started = await owner.client.post(`${ws()}/imports/${operationId}/start`, body);
    expect(started.statusCode, started.body).toBe(202);
    await t.drainJobs();
    return operationOf(t, owner.workspaceId, operationId);
  };

  describe('a generic file: semicolons, BOM, quoted newlines', () => {
    const csv =
      BOM +
      'Nama;E-mail;WhatsApp;City;Notes;Status\r\n' +
      'Aminah Yusof;aminah@example.com;012-345 6701;Ipoh;"first line\r\nsecond line";Contacted\r\n' +
      'Ben Tan;BEN@example.com;+60 12 345 6702;KL;;\r\n' +
      'Chong Wei;not-an-email;0123456703;Penang;;\r\n' +
      'Ben T.;ben@example.com;;;"said ""hi""";\r\n' +
      ';;;;;\r\n' +
      'Dewi;;0123456704;;;\r\n' +
      'Eve;eve@example.com;;;;Nope\r\n';
    let operationId: string;
    const mapping = { '0': 'name', '1': 'email', '2': 'phone', '3': 'city', '4': 'answer:Notes', '5': 'stage' };

    it('uploads: detects the delimiter, reads headers and a sample, and suggests a mapping by synonyms', async () => {
      const res = await uploadCsv(owner.client, owner.workspaceId, csv, 'contacts.csv');
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json();
      operationId = body.operationId;
      expect(body.delimiter).toBe(';');
      expect(body.detectedFormat).toBe('generic');
      expect(body.headers).toEqual(['Nama', 'E-mail', 'WhatsApp', 'City', 'Notes', 'Status']);
      expect(body.sample[0]).toEqual([
        'Aminah Yusof',
        'aminah@example.com',
        '012-345 6701',
        'Ipoh',
        'first line\r\nsecond line',
        'Contacted',
      ]);
      expect(body.sample).toHaveLength(7);
      expect(body.suggestedMapping).toEqual({
        '0': 'name',
        '1': 'email',
        '2': 'phone',
        '3': 'city',
        '4': 'ignore',
        '5': 'stage',
      });
      const op = await operationOf(t, owner.workspaceId, operationId);
      expect(op.status).toBe('pending');
      expect(op.details).toMatchObject({ fileName: 'contacts.csv', delimiter: ';', detectedFormat: 'generic' });
    });

    it('previews without writing: counts creates, updates (same email twice) and rejects with reasons', async () => {
      const res = await owner.client.post(`${ws()}/imports/${operationId}/preview`, {
        mapping,
        upsertKey: 'email',
        defaults: {},
      });
      expect(res.statusCode, res.body).toBe(200);
      const p = res.json();
      expect(p).toMatchObject({ create: 3, update: 1, reject: 3, sampled: false, rowsRead: 7 });
      expect(p.rejects).toEqual([
        { row: 3, reason: '"not-an-email" is not a valid email address' },
        { row: 5, reason: 'The row has no name, email or phone' },
        { row: 7, reason: `There is no stage "Nope" in the import's pipeline` },
      ]);
      expect(p.rows[0]).toMatchObject({
        row: 1,
        action: 'create',
        name: 'Aminah Yusof',
        email: 'aminah@example.com',
        phone: '+60123456701',
      });
      expect(p.rows[3]).toMatchObject({ row: 4, action: 'update', email: 'ben@example.com' });
      expect(await leadsCount()).toBe(0);
    });

    it('refuses an unknown target or a stage of another workspace', async () => {
      const bad = await owner.client.post(`${ws()}/imports/${operationId}/preview`, {
        mapping: { '0': 'custom.nope' },
        upsertKey: 'none',
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details[0].path).toBe('mapping.0');
      const other = await t.signup({ companyName: 'Other Co' });
      const otherStages = await ensurePipeline(t, other.workspaceId);
      const res = await owner.client.post(`${ws()}/imports/${operationId}/preview`, {
        mapping,
        upsertKey: 'email',
        defaults: { stageId: otherStages.stageIds[0] },
      });
      expect(res.statusCode).toBe(400);
      // And the other workspace cannot see this import at all.
      const peek = await other.client.post(`/api/v1/workspaces/${other.workspaceId}/imports/${operationId}/preview`, {
        mapping,
        upsertKey: 'none',
      });
      expect(peek.statusCode).toBe(404);
      expect(
        (await other.client.get(`/api/v1/workspaces/${other.workspaceId}/imports/${operationId}/rejects.csv`))
          .statusCode,
      ).toBe(404);
    });

    it('imports as a job: leads with identities, contacts and copies, counts on the operation, mapping remembered', async () => {
      const op = await run(operationId, {
        mapping,
        upsertKey: 'email',
        defaults: { ownerId: manager.userId, tags: ['csv'] },
      });
      expect(op.status).toBe('succeeded');
      expect(op.details).toMatchObject({ created: 3, updated: 1, rejected: 3, checkpoint: 7 });
      expect(op.total).toBe(7);
      const leads = rowsOf<any>(
        await t.c.db.execute(
          sql`select name, email, phone, search, source, owner_id, stage_id, tags, answers, contact_id from leads where workspace_id = ${owner.workspaceId} order by name`,
        ),
      );
      expect(leads.map((l) => l.name)).toEqual(['Aminah Yusof', 'Ben T.', 'Dewi']);
      const aminah = leads[0];
      expect(aminah).toMatchObject({
        email: 'aminah@example.com',
        phone: '+60123456701',
        source: 'import',
        owner_id: manager.userId,
        stage_id: stages.stageIds[1],
        tags: ['csv'],
      });
      expect(aminah.search).toBe('aminah yusof aminah@example.com 60123456701');
      expect(aminah.answers).toEqual([{ key: 'notes', question: 'Notes', value: 'first line\r\nsecond line' }]);
      // Ben's second row updated his lead (same email) and renamed him; his phone stayed.
      expect(leads[1]).toMatchObject({
        email: 'ben@example.com',
        phone: '+60123456702',
        answers: [{ key: 'notes', question: 'Notes', value: 'said "hi"' }],
      });
      expect(leads[2]).toMatchObject({ phone: '+60123456704', stage_id: stages.stageIds[0] });
      const identities = rowsOf<{ kind: string; value: string }>(
        await t.c.db.execute(
          sql`select kind, value from contact_identities where workspace_id = ${owner.workspaceId} order by kind, value`,
        ),
      );
      expect(identities.map((i) => `${i.kind}:${i.value}`)).toEqual([
        'email:aminah@example.com',
        'email:ben@example.com',
        'phone:+60123456701',
        'phone:+60123456702',
        'phone:+60123456704',
      ]);
      const contact = rowsOf<any>(
        await t.c.db.execute(
          sql`select name, email, phone, city from contacts where workspace_id = ${owner.workspaceId} and id = ${aminah.contact_id}`,
        ),
      )[0];
      expect(contact).toMatchObject({
        name: 'Aminah Yusof',
        email: 'aminah@example.com',
        phone: '+60123456701',
        city: 'Ipoh',
      });
      const last = await owner.client.get(`${ws()}/imports/last-mapping`);
      expect(last.json().mapping).toMatchObject({
        Nama: 'name',
        'E-mail': 'email',
        WhatsApp: 'phone',
        Notes: 'answer:Notes',
      });
      const audit = rowsOf<any>(
        await t.c.db.execute(
          sql`select action, metadata from audit_log where workspace_id = ${owner.workspaceId} and action like 'leads.import%' order by seq`,
        ),
      );
      expect(audit.map((a) => a.action)).toEqual(['leads.import_started', 'leads.imported']);
      expect(audit[1].metadata).toMatchObject({ created: 3, updated: 1, rejected: 3 });
    });

    it('cannot be started twice', async () => {
      const again = await owner.client.post(`${ws()}/imports/${operationId}/start`, { mapping, upsertKey: 'email' });
      expect(again.statusCode).toBe(409);
    });

    it('serves the rejected rows as CSV with the reason for each', async () => {
      const res = await owner.client.get(`${ws()}/imports/${operationId}/rejects.csv`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      expect(res.headers['content-disposition']).toBe('attachment; filename="contacts-rejected.csv"');
      const rows = parse(res.body, { bom: true }) as string[][];
      expect(rows[0]).toEqual(['Nama', 'E-mail', 'WhatsApp', 'City', 'Notes', 'Status', 'row', 'reason']);
      expect(rows.slice(1).map((r) => [r[0], r[6], r[7]])).toEqual([
        ['Chong Wei', '3', '"not-an-email" is not a valid email address'],
        ['', '5', 'The row has no name, email or phone'],
        ['Eve', '7', `There is no stage "Nope" in the import's pipeline`],
      ]);
    });

    it('the next upload suggests the remembered mapping for the same headers', async () => {
      const res = await uploadCsv(owner.client, owner.workspaceId, 'Notes,Nama\nx,y\n');
      expect(res.json().suggestedMapping).toEqual({ '0': 'answer:Notes', '1': 'name' });
    });

    it('re-importing the same file with upsert on email creates nothing new', async () => {
      const before = await leadsCount();
      const res = await uploadCsv(owner.client, owner.workspaceId, csv);
      const op = await run(res.json().operationId, { mapping, upsertKey: 'email' });
      expect(op.details).toMatchObject({ created: 1, updated: 3, rejected: 3 });
      // Dewi has no email, so with upsert on email her row is a new lead (on the same contact, matched by phone).
      expect(await leadsCount()).toBe(before + 1);
      expect(await count(t, sql`select count(*) as n from contacts where workspace_id = ${owner.workspaceId}`)).toBe(3);
      const again = await uploadCsv(owner.client, owner.workspaceId, csv);
      const byPhone = await run(again.json().operationId, { mapping, upsertKey: 'phone' });
      // With upsert on phone, Ben's second row (no phone) is a new lead on his contact (found by email).
      expect(byPhone.details).toMatchObject({ created: 1, updated: 3, rejected: 3 });
      expect(await leadsCount()).toBe(before + 2);
    });
  });

  describe("Meta's Lead Ads export", () => {
    const header =
      'id,created_time,ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,form_id,form_name,is_organic,platform,full_name,email,phone_number,city,what_is_your_budget?,preferred_contact_time';
    const csv = [
      header,
      'l:300000000000001,2026-03-10T14:05:09+0000,ag:120200000000000101,Spring promo - video A,as:120200000000000201,Lisbon 25-45,c:120200000000000301,Leads - Spring 2026,f:200000000000001,Spring form,false,fb,Ana Pereira,ana.pereira@example.com,p:+15550101234,Lisbon,5000_10000,morning',
      'l:300000000000002,2026-03-11T09:00:00+0000,,,,,,,f:200000000000001,Spring form,true,ig,Rui Costa,rui@example.com,p:+351912345678,Porto,1000_5000,evening',
    ].join('\n');

    it('is recognised and mapped without help; importing it twice creates nothing twice', async () => {
      const res = await uploadCsv(owner.client, owner.workspaceId, csv, 'leads-export.csv');
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json();
      expect(body.detectedFormat).toBe('meta_lead_ads');
      expect(body.suggestedMapping).toMatchObject({
        '0': 'external_id',
        '1': 'created_at',
        '2': 'ad_id',
        '9': 'form_name',
        '10': 'ignore',
        '11': 'platform',
        '12': 'name',
        '13': 'email',
        '14': 'phone',
        '15': 'city',
        '16': 'answer:what_is_your_budget?',
        '17': 'answer:preferred_contact_time',
      });
      const op = await run(body.operationId, { mapping: body.suggestedMapping, upsertKey: 'external_id' });
      expect(op.details).toMatchObject({ created: 2, updated: 0, rejected: 0 });
      const leads = rowsOf<any>(
        await t.c.db.execute(
          sql`select * from leads where workspace_id = ${owner.workspaceId} and source = 'meta_lead_ads' order by external_id`,
        ),
      );
      expect(leads).toHaveLength(2);
      expect(leads[0]).toMatchObject({
        external_id: '300000000000001',
        ad_id: '120200000000000101',
        campaign_name: 'Leads - Spring 2026',
        form_id: '200000000000001',
        platform: 'fb',
        name: 'Ana Pereira',
        phone: '+15550101234',
      });
      expect(new Date(leads[0].created_at).toISOString()).toBe('2026-03-10T14:05:09.000Z');
      expect(leads[0].answers).toEqual([
        { key: 'what_is_your_budget?', question: 'what_is_your_budget?', value: '5000_10000' },
        { key: 'preferred_contact_time', question: 'preferred_contact_time', value: 'morning' },
      ]);

      const second = await uploadCsv(owner.client, owner.workspaceId, csv, 'leads-export.csv');
      const again = await run(second.json().operationId, {
        mapping: second.json().suggestedMapping,
        upsertKey: 'external_id',
      });
      expect(again.details).toMatchObject({ created: 0, updated: 2 });
      expect(
        await count(
          t,
          sql`select count(*) as n from leads where workspace_id = ${owner.workspaceId} and source = 'meta_lead_ads'`,
        ),
      ).toBe(2);
    });
  });

  describe('bad input', () => {
    it('refuses a file with more than 200 columns', async () => {
      const headers = Array.from({ length: 201 }, (_, i) => `c${i}`).join(',');
      const res = await uploadCsv(owner.client, owner.workspaceId, `${headers}\n${'x,'.repeat(200)}x\n`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toContain('201 columns');
    });

    it('refuses invalid UTF-8 and UTF-16 with a clear message', async () => {
      const latin1 = Buffer.concat([Buffer.from('name,city\nJos'), Buffer.from([0xe9]), Buffer.from(',Porto\n')]);
      const res = await uploadCsv(owner.client, owner.workspaceId, latin1);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'validation_failed',
        details: [{ path: 'file', message: 'unsupported_encoding' }],
      });
      expect(res.json().error.message).toContain('not valid UTF-8');
      // The bad byte far past the first 64 KB is caught too.
      const late = Buffer.concat([
        Buffer.from('name\n'),
        Buffer.from('a\n'.repeat(100_000)),
        Buffer.from([0xff, 0x0a]),
      ]);
      expect((await uploadCsv(owner.client, owner.workspaceId, late)).statusCode).toBe(400);
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,email\n', 'utf16le')]);
      const res16 = await uploadCsv(owner.client, owner.workspaceId, utf16);
      expect(res16.statusCode).toBe(400);
      expect(res16.json().error.message).toContain('UTF-16');
      expect(res16.json().error.details[0].message).toBe('unsupported_encoding');
    });

    it('refuses a request without a file, or that is not multipart', async () => {
      const res = await owner.client.post(`${ws()}/imports`, { file: 'x' });
      expect([400, 415]).toContain(res.statusCode);
      expect(res.json().error.code).toMatch(/validation_failed|unsupported_media_type/);
    });

    it('rejects rows with broken quoting or over 1 MB and imports the others', async () => {
      const csv = [
        'name,email',
        'Good One,good1@example.com',
        'Broken "quote,mid@example.com',
        `Huge,${'x'.repeat(1100 * 1024)}`,
        'Good Two,good2@example.com',
        'Bad End,"never closed',
        'lost,lost@example.com',
      ].join('\n');
      const up = await uploadCsv(owner.client, owner.workspaceId, csv);
      expect(up.statusCode, up.body).toBe(201);
      const op = await run(up.json().operationId, { mapping: { '0': 'name', '1': 'email' }, upsertKey: 'email' });
      expect(op.status).toBe('succeeded');
      // The relaxed parser keeps a stray quote inside a value; the huge row and the unclosed quote are rejected.
      expect(op.details).toMatchObject({ created: 3, rejected: 2 });
      const rejects = rowsOf<{ row_number: number; reason: string }>(
        await t.c.db.execute(
          sql`select row_number, reason from import_rejects where workspace_id = ${owner.workspaceId} and operation_id = ${up.json().operationId} order by row_number`,
        ),
      );
      expect(rejects.map((r) => r.row_number)).toEqual([3, 5]);
      expect(rejects[0]!.reason).toContain('larger than 1024 KB');
      expect(rejects[1]!.reason).toContain('never closed');
      expect(
        await count(
          t,
          sql`select count(*) as n from leads where workspace_id = ${owner.workspaceId} and email in ('good1@example.com', 'good2@example.com')`,
        ),
      ).toBe(2);
    });

    it('is forbidden to roles without leads.import', async () => {
      const agent = await addMember(t, owner, 'agent');
      expect((await uploadCsv(agent.client, owner.workspaceId, 'name\nx\n')).statusCode).toBe(403);
    });
  });

  describe('resume after a crash', () => {
    it('a rerun continues after the last committed chunk: no duplicates, totals right', async () => {
      const rows = ['name,email,phone'];
      for (let i = 0; i < 5000; i++) rows.push(`Person ${i},p${i}@resume.example,01${String(20000000 + i)}`);
      rows.push('No Email,bad@,');
      const up = await uploadCsv(owner.client, owner.workspaceId, rows.join('\n'));
      const operationId = up.json().operationId as string;
      const mapping = { '0': 'name', '1': 'email', '2': 'phone' };
      // Started without the job (the worker would run it at once): what the start request records.
      await t.c.imports.deps.repo.claimStart(t.c.db, owner.workspaceId, operationId, {
        startedAt: new Date().toISOString(),
        mapping,
        upsertKey: 'email',
        defaults: {},
        checkpoint: 0,
      });
      expect(await t.c.imports.runImport(owner.workspaceId, operationId, { maxChunks: 1 })).toBe('paused');
      const resumeCount = () =>
        count(
          t,
          sql`select count(*) as n from leads where workspace_id = ${owner.workspaceId} and email like '%@resume.example'`,
        );
      expect(await resumeCount()).toBe(2000);
      expect((await operationOf(t, owner.workspaceId, operationId)).details.checkpoint).toBe(2000);

      // Two runs at once (a retry while the first still lives): each chunk is still written once.
      await Promise.all([
        t.c.imports.runImport(owner.workspaceId, operationId),
        t.c.imports.runImport(owner.workspaceId, operationId),
      ]);
      expect(await resumeCount()).toBe(5000);
      expect(
        await count(
          t,
          sql`select count(*) as n from contact_identities where workspace_id = ${owner.workspaceId} and value like '%@resume.example'`,
        ),
      ).toBe(5000);
      const op = await operationOf(t, owner.workspaceId, operationId);
      expect(op.status).toBe('succeeded');
      expect(op.details).toMatchObject({ created: 5000, updated: 0, rejected: 1, checkpoint: 5001 });
      expect(await t.c.imports.runImport(owner.workspaceId, operationId)).toBe('skipped');
    });
  });
});
