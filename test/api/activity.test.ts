import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { createLead, wsPath, XSS } from '../support/leads';
import { addMember, type Member } from '../support/members';

describe('notes, tasks and the timeline', () => {
  let t: TestApp;
  let owner: SignedIn;
  let agent: Member;
  let lead: any;
  let agentLead: any;
  const ws = () => wsPath(owner.workspaceId);

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ name: 'Nora Notes', companyName: 'Notes Co' });
    agent = await addMember(t, owner, 'agent', 'Tariq Tasks');
    lead = await createLead(owner.client, owner.workspaceId, { contact: { name: 'Noted Person' } });
    agentLead = await createLead(owner.client, owner.workspaceId, {
      contact: { name: 'Agent Person' },
      ownerId: agent.userId,
    });
  });
  afterAll(() => t?.close());

  describe('notes', () => {
    it('adds, lists, edits and deletes notes, each on the timeline with who and when', async () => {
      const res = await owner.client.post(`${ws()}/notes`, {
        contactId: lead.contactId,
        leadId: lead.id,
        body: '**Called**, will call back',
        format: 'markdown',
      });
      expect(res.statusCode, res.body).toBe(201);
      const note = res.json();
      expect(note).toMatchObject({
        contactId: lead.contactId,
        leadId: lead.id,
        body: '**Called**, will call back',
        format: 'markdown',
        author: { id: owner.userId, name: 'Nora Notes' },
      });
      const plain = (await owner.client.post(`${ws()}/notes`, { contactId: lead.contactId, body: 'Plain' })).json();
      expect(plain).toMatchObject({ format: 'text', leadId: null });

      const list = (await owner.client.get(`${ws()}/contacts/${lead.contactId}/notes`)).json();
      expect(list.items.map((n: any) => n.id)).toEqual([plain.id, note.id]);

      const edited = await owner.client.patch(`${ws()}/notes/${note.id}`, { body: 'Called twice' });
      expect(edited.statusCode).toBe(200);
      expect(edited.json()).toMatchObject({ body: 'Called twice', format: 'markdown' });
      expect((await owner.client.delete(`${ws()}/notes/${plain.id}`)).statusCode).toBe(204);

      const timeline = (await owner.client.get(`${ws()}/leads/${lead.id}/timeline`)).json();
      const added = timeline.items.find((a: any) => a.type === 'note.added');
      expect(added).toMatchObject({
        actor: { type: 'user', id: owner.userId, name: 'Nora Notes' },
        leadId: lead.id,
        contactId: lead.contactId,
        data: { noteId: note.id, format: 'markdown' },
      });
      expect(new Date(added.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
      const contactTimeline = (await owner.client.get(`${ws()}/contacts/${lead.contactId}/timeline`)).json();
      expect(contactTimeline.items.map((a: any) => a.type)).toEqual(
        expect.arrayContaining(['note.added', 'note.updated', 'note.deleted', 'lead.created']),
      );
    });

    it('stores XSS payloads verbatim (the web app renders markdown without raw HTML)', async () => {
      for (const body of XSS) {
        const res = await owner.client.post(`${ws()}/notes`, { contactId: lead.contactId, body, format: 'markdown' });
        expect(res.statusCode).toBe(201);
        expect(res.json().body).toBe(body);
      }
      const list = await owner.client.get(`${ws()}/contacts/${lead.contactId}/notes`);
      expect(list.headers['content-type']).toMatch(/^application\/json/);
      for (const body of XSS) expect(list.json().items.map((n: any) => n.body)).toContain(body);
    });

    it('refuses empty and over-long notes, and a lead of another contact', async () => {
      for (const body of ['', '   ', 'x'.repeat(20_001)]) {
        const res = await owner.client.post(`${ws()}/notes`, { contactId: lead.contactId, body });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('validation_failed');
      }
      expect(
        (await owner.client.post(`${ws()}/notes`, { contactId: lead.contactId, body: 'x'.repeat(20_000) })).statusCode,
      ).toBe(201);
      const wrong = await owner.client.post(`${ws()}/notes`, {
        contactId: lead.contactId,
        leadId: agentLead.id,
        body: 'x',
      });
      expect(wrong.statusCode).toBe(400);
      expect(
        (await owner.client.post(`${ws()}/notes`, { contactId: lead.contactId, body: 'x', format: 'html' })).statusCode,
      ).toBe(400);
    });

    it('agents write notes on their contacts, edit only their own, and never see others\u2019', async () => {
      const mine = await agent.client.post(`${ws()}/notes`, { contactId: agentLead.contactId, body: 'Mine' });
      expect(mine.statusCode).toBe(201);
      const ownerNote = (
        await owner.client.post(`${ws()}/notes`, { contactId: agentLead.contactId, body: 'Manager note' })
      ).json();
      expect((await agent.client.patch(`${ws()}/notes/${ownerNote.id}`, { body: 'changed' })).statusCode).toBe(403);
      expect((await agent.client.delete(`${ws()}/notes/${ownerNote.id}`)).statusCode).toBe(403);
      expect((await agent.client.patch(`${ws()}/notes/${mine.json().id}`, { body: 'Mine, edited' })).statusCode).toBe(
        200,
      );
      const others = (await owner.client.get(`${ws()}/contacts/${lead.contactId}/notes`)).json().items[0];
      expect((await agent.client.patch(`${ws()}/notes/${others.id}`, { body: 'x' })).statusCode).toBe(404);
      expect((await agent.client.get(`${ws()}/contacts/${lead.contactId}/notes`)).statusCode).toBe(404);
      // Managers may edit anyone's note.
      expect((await owner.client.patch(`${ws()}/notes/${mine.json().id}`, { format: 'markdown' })).statusCode).toBe(
        200,
      );
    });
  });

  describe('tasks', () => {
    const hour = 3_600_000;

    it('creates, lists by due date and assignee, completes and reopens tasks, on the timeline', async () => {
      const make = async (title: string, dueAt: Date | null, extra: Record<string, unknown> = {}) => {
        const res = await owner.client.post(`${ws()}/tasks`, {
          title,
          dueAt: dueAt?.toISOString() ?? null,
          leadId: lead.id,
          ...extra,
        });
        expect(res.statusCode, res.body).toBe(201);
        return res.json();
      };
      const overdue = await make('Overdue call', new Date(Date.now() - 2 * hour));
      const upcoming = await make('Next week', new Date(Date.now() + 7 * 24 * hour));
      const someday = await make('Someday', null);
      const forAgent = await make('Agent call', new Date(Date.now() + 7 * 24 * hour), {
        assigneeId: agent.userId,
        leadId: agentLead.id,
      });
      expect(overdue).toMatchObject({
        title: 'Overdue call',
        assignee: { id: owner.userId, name: 'Nora Notes' },
        leadId: lead.id,
        contactId: lead.contactId,
        lead: { id: lead.id, name: 'Noted Person' },
        doneAt: null,
      });

      const list = async (query: string) =>
        (await owner.client.get(`${ws()}/tasks?${query}`)).json().items.map((x: any) => x.id) as string[];
      expect(await list('due=overdue&assignee=me')).toEqual([overdue.id]);
      expect(await list('due=upcoming&assignee=me')).toEqual([upcoming.id]);
      expect(await list('assignee=me')).toEqual([overdue.id, upcoming.id, someday.id]); // due first, undated last
      expect(await list(`assignee=${agent.userId}`)).toEqual([forAgent.id]);
      expect(await list(`leadId=${agentLead.id}`)).toEqual([forAgent.id]);

      const done = await owner.client.patch(`${ws()}/tasks/${overdue.id}`, { done: true });
      expect(done.statusCode).toBe(200);
      expect(done.json().doneAt).not.toBeNull();
      expect(await list('due=overdue&assignee=me')).toEqual([]);
      expect(await list('status=done')).toEqual([overdue.id]);
      expect((await list('status=all&assignee=me')).sort()).toEqual([overdue.id, upcoming.id, someday.id].sort());
      const types = (await owner.client.get(`${ws()}/leads/${lead.id}/timeline?limit=200`))
        .json()
        .items.map((a: any) => a.type);
      expect(types).toEqual(expect.arrayContaining(['task.created', 'task.completed']));
      const reopened = await owner.client.patch(`${ws()}/tasks/${overdue.id}`, {
        done: false,
        title: 'Overdue call (again)',
      });
      expect(reopened.json()).toMatchObject({ doneAt: null, title: 'Overdue call (again)' });

      expect((await owner.client.delete(`${ws()}/tasks/${someday.id}`)).statusCode).toBe(204);
      expect(await list('assignee=me')).not.toContain(someday.id);
    });

    it('computes "today" in the workspace timezone', async () => {
      const ymd = (d: Date, tz: string) =>
        new Intl.DateTimeFormat('en-CA', { timeZone: tz, dateStyle: 'short' }).format(d);
      const now = Date.now();
      const created: { id: string; due: Date }[] = [];
      for (let k = -10; k <= 10; k++) {
        const due = new Date(now + k * 2 * hour);
        const res = await owner.client.post(`${ws()}/tasks`, {
          title: `tz ${k}`,
          dueAt: due.toISOString(),
          assigneeId: null,
        });
        created.push({ id: res.json().id, due });
      }
      const ids = new Set(created.map((c) => c.id));
      for (const tz of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kuala_Lumpur']) {
        expect((await owner.client.patch(ws(), { timezone: tz })).statusCode).toBe(200);
        const today = (await owner.client.get(`${ws()}/tasks?assignee=none&due=today`))
          .json()
          .items.map((x: any) => x.id);
        const expected = created.filter((c) => ymd(c.due, tz) === ymd(new Date(), tz)).map((c) => c.id);
        expect(today.filter((id: string) => ids.has(id)).sort(), tz).toEqual(expected.sort());
      }
    });

    it('agents see and change tasks assigned to them or on their leads only', async () => {
      const ownerOnly = (await owner.client.post(`${ws()}/tasks`, { title: 'Private', leadId: lead.id })).json();
      const onAgentLead = (
        await owner.client.post(`${ws()}/tasks`, { title: 'On agent lead', leadId: agentLead.id })
      ).json();
      const seen = (await agent.client.get(`${ws()}/tasks?status=all`)).json().items.map((x: any) => x.id);
      expect(seen).toContain(onAgentLead.id);
      expect(seen).not.toContain(ownerOnly.id);
      expect((await agent.client.patch(`${ws()}/tasks/${ownerOnly.id}`, { done: true })).statusCode).toBe(404);
      expect((await agent.client.patch(`${ws()}/tasks/${onAgentLead.id}`, { done: true })).statusCode).toBe(200);
      expect((await agent.client.post(`${ws()}/tasks`, { title: 'x', leadId: lead.id })).statusCode).toBe(404);
      const own = await agent.client.post(`${ws()}/tasks`, { title: 'My own' });
      expect(own.json()).toMatchObject({ assignee: { id: agent.userId }, leadId: null, contactId: null });
    });

    it('refuses bad input with clear validation errors', async () => {
      for (const body of [
        { title: '' },
        { title: 'x', dueAt: 'tomorrow' },
        { title: 'x', assigneeId: '01a225b7-0000-7000-8000-000000000001' },
      ]) {
        const res = await owner.client.post(`${ws()}/tasks`, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
      }
      expect((await owner.client.get(`${ws()}/tasks?due=yesterday`)).statusCode).toBe(400);
      expect((await owner.client.get(`${ws()}/tasks?assignee=someone`)).statusCode).toBe(400);
    });
  });

  it('answers 404 for another workspace\u2019s notes and tasks', async () => {
    const other = await t.signup({ companyName: 'Other Notes' });
    const foreign = await createLead(other.client, other.workspaceId, { contact: { name: 'Foreign' } });
    const note = (
      await other.client.post(`${wsPath(other.workspaceId)}/notes`, { contactId: foreign.contactId, body: 'secret' })
    ).json();
    const task = (
      await other.client.post(`${wsPath(other.workspaceId)}/tasks`, { title: 'secret', leadId: foreign.id })
    ).json();
    for (const [method, path, body] of [
      ['PATCH', `/notes/${note.id}`, { body: 'hijack' }],
      ['DELETE', `/notes/${note.id}`],
      ['PATCH', `/tasks/${task.id}`, { done: true }],
      ['DELETE', `/tasks/${task.id}`],
      ['POST', '/notes', { contactId: foreign.contactId, body: 'x' }],
      ['POST', '/tasks', { title: 'x', leadId: foreign.id }],
    ] as const) {
      expect((await owner.client.request(method, `${ws()}${path}`, body)).statusCode, `${method} ${path}`).toBe(404);
    }
    expect((await owner.client.get(`${ws()}/tasks?leadId=${foreign.id}&status=all`)).json().items).toEqual([]);
    const still = (await other.client.get(`${wsPath(other.workspaceId)}/contacts/${foreign.contactId}/notes`)).json();
    expect(still.items[0].body).toBe('secret');
  });
});
