import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { createTestApp, type SignedIn, type TestApp, type TestClient } from '../support/app';
import { countRows, createLead, defaultStages, queryLeads, wsPath, XSS } from '../support/leads';
import { addMember, type Member } from '../support/members';

describe('leads API', () => {
  let t: TestApp;
  let owner: SignedIn;
  let agent: Member;
  let stages: Awaited<ReturnType<typeof defaultStages>>;
  const ws = () => wsPath(owner.workspaceId);

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ name: 'Olivia Owner', companyName: 'Leads Co' });
    agent = await addMember(t, owner, 'agent', 'Adam Agent');
    stages = await defaultStages(t, owner.workspaceId);
  });
  afterAll(() => t?.close());

  describe('create and identity resolution', () => {
    it('creates a lead and its contact, in the default pipeline\u2019s first stage', async () => {
      const lead = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'Siti Rahman', email: 'Siti@Example.com', phone: '012-777 8888', city: 'Ipoh' },
        value: 1500.5,
        currency: 'MYR',
        tags: ['hot', ' hot ', 'ads'],
        formName: 'Spring promo',
        answers: [{ key: 'budget', question: 'What is your budget?', value: 'RM 2k' }],
      });
      expect(lead).toMatchObject({
        name: 'Siti Rahman',
        email: 'siti@example.com',
        phone: '+60127778888',
        source: 'manual',
        pipelineId: stages.pipelineId,
        stageId: stages.ids[0],
        value: 1500.5,
        currency: 'MYR',
        tags: ['hot', 'ads'],
        formName: 'Spring promo',
        answers: [{ key: 'budget', question: 'What is your budget?', value: 'RM 2k' }],
      });
      const detail = await owner.client.get(`${ws()}/leads/${lead.id}`);
      expect(detail.statusCode).toBe(200);
      expect(detail.json().contact).toMatchObject({
        id: lead.contactId,
        name: 'Siti Rahman',
        city: 'Ipoh',
        phoneInvalid: false,
      });
      expect(detail.json().owner).toBeNull();
    });

    it('resolves a repeat person to the same contact: email case and spaces, phone written any way', async () => {
      const first = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'Repeat Person', email: 'repeat@example.com', phone: '+60 12-345 6001' },
      });
      const variants = [
        { email: '  REPEAT@Example.COM ' },
        { phone: '012-345 6001' },
        { phone: '60123456001' },
        { phone: '(012) 3456001', name: 'R. Person' },
        { email: 'repeat@example.com', phone: '+60123456001' },
      ];
      for (const contact of variants) {
        const lead = await createLead(owner.client, owner.workspaceId, { contact });
        expect(lead.contactId, JSON.stringify(contact)).toBe(first.contactId);
        expect(lead.name).toBe('Repeat Person');
      }
      const contact = (await owner.client.get(`${ws()}/contacts/${first.contactId}`)).json();
      expect(contact.leads).toHaveLength(variants.length + 1);
      expect(contact.identities).toEqual([
        { kind: 'email', value: 'repeat@example.com' },
        { kind: 'phone', value: '+60123456001' },
      ]);
    });

    it('fills a found contact\u2019s missing phone from a later capture and copies it to every lead', async () => {
      const first = await createLead(owner.client, owner.workspaceId, { contact: { email: 'nophone@example.com' } });
      const second = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'Now Named', email: 'nophone@example.com', phone: '0129998877' },
      });
      expect(second.contactId).toBe(first.contactId);
      const again = (await owner.client.get(`${ws()}/leads/${first.id}`)).json();
      expect(again).toMatchObject({ name: 'Now Named', phone: '+60129998877' });
      // And a third capture by that phone alone finds the person.
      const third = await createLead(owner.client, owner.workspaceId, { contact: { phone: '+60 12 999 8877' } });
      expect(third.contactId).toBe(first.contactId);
    });

    it('keeps an unparseable phone as given and flags it, never dropping it', async () => {
      const lead = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'Odd Phone', phone: '12-ab-34' },
      });
      expect(lead.phone).toBe('12-ab-34');
      const contact = (await owner.client.get(`${ws()}/contacts/${lead.contactId}`)).json();
      expect(contact).toMatchObject({ phone: '12-ab-34', phoneInvalid: true, identities: [] });
      // A second capture with the same bad phone is a different person (nothing to match on).
      const other = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'Odd Phone', phone: '12-ab-34' },
      });
      expect(other.contactId).not.toBe(lead.contactId);
    });

    it('makes one contact when the same new person is captured many times at once', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          owner.client.post(`${ws()}/leads`, {
            contact: {
              name: `Racer ${i}`,
              email: i % 2 ? 'RACE@example.com' : 'race@example.com',
              phone: '0131112222',
            },
          }),
        ),
      );
      for (const r of results) expect(r.statusCode, r.body).toBe(201);
      expect(new Set(results.map((r) => r.json().contactId)).size).toBe(1);
      const contacts = rowsOf<{ n: number }>(
        await t.c.db.execute(
          sql`select count(*)::int as n from contacts where workspace_id = ${owner.workspaceId} and email = 'race@example.com'`,
        ),
      );
      expect(Number(contacts[0]!.n)).toBe(1);
    });

    it('refuses a capture with nothing to identify, a bad email, a stage of another pipeline or an unknown owner', async () => {
      const bad = [
        { contact: {} },
        { contact: { email: 'not-an-email' } },
        { contact: { name: 'X' }, contactId: '01a225b7-0000-7000-8000-000000000001' },
        { contact: { name: 'X' }, ownerId: '01a225b7-0000-7000-8000-000000000001' },
        { contact: { name: 'X' }, value: 'lots' },
        { contact: { name: 'X' }, currency: 'ringgit' },
      ];
      for (const body of bad) {
        const res = await owner.client.post(`${ws()}/leads`, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json().error.code).toBe('validation_failed');
      }
    });

    it('answers 409 naming the existing lead for a repeated external id of one source', async () => {
      const body = { contact: { name: 'Ext' }, source: 'api', externalId: 'crm-42' };
      const first = await createLead(owner.client, owner.workspaceId, body);
      const again = await owner.client.post(`${ws()}/leads`, body);
      expect(again.statusCode).toBe(409);
      expect(again.json().error.details[0].path).toBe(`leadId:${first.id}`);
    });

    it('returns stored XSS payloads verbatim as JSON data', async () => {
      for (const payload of XSS) {
        const lead = await createLead(owner.client, owner.workspaceId, {
          contact: { name: payload, city: payload },
          formName: payload,
          tags: [payload.slice(0, 50)],
        });
        const res = await owner.client.get(`${ws()}/leads/${lead.id}`);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.json()).toMatchObject({ name: payload, formName: payload, contact: { city: payload } });
      }
    });
  });

  describe('update and timeline', () => {
    it('edits name, email and phone on the contact and every lead of it, in one change', async () => {
      const a = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'Old Name', email: 'old@example.com' },
      });
      const b = await createLead(owner.client, owner.workspaceId, { contact: { email: 'old@example.com' } });
      const res = await owner.client.patch(`${ws()}/leads/${b.id}`, {
        name: 'New Name',
        email: 'New@Example.com',
        phone: '0145556666',
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ name: 'New Name', email: 'new@example.com', phone: '+60145556666' });
      const first = (await owner.client.get(`${ws()}/leads/${a.id}`)).json();
      expect(first).toMatchObject({ name: 'New Name', email: 'new@example.com', phone: '+60145556666' });
      expect(first.contact).toMatchObject({ name: 'New Name', email: 'new@example.com' });
      // The search follows, and the old email no longer identifies the person.
      expect((await queryLeads(owner.client, owner.workspaceId, { q: 'new name' })).items.map((l) => l.id)).toEqual(
        expect.arrayContaining([a.id, b.id]),
      );
      expect((await queryLeads(owner.client, owner.workspaceId, { q: '0145556666' })).items).toHaveLength(2);
      const fresh = await createLead(owner.client, owner.workspaceId, { contact: { email: 'old@example.com' } });
      expect(fresh.contactId).not.toBe(a.contactId);
      const again = await createLead(owner.client, owner.workspaceId, { contact: { email: 'new@example.com' } });
      expect(again.contactId).toBe(a.contactId);
    });

    it('refuses an email that belongs to another contact with 409 naming it', async () => {
      const a = await createLead(owner.client, owner.workspaceId, { contact: { email: 'taken@example.com' } });
      const b = await createLead(owner.client, owner.workspaceId, { contact: { email: 'free@example.com' } });
      const res = await owner.client.patch(`${ws()}/leads/${b.id}`, { email: 'TAKEN@example.com' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.details[0].path).toBe(`contactId:${a.contactId}`);
      expect((await owner.client.get(`${ws()}/leads/${b.id}`)).json().email).toBe('free@example.com');
    });

    it('records who changed what and when: updates, stage changes with names, assignment', async () => {
      const lead = await createLead(owner.client, owner.workspaceId, { contact: { name: 'Timeline Tan' }, value: 10 });
      const before = Date.now();
      const res = await owner.client.patch(`${ws()}/leads/${lead.id}`, {
        value: 25,
        tags: ['warm'],
        stageId: stages.byName.Contacted,
        ownerId: agent.userId,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        value: 25,
        tags: ['warm'],
        stageId: stages.byName.Contacted,
        ownerId: agent.userId,
      });
      expect(new Date(res.json().stageChangedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(new Date(res.json().stageChangedAt).getTime()).toBeGreaterThan(
        new Date(lead.stageChangedAt).getTime() - 1,
      );

      const timeline = (await owner.client.get(`${ws()}/leads/${lead.id}/timeline`)).json();
      const byType = Object.fromEntries(timeline.items.map((a: any) => [a.type, a]));
      expect(Object.keys(byType).sort()).toEqual([
        'lead.assigned',
        'lead.created',
        'lead.stage_changed',
        'lead.updated',
      ]);
      const actor = { type: 'user', id: owner.userId, name: 'Olivia Owner' };
      expect(byType['lead.updated']).toMatchObject({
        actor,
        leadId: lead.id,
        contactId: lead.contactId,
        data: { changes: { value: { from: 10, to: 25 }, tags: { from: [], to: ['warm'] } } },
      });
      expect(byType['lead.stage_changed'].data).toEqual({
        from: { id: stages.byName.New, name: 'New' },
        to: { id: stages.byName.Contacted, name: 'Contacted' },
      });
      expect(byType['lead.assigned'].data).toEqual({ from: null, to: agent.userId });
      for (const a of timeline.items)
        expect(Math.abs(new Date(a.createdAt).getTime() - Date.now())).toBeLessThan(60_000);
      // Newest first.
      expect(timeline.items.at(-1).type).toBe('lead.created');
    });

    it('pages the timeline with a cursor', async () => {
      const lead = await createLead(owner.client, owner.workspaceId, { contact: { name: 'Paged' } });
      for (let i = 1; i <= 4; i++) await owner.client.patch(`${ws()}/leads/${lead.id}`, { value: i });
      const first = (await owner.client.get(`${ws()}/leads/${lead.id}/timeline?limit=3`)).json();
      expect(first.items).toHaveLength(3);
      const second = (
        await owner.client.get(`${ws()}/leads/${lead.id}/timeline?limit=3&cursor=${first.nextCursor}`)
      ).json();
      expect(second.items).toHaveLength(2);
      expect(second.nextCursor).toBeNull();
      expect(new Set([...first.items, ...second.items].map((a: any) => a.id)).size).toBe(5);
      expect((await owner.client.get(`${ws()}/leads/${lead.id}/timeline?cursor=bogus`)).statusCode).toBe(400);
    });

    it('refuses a stage that does not exist', async () => {
      const lead = await createLead(owner.client, owner.workspaceId, { contact: { name: 'Stage X' } });
      const res = await owner.client.patch(`${ws()}/leads/${lead.id}`, {
        stageId: '01a225b7-0000-7000-8000-000000000009',
      });
      expect(res.statusCode).toBe(400);
    });

    it('deletes a lead with its timeline and tasks; its contact stays', async () => {
      const lead = await createLead(owner.client, owner.workspaceId, { contact: { name: 'Gone Soon' } });
      await owner.client.post(`${ws()}/tasks`, { title: 'Call', leadId: lead.id });
      expect((await owner.client.delete(`${ws()}/leads/${lead.id}`)).statusCode).toBe(204);
      expect((await owner.client.get(`${ws()}/leads/${lead.id}`)).statusCode).toBe(404);
      expect(await countRows(t, 'tasks', owner.workspaceId, sql`lead_id = ${lead.id}`)).toBe(0);
      expect(await countRows(t, 'activities', owner.workspaceId, sql`lead_id = ${lead.id}`)).toBe(0);
      expect((await owner.client.get(`${ws()}/contacts/${lead.contactId}`)).statusCode).toBe(200);
    });
  });

  describe('agents see and change only their own leads', () => {
    let mine: any;
    let theirs: any;

    beforeAll(async () => {
      mine = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'For Agent' },
        ownerId: agent.userId,
      });
      theirs = await createLead(owner.client, owner.workspaceId, { contact: { name: 'Not For Agent' } });
    });

    it('lists, searches and counts only their leads', async () => {
      const page = await queryLeads(agent.client, owner.workspaceId, { count: 'exact', limit: 200 });
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.every((l) => l.ownerId === agent.userId)).toBe(true);
      expect(page.count!.value).toBe(page.items.length);
      expect((await queryLeads(agent.client, owner.workspaceId, { q: 'not for agent' })).items).toHaveLength(0);
      const list = (await agent.client.get(`${ws()}/leads`)).json();
      expect(list.items.map((l: any) => l.id)).toContain(mine.id);
      expect(list.items.map((l: any) => l.id)).not.toContain(theirs.id);
    });

    it('gets 404 for another person\u2019s lead and its contact, timeline and notes', async () => {
      for (const path of [
        `/leads/${theirs.id}`,
        `/leads/${theirs.id}/timeline`,
        `/contacts/${theirs.contactId}`,
        `/contacts/${theirs.contactId}/notes`,
        `/contacts/${theirs.contactId}/timeline`,
      ]) {
        expect((await agent.client.get(`${ws()}${path}`)).statusCode, path).toBe(404);
      }
      expect((await agent.client.patch(`${ws()}/leads/${theirs.id}`, { value: 1 })).statusCode).toBe(404);
      expect((await agent.client.post(`${ws()}/notes`, { contactId: theirs.contactId, body: 'x' })).statusCode).toBe(
        404,
      );
      expect((await owner.client.get(`${ws()}/leads/${theirs.id}`)).json().value).toBeNull();
    });

    it('may edit their own lead but not give it away or delete it', async () => {
      expect((await agent.client.patch(`${ws()}/leads/${mine.id}`, { value: 99 })).statusCode).toBe(200);
      expect((await agent.client.patch(`${ws()}/leads/${mine.id}`, { ownerId: owner.userId })).statusCode).toBe(403);
      expect((await agent.client.patch(`${ws()}/leads/${mine.id}`, { ownerId: null })).statusCode).toBe(403);
      expect((await agent.client.delete(`${ws()}/leads/${mine.id}`)).statusCode).toBe(403);
    });

    it('owns the leads they create', async () => {
      const created = await createLead(agent.client, owner.workspaceId, { contact: { name: 'Agent Made' } });
      expect(created.ownerId).toBe(agent.userId);
      expect((await agent.client.get(`${ws()}/leads/${created.id}`)).statusCode).toBe(200);
    });

    it('bulk actions touch only their leads', async () => {
      const res = await agent.client.post(`${ws()}/leads/bulk`, {
        selection: { ids: [mine.id, theirs.id] },
        action: { type: 'tag', add: ['agent-bulk'] },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ updated: 1 });
      expect((await owner.client.get(`${ws()}/leads/${theirs.id}`)).json().tags).not.toContain('agent-bulk');
    });

    it('API keys act with their scopes: without leads.read_all, as their creator', async () => {
      const make = async (scopes: string[]) => {
        const res = await owner.client.post(`${ws()}/api-keys`, { name: 'k', scopes });
        const c = t.client();
        c.bearer = res.json().secret;
        return c;
      };
      const all = await make(['leads.read', 'leads.read_all', 'leads.write']);
      expect((await all.get(`${ws()}/leads/${theirs.id}`)).statusCode).toBe(200);
      const created = await createLead(all, owner.workspaceId, { contact: { name: 'By Key' } });
      expect(created.source).toBe('api');
      const own = await make(['leads.read']);
      expect((await own.get(`${ws()}/leads/${theirs.id}`)).statusCode).toBe(404);
      const mineByOwner = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'Owner Own' },
        ownerId: owner.userId,
      });
      expect((await own.get(`${ws()}/leads/${mineByOwner.id}`)).statusCode).toBe(200);
      expect((await own.post(`${ws()}/leads`, { contact: { name: 'No write' } })).statusCode).toBe(403);
    });
  });

  describe('query', () => {
    let qws: SignedIn;
    let qStages: Awaited<ReturnType<typeof defaultStages>>;
    const made: any[] = [];

    beforeAll(async () => {
      qws = await t.signup({ companyName: 'Query Co' });
      qStages = await defaultStages(t, qws.workspaceId);
      for (let i = 0; i < 12; i++) {
        made.push(
          await createLead(qws.client, qws.workspaceId, {
            contact: {
              name: `Query Person ${String(i).padStart(2, '0')}`,
              email: `q${i}@example.com`,
              phone: `01233300${String(i).padStart(2, '0')}`,
            },
            value: i % 3 === 0 ? null : i * 10,
            tags: i % 2 ? ['odd'] : ['even'],
            stageId: i < 4 ? qStages.byName.Qualified : undefined,
          }),
        );
      }
    });

    it('filters, sorts, counts and pages with keyset cursors, without gaps or repeats', async () => {
      const body = {
        filters: [{ field: 'tags', op: 'in', value: ['odd', 'even'] }],
        sort: { field: 'value', direction: 'desc' },
        limit: 5,
      };
      const first = await queryLeads(qws.client, qws.workspaceId, body);
      expect(first.count).toEqual({ value: 12, exact: true });
      const seen = [...first.items];
      let cursor = first.nextCursor;
      while (cursor) {
        const page = await queryLeads(qws.client, qws.workspaceId, { ...body, cursor, count: 'none' });
        expect(page.count).toBeNull();
        seen.push(...page.items);
        cursor = page.nextCursor;
      }
      expect(seen).toHaveLength(12);
      expect(new Set(seen.map((l) => l.id)).size).toBe(12);
      const values = seen.map((l) => l.value);
      expect(values.slice(-4)).toEqual([null, null, null, null]);
      expect(values.slice(0, 8)).toEqual([...values.slice(0, 8)].sort((a, b) => b - a));
    });

    it('filters on stage and tags, and searches by name, email and phone fragments', async () => {
      const qualified = await queryLeads(qws.client, qws.workspaceId, {
        filters: [{ field: 'stage_id', op: 'eq', value: qStages.byName.Qualified }],
      });
      expect(qualified.items).toHaveLength(4);
      const odd = await queryLeads(qws.client, qws.workspaceId, {
        filters: [{ field: 'tags', op: 'contains', value: ['odd'] }],
      });
      expect(odd.items).toHaveLength(6);
      expect((await queryLeads(qws.client, qws.workspaceId, { q: 'person 07' })).items.map((l) => l.id)).toEqual([
        made[7].id,
      ]);
      expect((await queryLeads(qws.client, qws.workspaceId, { q: 'Q7@EXAMPLE' })).items.map((l) => l.id)).toEqual([
        made[7].id,
      ]);
      expect((await queryLeads(qws.client, qws.workspaceId, { q: '012-3330007' })).items.map((l) => l.id)).toEqual([
        made[7].id,
      ]);
      expect((await queryLeads(qws.client, qws.workspaceId, { q: '+60123330007' })).items.map((l) => l.id)).toEqual([
        made[7].id,
      ]);
      const byGet = (
        await qws.client.get(`${wsPath(qws.workspaceId)}/leads?stageId=${qStages.byName.Qualified}&limit=2&count=exact`)
      ).json();
      expect(byGet.items).toHaveLength(2);
      expect(byGet.count).toEqual({ value: 4, exact: true });
      expect(byGet.nextCursor).toEqual(expect.any(String));
    });

    it('answers 400 validation_failed for unknown fields, bad values and bad cursors', async () => {
      for (const body of [
        { filters: [{ field: 'password', op: 'eq', value: 'x' }] },
        { filters: [{ field: 'value', op: 'gt', value: 'x' }] },
        { filters: [{ field: 'value', op: 'like', value: 1 }] },
        { sort: { field: 'tags', direction: 'asc' } },
        { cursor: 'garbage' },
        { limit: 500 },
      ]) {
        const res = await qws.client.post(`${wsPath(qws.workspaceId)}/leads/query`, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json().error.code).toBe('validation_failed');
      }
    });

    it('lists tags with counts', async () => {
      const tags = (await qws.client.get(`${wsPath(qws.workspaceId)}/tags`)).json();
      expect(tags.items).toEqual([
        { name: 'even', count: 6 },
        { name: 'odd', count: 6 },
      ]);
    });

    it('counts up to 10,000 with auto, exactly with exact', async () => {
      const big = await t.signup({ companyName: 'Big Co' });
      const s = await defaultStages(t, big.workspaceId);
      await t.c.db.execute(sql`
        insert into leads (workspace_id, id, contact_id, name, search, source, pipeline_id, stage_id)
        select ${big.workspaceId}, gen_random_uuid(), gen_random_uuid(), 'Bulk ' || g, 'bulk ' || g, 'import', ${s.pipelineId}, ${s.ids[0]}
        from generate_series(1, 10001) g`);
      const auto = await queryLeads(big.client, big.workspaceId, { limit: 1 });
      expect(auto.count).toEqual({ value: 10000, exact: false });
      const exact = await queryLeads(big.client, big.workspaceId, { limit: 1, count: 'exact' });
      expect(exact.count).toEqual({ value: 10001, exact: true });
    });
  });

  describe('bulk actions', () => {
    let bws: SignedIn;
    let bStages: Awaited<ReturnType<typeof defaultStages>>;

    beforeAll(async () => {
      bws = await t.signup({ companyName: 'Bulk Co' });
      bStages = await defaultStages(t, bws.workspaceId);
    });
    const bulk = (client: TestClient, body: unknown) => client.post(`${wsPath(bws.workspaceId)}/leads/bulk`, body);

    it('runs small selections at once: tag, move stage, assign, delete — each audited and on the timeline', async () => {
      const leads = [];
      for (let i = 0; i < 3; i++)
        leads.push(await createLead(bws.client, bws.workspaceId, { contact: { name: `Small ${i}` }, tags: ['old'] }));
      const ids = leads.map((l) => l.id);
      let res = await bulk(bws.client, { selection: { ids }, action: { type: 'tag', add: ['new'], remove: ['old'] } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ updated: 3 });
      res = await bulk(bws.client, { selection: { ids }, action: { type: 'move_stage', stageId: bStages.byName.Won } });
      expect(res.json()).toEqual({ updated: 3 });
      res = await bulk(bws.client, {
        selection: { ids: ids.slice(0, 2) },
        action: { type: 'assign', ownerId: bws.userId },
      });
      expect(res.json()).toEqual({ updated: 2 });
      const page = await queryLeads(bws.client, bws.workspaceId, {});
      expect(page.items).toHaveLength(3);
      for (const lead of page.items) {
        expect(lead.tags).toEqual(['new']);
        expect(lead.stageId).toBe(bStages.byName.Won);
      }
      const timeline = (await bws.client.get(`${wsPath(bws.workspaceId)}/leads/${ids[0]}/timeline`)).json();
      expect(timeline.items.map((a: any) => a.type)).toEqual(
        expect.arrayContaining(['lead.updated', 'lead.stage_changed', 'lead.assigned']),
      );
      expect(timeline.items.find((a: any) => a.type === 'lead.stage_changed').data.to).toEqual({
        id: bStages.byName.Won,
        name: 'Won',
      });
      res = await bulk(bws.client, { selection: { ids: [ids[2]] }, action: { type: 'delete' } });
      expect(res.json()).toEqual({ updated: 1 });
      expect((await bws.client.get(`${wsPath(bws.workspaceId)}/leads/${ids[2]}`)).statusCode).toBe(404);
      const audit = rowsOf<{ action: string; metadata: { count: number } }>(
        await t.c.db.execute(
          sql`select action, metadata from audit_log where workspace_id = ${bws.workspaceId} and action like 'lead.bulk_%' order by seq`,
        ),
      );
      expect(audit.map((a) => [a.action, a.metadata.count])).toEqual([
        ['lead.bulk_tag', 3],
        ['lead.bulk_move_stage', 3],
        ['lead.bulk_assign', 2],
        ['lead.bulk_delete', 1],
      ]);
    });

    it('runs more than 500 leads as an operation whose progress reaches the total', async () => {
      await t.c.db.execute(sql`
        insert into leads (workspace_id, id, contact_id, name, search, source, pipeline_id, stage_id, tags)
        select ${bws.workspaceId}, gen_random_uuid(), gen_random_uuid(), 'Many ' || g, 'many ' || g, 'import', ${bStages.pipelineId}, ${bStages.ids[0]}, '{batch}'
        from generate_series(1, 1201) g`);
      const res = await bulk(bws.client, {
        selection: { query: { filters: [{ field: 'tags', op: 'contains', value: ['batch'] }] } },
        action: { type: 'move_stage', stageId: bStages.byName.Qualified },
      });
      expect(res.statusCode, res.body).toBe(202);
      const { operationId } = res.json();
      await t.drainJobs();
      const [op] = rowsOf<{
        status: string;
        total: number;
        processed: number;
        kind: string;
        finished_at: Date | null;
        details: any;
      }>(
        await t.c.db.execute(
          sql`select * from operations where workspace_id = ${bws.workspaceId} and id = ${operationId}`,
        ),
      );
      expect(op).toMatchObject({ kind: 'bulk', status: 'succeeded', total: 1201, processed: 1201 });
      expect(op!.finished_at).not.toBeNull();
      expect(op!.details.action).toEqual({ type: 'move_stage', stageId: bStages.byName.Qualified });
      const moved = await queryLeads(bws.client, bws.workspaceId, {
        filters: [
          { field: 'tags', op: 'contains', value: ['batch'] },
          { field: 'stage_id', op: 'eq', value: bStages.byName.Qualified },
        ],
        count: 'exact',
        limit: 1,
      });
      expect(moved.count!.value).toBe(1201);
      expect(
        await countRows(t, 'activities', bws.workspaceId, sql`type = 'lead.stage_changed'`),
      ).toBeGreaterThanOrEqual(1201);
      const [audit] = rowsOf<{ metadata: any }>(
        await t.c.db.execute(
          sql`select metadata from audit_log where workspace_id = ${bws.workspaceId} and action = 'lead.bulk_move_stage' order by seq desc limit 1`,
        ),
      );
      expect(audit!.metadata).toEqual({ count: 1201, operationId });
    });

    it('refuses bulk delete without leads.delete and a bad stage', async () => {
      const manager = await addMember(t, bws, 'agent', 'Bulk Agent');
      const lead = await createLead(bws.client, bws.workspaceId, {
        contact: { name: 'Keep' },
        ownerId: manager.userId,
      });
      expect(
        (await bulk(manager.client, { selection: { ids: [lead.id] }, action: { type: 'delete' } })).statusCode,
      ).toBe(403);
      const bad = await bulk(bws.client, {
        selection: { ids: [lead.id] },
        action: { type: 'move_stage', stageId: '01a225b7-0000-7000-8000-000000000009' },
      });
      expect(bad.statusCode).toBe(400);
    });
  });

  it('answers 404 for another workspace\u2019s lead ids', async () => {
    const other = await t.signup({ companyName: 'Other Co' });
    const foreign = await createLead(other.client, other.workspaceId, { contact: { name: 'Foreign' } });
    for (const [method, path, body] of [
      ['GET', `/leads/${foreign.id}`],
      ['PATCH', `/leads/${foreign.id}`, { value: 1 }],
      ['DELETE', `/leads/${foreign.id}`],
      ['GET', `/leads/${foreign.id}/timeline`],
      ['POST', '/leads', { contactId: foreign.contactId }],
    ] as const) {
      const res = await owner.client.request(method, `${ws()}${path}`, body);
      expect(res.statusCode, `${method} ${path}`).toBe(404);
    }
    const bulkRes = await owner.client.post(`${ws()}/leads/bulk`, {
      selection: { ids: [foreign.id] },
      action: { type: 'tag', add: ['x'] },
    });
    expect(bulkRes.json()).toEqual({ updated: 0 });
    expect((await other.client.get(`${wsPath(other.workspaceId)}/leads/${foreign.id}`)).json()).toMatchObject({
      value: null,
      tags: [],
    });
  });
});
