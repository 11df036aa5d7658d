import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { newId } from '../../src/lib/ids';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { countRows, createLead, wsPath, XSS } from '../support/leads';
import { addMember, type Member } from '../support/members';

describe('contacts API', () => {
  let t: TestApp;
  let owner: SignedIn;
  let agent: Member;
  const ws = () => wsPath(owner.workspaceId);
  const get = async (path: string) => {
    const res = await owner.client.get(`${ws()}${path}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ name: 'Connie Contacts', companyName: 'Contacts Co' });
    agent = await addMember(t, owner, 'agent', 'Agnes Agent');
  });
  afterAll(() => t?.close());

  describe('create, read, update, list', () => {
    it('creates a contact with normalised email and phone, and refuses a second one with 409 naming it', async () => {
      const res = await owner.client.post(`${ws()}/contacts`, {
        name: 'Mei Ling',
        email: ' Mei@Example.com',
        phone: '016-222 3333',
        city: 'Penang',
        tags: ['vip'],
      });
      expect(res.statusCode, res.body).toBe(201);
      const contact = res.json();
      expect(contact).toMatchObject({
        name: 'Mei Ling',
        email: 'mei@example.com',
        phone: '+60162223333',
        phoneInvalid: false,
        tags: ['vip'],
      });
      for (const body of [{ email: 'MEI@example.com' }, { phone: '+60 16 222 3333' }]) {
        const again = await owner.client.post(`${ws()}/contacts`, { name: 'Copy', ...body });
        expect(again.statusCode).toBe(409);
        expect(again.json().error).toMatchObject({ code: 'conflict', details: [{ path: `contactId:${contact.id}` }] });
      }
      const detail = await get(`/contacts/${contact.id}`);
      expect(detail.identities).toEqual([
        { kind: 'email', value: 'mei@example.com' },
        { kind: 'phone', value: '+60162223333' },
      ]);
      expect(detail.leads).toEqual([]);
      // A lead for the same person lands on this contact.
      const lead = await createLead(owner.client, owner.workspaceId, { contact: { phone: '0162223333' } });
      expect(lead).toMatchObject({ contactId: contact.id, name: 'Mei Ling' });
    });

    it('edits a contact and every lead\u2019s copy, recording the change on the timeline', async () => {
      const a = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'Before', email: 'edit@example.com' },
      });
      const b = await createLead(owner.client, owner.workspaceId, { contact: { email: 'edit@example.com' } });
      const res = await owner.client.patch(`${ws()}/contacts/${a.contactId}`, {
        name: 'After',
        phone: '0171234567',
        country: 'MY',
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ name: 'After', phone: '+60171234567', country: 'MY' });
      for (const id of [a.id, b.id])
        expect(await get(`/leads/${id}`)).toMatchObject({ name: 'After', phone: '+60171234567' });
      const timeline = await get(`/contacts/${a.contactId}/timeline`);
      const updated = timeline.items.find((x: any) => x.type === 'contact.updated');
      expect(updated).toMatchObject({
        actor: { type: 'user', id: owner.userId, name: 'Connie Contacts' },
        data: { changes: { name: { from: 'Before', to: 'After' }, phone: { from: null, to: '+60171234567' } } },
      });
      // Both leads' creation shows on the contact's timeline too.
      expect(timeline.items.filter((x: any) => x.type === 'lead.created')).toHaveLength(2);
    });

    it('lists newest first, searches name, email and phone, and pages', async () => {
      const names = ['Zed Alpha', 'Zed Bravo', 'Zed Charlie'];
      for (const [i, name] of names.entries()) {
        await owner.client.post(`${ws()}/contacts`, { name, email: `zed${i}@example.com`, phone: `01955500${i}0` });
      }
      const page1 = await get('/contacts?q=zed&limit=2');
      expect(page1.items.map((c: any) => c.name)).toEqual(['Zed Charlie', 'Zed Bravo']);
      const page2 = await get(`/contacts?q=zed&limit=2&cursor=${page1.nextCursor}`);
      expect(page2.items.map((c: any) => c.name)).toEqual(['Zed Alpha']);
      expect(page2.nextCursor).toBeNull();
      expect((await get('/contacts?q=ZED1@')).items.map((c: any) => c.name)).toEqual(['Zed Bravo']);
      expect((await get('/contacts?q=019-5550020')).items.map((c: any) => c.name)).toEqual(['Zed Charlie']);
      expect((await owner.client.get(`${ws()}/contacts?cursor=nope`)).statusCode).toBe(400);
    });

    it('returns XSS payloads verbatim', async () => {
      for (const payload of XSS) {
        const res = await owner.client.post(`${ws()}/contacts`, { name: payload, city: payload });
        expect(res.statusCode).toBe(201);
        expect(await get(`/contacts/${res.json().id}`)).toMatchObject({ name: payload, city: payload });
      }
    });

    it('agents list only contacts having a lead of theirs', async () => {
      const theirs = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'Agent Contact' },
        ownerId: agent.userId,
      });
      const list = (await agent.client.get(`${ws()}/contacts?limit=200`)).json();
      expect(list.items.map((c: any) => c.id)).toEqual([theirs.contactId]);
      expect((await agent.client.patch(`${ws()}/contacts/${theirs.contactId}`, { city: 'Kuching' })).statusCode).toBe(
        200,
      );
      expect((await agent.client.delete(`${ws()}/contacts/${theirs.contactId}`)).statusCode).toBe(403);
    });
  });

  describe('duplicates', () => {
    it('finds the same email or phone written differently, and similar names with the same phone ending', async () => {
      const subject = (
        await owner.client.post(`${ws()}/contacts`, {
          name: 'Nurul Aini',
          email: 'nurul@example.com',
          phone: '0123456789',
        })
      ).json();
      // Stored as given (as an old import might have), bypassing normalisation.
      const raw = newId();
      await t.c.db.execute(sql`
        insert into contacts (workspace_id, id, name, email, phone)
        values (${owner.workspaceId}, ${raw}, 'N. Aini', ' NURUL@Example.com ', '012-345 6789')`);
      const similar = (
        await owner.client.post(`${ws()}/contacts`, { name: 'Nurul Aine', phone: '+60 13 999 6789' })
      ).json();
      const unrelated = await owner.client.post(`${ws()}/contacts`, { name: 'Bob Builder', phone: '+60139996789' });
      expect(unrelated.statusCode).toBe(409); // same phone as `similar`: the identity already belongs to it
      const stranger = (
        await owner.client.post(`${ws()}/contacts`, { name: 'Bob Builder', phone: '+60148886789' })
      ).json();

      const found = await get(`/contacts/${subject.id}/duplicates`);
      const byId = Object.fromEntries(found.items.map((d: any) => [d.contact.id, d.reasons]));
      expect(byId[raw]).toEqual(['Same email address', 'Same phone number']);
      expect(byId[similar.id]).toEqual(['Similar name and phone ending 6789']);
      expect(byId[stranger.id]).toBeUndefined();
      expect(byId[subject.id]).toBeUndefined();
    });
  });

  describe('merge and undo', () => {
    it('moves every lead, note, task, identity and timeline entry, hides the other, and undo restores exactly', async () => {
      const sLead = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'Survivor', email: 'survivor@example.com' },
        tags: ['s'],
      });
      const survivorId = sLead.contactId;
      const oLead1 = await createLead(owner.client, owner.workspaceId, {
        contact: { name: 'Other Person', email: 'other@example.com', phone: '0187776666', city: 'Melaka' },
      });
      const oLead2 = await createLead(owner.client, owner.workspaceId, { contact: { email: 'other@example.com' } });
      const otherId = oLead1.contactId;
      await owner.client.patch(`${ws()}/contacts/${otherId}`, { tags: ['o'] });
      const oNote = (
        await owner.client.post(`${ws()}/notes`, { contactId: otherId, leadId: oLead1.id, body: 'Other note' })
      ).json();
      const oTask = (await owner.client.post(`${ws()}/tasks`, { title: 'Call other', leadId: oLead2.id })).json();
      const sNote = (await owner.client.post(`${ws()}/notes`, { contactId: survivorId, body: 'Survivor note' })).json();
      const otherActivities = await countRows(t, 'activities', owner.workspaceId, sql`contact_id = ${otherId}`);
      expect(otherActivities).toBeGreaterThanOrEqual(5);

      const res = await owner.client.post(`${ws()}/contacts/${survivorId}/merge`, { otherContactId: otherId });
      expect(res.statusCode, res.body).toBe(200);
      const { mergeId, contact } = res.json();
      expect(contact).toMatchObject({
        id: survivorId,
        name: 'Survivor',
        email: 'survivor@example.com',
        phone: '+60187776666',
        city: 'Melaka',
      });
      expect(contact.tags.sort()).toEqual(['o']); // contact tags: the survivor had none, the other's join

      const merged = await get(`/contacts/${survivorId}`);
      expect(merged.leads.map((l: any) => l.id).sort()).toEqual([sLead.id, oLead1.id, oLead2.id].sort());
      for (const l of merged.leads)
        expect(l).toMatchObject({ contactId: survivorId, name: 'Survivor', email: 'survivor@example.com' });
      expect(merged.identities).toEqual(
        expect.arrayContaining([
          { kind: 'email', value: 'survivor@example.com' },
          { kind: 'email', value: 'other@example.com' },
          { kind: 'phone', value: '+60187776666' },
        ]),
      );
      expect((await get(`/contacts/${survivorId}/notes`)).items.map((n: any) => n.id).sort()).toEqual(
        [oNote.id, sNote.id].sort(),
      );
      expect((await get(`/tasks?contactId=${survivorId}&assignee=any`)).items.map((x: any) => x.id)).toEqual([
        oTask.id,
      ]);
      expect(await countRows(t, 'activities', owner.workspaceId, sql`contact_id = ${otherId}`)).toBe(0);
      const timeline = await get(`/contacts/${survivorId}/timeline?limit=200`);
      expect(timeline.items[0]).toMatchObject({ type: 'contact.merged', data: { mergeId, mergedId: otherId } });
      // The other contact is hidden; its email now finds the survivor.
      expect((await owner.client.get(`${ws()}/contacts/${otherId}`)).statusCode).toBe(404);
      expect((await get('/contacts?q=other person')).items).toEqual([]);
      const later = await createLead(owner.client, owner.workspaceId, { contact: { email: 'OTHER@example.com' } });
      expect(later.contactId).toBe(survivorId);
      const [row] = rowsOf<{ merged_by: string; moved: any }>(
        await t.c.db.execute(
          sql`select merged_by, moved from contact_merges where workspace_id = ${owner.workspaceId} and id = ${mergeId}`,
        ),
      );
      expect(row!.merged_by).toBe(owner.userId);
      expect(row!.moved.survivorBefore).toMatchObject({ name: 'Survivor', phone: null, city: null });

      const undo = await owner.client.post(`${ws()}/contact-merges/${mergeId}/undo`);
      expect(undo.statusCode, undo.body).toBe(200);
      expect(undo.json().contact).toMatchObject({ id: survivorId, phone: null, city: null, tags: [] });
      const back = await get(`/contacts/${otherId}`);
      expect(back.leads.map((l: any) => l.id).sort()).toEqual([oLead1.id, oLead2.id].sort());
      for (const l of back.leads)
        expect(l).toMatchObject({ name: 'Other Person', email: 'other@example.com', phone: '+60187776666' });
      expect(back.identities).toEqual([
        { kind: 'email', value: 'other@example.com' },
        { kind: 'phone', value: '+60187776666' },
      ]);
      const survivor = await get(`/contacts/${survivorId}`);
      // The lead captured after the merge stays where it was made.
      expect(survivor.leads.map((l: any) => l.id).sort()).toEqual([sLead.id, later.id].sort());
      expect(survivor.leads.find((l: any) => l.id === sLead.id)).toMatchObject({ name: 'Survivor', phone: null });
      expect((await get(`/contacts/${otherId}/notes`)).items.map((n: any) => n.id)).toEqual([oNote.id]);
      expect((await get(`/tasks?contactId=${otherId}`)).items.map((x: any) => x.id)).toEqual([oTask.id]);
      expect(
        await countRows(
          t,
          'activities',
          owner.workspaceId,
          sql`contact_id = ${otherId} and type <> 'contact.merge_undone'`,
        ),
      ).toBe(otherActivities);
      expect((await get('/contacts?q=other person')).items.map((c: any) => c.id)).toEqual([otherId]);

      expect((await owner.client.post(`${ws()}/contact-merges/${mergeId}/undo`)).statusCode).toBe(409);
      const audit = rowsOf<{ action: string }>(
        await t.c.db.execute(
          sql`select action from audit_log where workspace_id = ${owner.workspaceId} and action like 'contact.merge%' order by seq`,
        ),
      );
      expect(audit.map((a) => a.action)).toEqual(['contact.merged', 'contact.merge_undone']);
    });

    it('refuses merging a contact into itself, and unknown contacts with 404', async () => {
      const lead = await createLead(owner.client, owner.workspaceId, { contact: { name: 'Solo' } });
      expect(
        (await owner.client.post(`${ws()}/contacts/${lead.contactId}/merge`, { otherContactId: lead.contactId }))
          .statusCode,
      ).toBe(400);
      expect(
        (await owner.client.post(`${ws()}/contacts/${lead.contactId}/merge`, { otherContactId: newId() })).statusCode,
      ).toBe(404);
      expect((await owner.client.post(`${ws()}/contact-merges/${newId()}/undo`)).statusCode).toBe(404);
    });
  });

  it('deletes a contact with its leads, notes, tasks, timeline and identities', async () => {
    const lead = await createLead(owner.client, owner.workspaceId, {
      contact: { name: 'To Delete', email: 'delete@example.com' },
    });
    await createLead(owner.client, owner.workspaceId, { contact: { email: 'delete@example.com' } });
    await owner.client.post(`${ws()}/notes`, { contactId: lead.contactId, body: 'bye' });
    await owner.client.post(`${ws()}/tasks`, { title: 'bye', leadId: lead.id });
    expect((await owner.client.delete(`${ws()}/contacts/${lead.contactId}`)).statusCode).toBe(204);
    const where = sql`contact_id = ${lead.contactId}`;
    for (const table of ['leads', 'notes', 'tasks', 'activities', 'contact_identities']) {
      expect(await countRows(t, table, owner.workspaceId, where), table).toBe(0);
    }
    expect((await owner.client.get(`${ws()}/contacts/${lead.contactId}`)).statusCode).toBe(404);
    // The email is free again.
    expect((await owner.client.post(`${ws()}/contacts`, { email: 'delete@example.com' })).statusCode).toBe(201);
  });

  it('answers 404 for another workspace\u2019s contacts', async () => {
    const other = await t.signup({ companyName: 'Elsewhere' });
    const foreign = await createLead(other.client, other.workspaceId, {
      contact: { name: 'Foreign', email: 'foreign@example.com' },
    });
    const id = foreign.contactId;
    for (const [method, path, body] of [
      ['GET', `/contacts/${id}`],
      ['PATCH', `/contacts/${id}`, { name: 'Hijack' }],
      ['DELETE', `/contacts/${id}`],
      ['GET', `/contacts/${id}/duplicates`],
      ['GET', `/contacts/${id}/timeline`],
      ['GET', `/contacts/${id}/notes`],
      ['POST', `/contacts/${id}/merge`, { otherContactId: id }],
    ] as const) {
      expect((await owner.client.request(method, `${ws()}${path}`, body)).statusCode, `${method} ${path}`).toBe(404);
    }
    const mine = await createLead(owner.client, owner.workspaceId, { contact: { name: 'Mine' } });
    expect(
      (await owner.client.post(`${ws()}/contacts/${mine.contactId}/merge`, { otherContactId: id })).statusCode,
    ).toBe(404);
    // Same email in another workspace is another person.
    const local = await createLead(owner.client, owner.workspaceId, { contact: { email: 'foreign@example.com' } });
    expect(local.contactId).not.toBe(id);
    expect((await other.client.get(`${wsPath(other.workspaceId)}/contacts/${id}`)).json().name).toBe('Foreign');
  });
});
