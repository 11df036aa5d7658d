import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInZone } from '../../src/domains/activity/task-reminders';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { createLead, wsPath } from '../support/leads';
import { addMember, type Member } from '../support/members';

/** Quoted-printable soft breaks and `=3D` undone, so links and phrases can be matched. */
const unfold = (eml: string) => eml.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

describe('task reminders', () => {
  let t: TestApp;
  let owner: SignedIn;
  let agent: Member;
  let agentLead: any;
  const ws = () => wsPath(owner.workspaceId);
  const past = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  const future = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

  /** Reminder emails to an address, oldest first. */
  const remindersTo = (address: string) =>
    t
      .outbox()
      .filter((m) => new RegExp(`^To: .*${address.replace(/[.+]/g, '\\$&')}`, 'mi').test(m))
      .filter((m) => /^Subject: Reminder: /m.test(m))
      .map(unfold);

  async function task(client: SignedIn['client'], body: Record<string, unknown>) {
    const res = await client.post(`${ws()}/tasks`, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ name: 'Rita Reminders', companyName: 'Reminders Co' });
    agent = await addMember(t, owner, 'agent', 'Aziz Agent');
    agentLead = await createLead(owner.client, owner.workspaceId, {
      contact: { name: 'Lena Lead' },
      ownerId: agent.userId,
    });
    const tz = await owner.client.patch(ws(), { timezone: 'America/New_York' });
    expect(tz.statusCode, tz.body).toBe(200);
  });
  afterAll(() => t?.close());

  it('emails each due reminder exactly once, even with two sweeps at the same time, and records it', async () => {
    const dueAt = '2030-01-15T15:00:00.000Z';
    const onLead = await task(owner.client, {
      title: 'Call Lena back',
      leadId: agentLead.id,
      assigneeId: agent.userId,
      dueAt,
      remindAt: past(5),
    });
    const noLead = await task(owner.client, { title: 'Send the price list', remindAt: past(1) });
    await task(owner.client, { title: 'Later', assigneeId: agent.userId, remindAt: future(60) });
    await task(owner.client, { title: 'Nobody', assigneeId: null, leadId: agentLead.id, remindAt: past(5) });
    const done = await task(owner.client, { title: 'Already done', assigneeId: agent.userId, remindAt: past(5) });
    expect((await owner.client.patch(`${ws()}/tasks/${done.id}`, { done: true })).statusCode).toBe(200);
    await task(owner.client, { title: 'No reminder', assigneeId: agent.userId, dueAt: past(5) });

    await Promise.all([t.c.reminders.sweep(), t.c.reminders.sweep(), t.c.reminders.sweep()]);
    await t.drainJobs();
    expect(await t.c.reminders.sweep()).toBe(0);
    await t.drainJobs();

    const toAgent = remindersTo(agent.email);
    expect(toAgent).toHaveLength(1);
    expect(toAgent[0]).toMatch(/^Subject: Reminder: Call Lena back$/m);
    expect(toAgent[0]).toContain(formatInZone(new Date(dueAt), 'America/New_York'));
    expect(toAgent[0]).toContain('10:00 (America/New_York)');
    expect(toAgent[0]).toContain(`http://localhost:3000/w/${owner.workspaceId}/leads/${agentLead.id}`);

    const toOwner = remindersTo(owner.email);
    expect(toOwner).toHaveLength(1);
    expect(toOwner[0]).toMatch(/^Subject: Reminder: Send the price list$/m);
    expect(toOwner[0]).toContain(`http://localhost:3000/w/${owner.workspaceId}/tasks`);
    expect(toOwner[0]).toContain('No due date');

    // The assignee (an agent who owns the lead) sees the reminder on the lead's timeline, once.
    const timeline = await agent.client.get(`${ws()}/leads/${agentLead.id}/timeline`);
    expect(timeline.statusCode, timeline.body).toBe(200);
    const reminded = timeline.json().items.filter((a: any) => a.type === 'task.reminded');
    expect(reminded).toHaveLength(1);
    expect(reminded[0]).toMatchObject({
      actor: { type: 'system' },
      leadId: agentLead.id,
      data: { taskId: onLead.id, title: 'Call Lena back', assigneeId: agent.userId },
    });

    // The claimed rows carry reminded_at; the others do not.
    const rows = await t.c.db.execute(
      sql`select title, reminded_at from tasks where workspace_id = ${owner.workspaceId} order by title`,
    );
    const remindedTitles = (rows as unknown as { rows: { title: string; reminded_at: unknown }[] }).rows
      .filter((r) => r.reminded_at !== null)
      .map((r) => r.title);
    expect(remindedTitles.sort()).toEqual(['Call Lena back', 'Send the price list']);
    expect(noLead.id).toBeTruthy();
  });

  it('a new remind time is a new reminder; a future one waits', async () => {
    const before = remindersTo(agent.email).length;
    const item = await task(owner.client, { title: 'Follow up twice', assigneeId: agent.userId, remindAt: past(2) });
    await t.c.reminders.sweep();
    await t.drainJobs();
    expect(remindersTo(agent.email)).toHaveLength(before + 1);
    await owner.client.patch(`${ws()}/tasks/${item.id}`, { remindAt: future(30) });
    await t.c.reminders.sweep();
    await t.drainJobs();
    expect(remindersTo(agent.email)).toHaveLength(before + 1);
    // Moved back into the past: due again, so it is reminded again (once).
    await owner.client.patch(`${ws()}/tasks/${item.id}`, { remindAt: past(1) });
    await Promise.all([t.c.reminders.sweep(), t.c.reminders.sweep()]);
    await t.drainJobs();
    expect(remindersTo(agent.email)).toHaveLength(before + 2);
  });

  it('concurrent sweeps in small batches claim every reminder once', async () => {
    const titles = Array.from({ length: 15 }, (_, i) => `Batch reminder ${i}`);
    for (const title of titles) await task(owner.client, { title, remindAt: past(3) });
    const claimed = await Promise.all(Array.from({ length: 4 }, () => t.c.reminders.sweep({ batchSize: 4 })));
    expect(claimed.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(15); // the scheduled sweep may take some
    await t.drainJobs();
    const subjects = remindersTo(owner.email)
      .map((m) => m.match(/^Subject: Reminder: (Batch reminder \d+)$/m)?.[1])
      .filter(Boolean);
    expect(subjects.sort()).toEqual([...titles].sort());
  });

  it('sends nothing for a task completed, deleted or whose assignee left after the sweep', async () => {
    const other = await addMember(t, owner, 'agent', 'Leaving Agent');
    const completed = await task(owner.client, { title: 'Completed meanwhile', assigneeId: agent.userId });
    const deleted = await task(owner.client, { title: 'Deleted meanwhile', assigneeId: agent.userId });
    const orphaned = await task(owner.client, { title: 'Assignee left', assigneeId: other.userId });
    // As if a sweep had claimed them and their email jobs had not run yet.
    const claim = (id: string) =>
      t.c.db.execute(
        sql`update tasks set remind_at = now() - interval '1 minute', reminded_at = now() where workspace_id = ${owner.workspaceId} and id = ${id}`,
      );
    for (const x of [completed, deleted, orphaned]) await claim(x.id);
    expect((await owner.client.patch(`${ws()}/tasks/${completed.id}`, { done: true })).statusCode).toBe(200);
    expect((await owner.client.delete(`${ws()}/tasks/${deleted.id}`)).statusCode).toBe(204);
    expect((await owner.client.delete(`${ws()}/members/${other.userId}`)).statusCode).toBe(204);

    const before = t.outbox().length;
    for (const x of [completed, deleted, orphaned]) {
      await t.c.reminders.send({ workspaceId: owner.workspaceId, taskId: x.id });
    }
    expect(t.outbox().length).toBe(before);
  });

  it('a retried email job does not send the same reminder twice', async () => {
    const item = await task(owner.client, {
      title: 'Retried',
      leadId: agentLead.id,
      assigneeId: agent.userId,
      remindAt: past(1),
    });
    await t.c.reminders.sweep();
    await t.drainJobs();
    const count = remindersTo(agent.email).filter((m) => m.includes('Reminder: Retried')).length;
    expect(count).toBe(1);
    await t.c.reminders.send({ workspaceId: owner.workspaceId, taskId: item.id });
    expect(remindersTo(agent.email).filter((m) => m.includes('Reminder: Retried'))).toHaveLength(1);
  });

  it('the worker schedules the sweep every minute', async () => {
    const schedules = await t.c.queue.boss.getSchedules();
    expect(schedules).toContainEqual(expect.objectContaining({ name: 'activity.task_reminders', cron: '* * * * *' }));
  });
});
