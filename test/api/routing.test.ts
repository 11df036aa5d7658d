import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DbOrTx, rowsOf } from '../../src/db/client';
import { leads } from '../../src/db/schema';
import type { RoutableLead } from '../../src/domains/routing/routing.service';
import { newId } from '../../src/lib/ids';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { addMember, type Member } from '../support/members';
import { seedLeads } from '../support/seed-leads';

type Pipeline = { id: string; isDefault: boolean; stages: { id: string; kind: string }[] };
type Rule = { id: string; name: string; position: number; enabled: boolean; conditions: unknown[]; assign: any };

describe('routing rules and round robin', () => {
  let t: TestApp;
  let owner: SignedIn;
  let a1: Member;
  let a2: Member;
  let a3: Member;
  let viewer: Member;
  let pipeline: Pipeline;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ companyName: 'Routing Co' });
    a1 = await addMember(t, owner, 'agent', 'Agent One');
    a2 = await addMember(t, owner, 'agent', 'Agent Two');
    a3 = await addMember(t, owner, 'agent', 'Agent Three');
    viewer = await addMember(t, owner, 'viewer', 'Viewer Vee');
    pipeline = (await owner.client.get(`${ws()}/pipelines`)).json().items[0];
  });
  afterAll(() => t?.close());

  function ws(id = owner?.workspaceId) {
    return `/api/v1/workspaces/${id}`;
  }
  const rulesUrl = () => `${ws()}/routing/rules`;
  const openStage = () => pipeline.stages.find((s) => s.kind === 'open')!.id;
  const wonStage = () => pipeline.stages.find((s) => s.kind === 'won')!.id;

  /** Captures a lead the way the leads service will: choose the owner and insert, in one transaction. */
  const capture = (lead: RoutableLead = { source: 'manual' }) =>
    t.c.db.transaction(async (tx) => {
      const ownerId = await t.c.routing.chooseOwner(tx, owner.workspaceId, lead);
      await insertLead(tx, ownerId);
      return ownerId;
    });
  const insertLead = (tx: DbOrTx, ownerId: string | null) =>
    tx.insert(leads).values({
      workspaceId: owner.workspaceId,
      id: newId(),
      contactId: newId(),
      source: 'manual',
      pipelineId: pipeline.id,
      stageId: openStage(),
      ownerId,
    });
  const createRule = async (body: Record<string, unknown>) => {
    const res = await owner.client.post(rulesUrl(), body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Rule;
  };
  const setMember = (userId: string, body: Record<string, unknown>, client = owner.client) =>
    client.patch(`${ws()}/routing/members/${userId}`, body);
  const clearRules = async () => {
    for (const r of (await owner.client.get(rulesUrl())).json().items as Rule[]) {
      expect((await owner.client.delete(`${rulesUrl()}/${r.id}`)).statusCode).toBe(204);
    }
    await t.c.db.execute(sql`delete from leads where workspace_id = ${owner.workspaceId}`);
    for (const m of [a1, a2, a3]) await setMember(m.userId, { available: true, capacity: null });
  };
  /** How many picks each agent got, by short name ("null" for none). */
  const tally = (ids: (string | null)[]) => {
    const names = new Map([
      [a1.userId, 'a1'],
      [a2.userId, 'a2'],
      [a3.userId, 'a3'],
    ]);
    const out: Record<string, number> = {};
    for (const id of ids) {
      const name = (id && names.get(id)) ?? String(id);
      out[name] = (out[name] ?? 0) + 1;
    }
    return out;
  };

  describe('chooseOwner', () => {
    it('returns null when there is no rule or none matches', async () => {
      expect(await capture()).toBeNull();
      await createRule({
        name: 'Only Meta',
        conditions: [{ field: 'source', op: 'eq', value: 'meta_lead_ads' }],
        assign: { type: 'user', userId: a1.userId },
      });
      expect(await capture({ source: 'manual' })).toBeNull();
      expect(await capture({ source: 'META_LEAD_ADS' })).toBe(a1.userId);
      await clearRules();
    });

    it('rotates fairly among eligible agents, skipping the unavailable and those at capacity', async () => {
      const rule = await createRule({
        name: 'Everyone',
        assign: { type: 'round_robin', userIds: [a1.userId, a2.userId, a3.userId] },
      });
      const fair: (string | null)[] = [];
      for (let i = 0; i < 9; i++) fair.push(await capture());
      expect(fair).toEqual([a1, a2, a3, a1, a2, a3, a1, a2, a3].map((m) => m.userId));

      await t.c.db.execute(sql`delete from leads where workspace_id = ${owner.workspaceId}`);
      expect((await setMember(a2.userId, { available: false })).statusCode).toBe(200);
      // a3 may hold 2 open leads and already has 1; a won lead does not count.
      expect((await setMember(a3.userId, { capacity: 2 })).statusCode).toBe(200);
      await seedLeads(t, owner.workspaceId, [
        { pipelineId: pipeline.id, stageId: openStage(), ownerId: a3.userId },
        { pipelineId: pipeline.id, stageId: wonStage(), ownerId: a3.userId },
      ]);
      const picks: (string | null)[] = [];
      for (let i = 0; i < 6; i++) picks.push(await capture());
      // The rotation continues after a3 (last pick above): a1, then a3 gets its one free slot, then only a1.
      expect(picks).toEqual([a1, a3, a1, a1, a1, a1].map((m) => m.userId));
      const [state] = rowsOf<{ last_user_id: string }>(
        await t.c.db.execute(sql`select last_user_id from routing_rules where id = ${rule.id}`),
      );
      expect(state!.last_user_id).toBe(a1.userId);

      // Nobody eligible: null.
      await setMember(a1.userId, { available: false });
      expect((await setMember(a3.userId, { capacity: 0 })).statusCode).toBe(200);
      expect(await capture()).toBeNull();
      await clearRules();
    });

    it('concurrent captures take turns on the rule\u2019s row lock', async () => {
      await createRule({
        name: 'Concurrent',
        assign: { type: 'round_robin', userIds: [a1.userId, a2.userId, a3.userId] },
      });
      const picks = await Promise.all(Array.from({ length: 12 }, () => capture()));
      expect(tally(picks)).toEqual({ a1: 4, a2: 4, a3: 4 });
      await clearRules();
    });

    it('concurrent captures respect capacity', async () => {
      await setMember(a1.userId, { capacity: 2 });
      await setMember(a2.userId, { capacity: 1 });
      await setMember(a3.userId, { available: false });
      await createRule({ name: 'Capped', assign: { type: 'round_robin', userIds: [a1.userId, a2.userId, a3.userId] } });
      const picks = await Promise.all(Array.from({ length: 6 }, () => capture()));
      expect(tally(picks)).toEqual({ a1: 2, a2: 1, null: 3 });
      await clearRules();
    });

    it('first matching rule wins; disabled rules and rules naming a former member are passed over', async () => {
      const leaving = await addMember(t, owner, 'agent', 'Leaving Agent');
      await createRule({
        name: 'Disabled',
        enabled: false,
        assign: { type: 'user', userId: a3.userId },
      });
      await createRule({
        name: 'KL promo',
        conditions: [
          { field: 'form_name', op: 'contains', value: 'kl' },
          { field: 'country', op: 'in', value: ['MY', 'SG'] },
        ],
        assign: { type: 'user', userId: leaving.userId },
      });
      await createRule({
        name: 'Instagram',
        conditions: [{ field: 'platform', op: 'eq', value: 'instagram' }],
        assign: { type: 'user', userId: a2.userId },
      });
      await createRule({ name: 'Catch all', assign: { type: 'user', userId: a1.userId } });
      const kl: RoutableLead = { source: 'meta_lead_ads', formName: 'Promo KL', country: 'my', platform: 'Instagram' };
      expect(await capture(kl)).toBe(leaving.userId);
      expect(await capture({ ...kl, country: 'ID' })).toBe(a2.userId);
      expect(await capture({ source: 'manual' })).toBe(a1.userId);
      // Once removed, the rule naming them passes the lead on to the next match.
      expect((await owner.client.delete(`${ws()}/members/${leaving.userId}`)).statusCode).toBe(204);
      expect(await capture(kl)).toBe(a2.userId);
      await clearRules();
    });

    it('matches custom lead fields', async () => {
      const field = await owner.client.post(`${ws()}/fields`, {
        entity: 'lead',
        label: 'Branch',
        type: 'single_select',
        options: [
          { value: 'kl', label: 'KL' },
          { value: 'pg', label: 'Penang' },
        ],
      });
      expect(field.statusCode).toBe(201);
      await createRule({
        name: 'Penang branch',
        conditions: [{ field: 'custom.branch', op: 'eq', value: 'PG' }],
        assign: { type: 'user', userId: a3.userId },
      });
      expect(await capture({ source: 'api', custom: { branch: 'pg' } })).toBe(a3.userId);
      expect(await capture({ source: 'api', custom: { branch: 'kl' } })).toBeNull();
      await clearRules();
    });
  });

  describe('rules API', () => {
    it('creates, lists in order, changes, reorders and deletes rules, with audit rows', async () => {
      const r1 = await createRule({ name: 'First', assign: { type: 'user', userId: a1.userId } });
      const r2 = await createRule({
        name: 'Second',
        conditions: [{ field: 'source', op: 'in', value: ['api', 'web_form'] }],
        assign: { type: 'round_robin', userIds: [a1.userId, a2.userId, a1.userId] },
      });
      expect(r1.position).toBe(0);
      expect(r2).toMatchObject({
        position: 1,
        enabled: true,
        conditions: [{ field: 'source', op: 'in', value: ['api', 'web_form'] }],
        assign: { type: 'round_robin', userIds: [a1.userId, a2.userId] },
      });
      const patched = await owner.client.patch(`${rulesUrl()}/${r1.id}`, {
        name: 'Renamed',
        enabled: false,
        conditions: [{ field: 'platform', op: 'neq', value: 'facebook' }],
        assign: { type: 'round_robin', userIds: [a2.userId] },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({
        name: 'Renamed',
        enabled: false,
        conditions: [{ field: 'platform', op: 'neq', value: 'facebook' }],
        assign: { type: 'round_robin', userIds: [a2.userId] },
      });
      const badPatch = await owner.client.patch(`${rulesUrl()}/${r1.id}`, {
        conditions: [{ field: 'custom.x', op: 'eq', value: 1 }],
      });
      expect(badPatch.statusCode).toBe(400);
      expect(badPatch.json().error.message).toBe('There is no lead field "x".');
      const emptyPatch = await owner.client.patch(`${rulesUrl()}/${r1.id}`, {});
      expect(emptyPatch.statusCode).toBe(400);
      expect(emptyPatch.json().error.message).toBe('Nothing to change');

      const reordered = await owner.client.request('PUT', `${rulesUrl()}/order`, { ruleIds: [r2.id, r1.id] });
      expect(reordered.statusCode, reordered.body).toBe(200);
      expect(reordered.json().items.map((r: Rule) => [r.id, r.position])).toEqual([
        [r2.id, 0],
        [r1.id, 1],
      ]);
      const partial = await owner.client.request('PUT', `${rulesUrl()}/order`, { ruleIds: [r2.id] });
      expect(partial.statusCode).toBe(400);
      expect(partial.json().error.message).toBe('List every routing rule exactly once, in the new order.');

      const listed = await a1.client.get(rulesUrl());
      expect(listed.statusCode).toBe(200);
      expect(listed.json().items.map((r: Rule) => r.name)).toEqual(['Second', 'Renamed']);

      expect((await owner.client.delete(`${rulesUrl()}/${r1.id}`)).statusCode).toBe(204);
      expect((await owner.client.delete(`${rulesUrl()}/${r1.id}`)).statusCode).toBe(404);
      const audit = rowsOf<{ action: string }>(
        await t.c.db.execute(sql`select action from audit_log where target_id = ${r1.id} order by seq`),
      );
      expect(audit.map((r) => r.action)).toEqual([
        'routing_rule.created',
        'routing_rule.updated',
        'routing_rule.deleted',
      ]);
      await clearRules();
    });

    it('explains invalid conditions and assignees', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [
          { conditions: [{ field: 'owner_id', op: 'eq', value: 'x' }] },
          'Rules cannot look at "owner_id". Use source, form_id, form_name, campaign_name, platform, country or custom.<key>.',
        ],
        [{ conditions: [{ field: 'custom.nope', op: 'eq', value: 'x' }] }, 'There is no lead field "nope".'],
        [{ conditions: [{ field: 'source', op: 'in', value: 'api' }] }, '"in" needs a list of 1 to 500 values.'],
        [{ conditions: [{ field: 'source', op: 'in', value: [] }] }, '"in" needs a list of 1 to 500 values.'],
        [{ conditions: [{ field: 'source', op: 'eq' }] }, '"eq" needs a value.'],
        [{ conditions: [{ field: 'source', op: 'contains', value: { a: 1 } }] }, '"contains" needs a value.'],
        [
          { assign: { type: 'user', userId: '01900000-0000-7000-8000-000000000000' } },
          'Leads can only be assigned to members of this workspace.',
        ],
        [
          { assign: { type: 'round_robin', userIds: [a1.userId, viewer.userId] } },
          'Viewer Vee is a viewer and cannot own leads.',
        ],
      ];
      for (const [override, message] of cases) {
        const res = await owner.client.post(rulesUrl(), {
          name: 'Bad',
          assign: { type: 'user', userId: a1.userId },
          ...override,
        });
        expect(res.statusCode, JSON.stringify(override)).toBe(400);
        expect(res.json().error).toMatchObject({ code: 'validation_failed', message });
      }
      const badOp = await owner.client.post(rulesUrl(), {
        name: 'Bad',
        conditions: [{ field: 'source', op: 'gt', value: 'a' }],
        assign: { type: 'user', userId: a1.userId },
      });
      expect(badOp.statusCode).toBe(400);
      const emptyRotation = await owner.client.post(rulesUrl(), {
        name: 'Bad',
        assign: { type: 'round_robin', userIds: [] },
      });
      expect(emptyRotation.statusCode).toBe(400);
      expect(emptyRotation.body).toContain('Choose at least one member');
      const other = await t.signup({ companyName: 'Elsewhere' });
      const foreign = await owner.client.post(rulesUrl(), {
        name: 'Bad',
        assign: { type: 'user', userId: other.userId },
      });
      expect(foreign.json().error.message).toBe('Leads can only be assigned to members of this workspace.');
      expect((await owner.client.get(rulesUrl())).json().items).toEqual([]);
    });

    it('agents and viewers cannot change rules (403)', async () => {
      const rule = await createRule({ name: 'Guarded', assign: { type: 'user', userId: a1.userId } });
      for (const m of [a1, viewer]) {
        const attempts = [
          await m.client.post(rulesUrl(), { name: 'Mine', assign: { type: 'user', userId: a1.userId } }),
          await m.client.patch(`${rulesUrl()}/${rule.id}`, { name: 'Mine' }),
          await m.client.request('PUT', `${rulesUrl()}/order`, { ruleIds: [rule.id] }),
          await m.client.delete(`${rulesUrl()}/${rule.id}`),
        ];
        for (const res of attempts) {
          expect(res.statusCode, res.body).toBe(403);
          expect(res.json().error).toMatchObject({
            code: 'forbidden',
            message: `Your role (${m.role}) does not allow this action.`,
          });
        }
      }
      await clearRules();
    });
  });

  describe('members API', () => {
    it('lists members with availability, capacity and open leads', async () => {
      await seedLeads(t, owner.workspaceId, [
        { pipelineId: pipeline.id, stageId: openStage(), ownerId: a2.userId },
        { pipelineId: pipeline.id, stageId: openStage(), ownerId: a2.userId },
        { pipelineId: pipeline.id, stageId: wonStage(), ownerId: a2.userId },
      ]);
      await setMember(a2.userId, { capacity: 5, available: false });
      const res = await viewer.client.get(`${ws()}/routing/members`);
      expect(res.statusCode).toBe(200);
      const items = res.json().items as {
        userId: string;
        name: string;
        role: string;
        available: boolean;
        capacity: number | null;
        openLeads: number;
      }[];
      expect(items.find((m) => m.userId === a2.userId)).toEqual({
        userId: a2.userId,
        name: 'Agent Two',
        role: 'agent',
        available: false,
        capacity: 5,
        openLeads: 2,
      });
      expect(items.find((m) => m.userId === owner.userId)).toMatchObject({
        role: 'owner',
        available: true,
        capacity: null,
        openLeads: 0,
      });
      await clearRules();
    });

    it('a member sets their own availability, not their capacity nor anyone else\u2019s', async () => {
      const away = await setMember(a1.userId, { available: false }, a1.client);
      expect(away.statusCode, away.body).toBe(200);
      expect(away.json()).toMatchObject({ userId: a1.userId, available: false });
      const capacity = await setMember(a1.userId, { capacity: 99 }, a1.client);
      expect(capacity.statusCode).toBe(403);
      expect(capacity.json().error.message).toBe(
        'You can change your own availability; your capacity is set by an admin.',
      );
      const others = await setMember(a2.userId, { available: false }, a1.client);
      expect(others.statusCode).toBe(403);
      expect(others.json().error.message).toBe('Your role (agent) does not allow this action.');
      const viewerSelf = await setMember(viewer.userId, { available: false }, viewer.client);
      expect(viewerSelf.statusCode).toBe(200);
      const viewerOther = await setMember(a1.userId, { available: true }, viewer.client);
      expect(viewerOther.statusCode).toBe(403);

      const admin = await setMember(a1.userId, { available: true, capacity: 10 });
      expect(admin.json()).toMatchObject({ available: true, capacity: 10 });
      const bad = await setMember(a1.userId, { capacity: -1 });
      expect(bad.statusCode).toBe(400);
      const nothing = await setMember(a1.userId, {});
      expect(nothing.statusCode).toBe(400);
      expect(nothing.body).toContain('Nothing to change');
      const unknown = await setMember('01900000-0000-7000-8000-000000000000', { available: true });
      expect(unknown.statusCode).toBe(404);
      const audit = rowsOf<{ metadata: Record<string, unknown> }>(
        await t.c.db.execute(
          sql`select metadata from audit_log where action = 'member.routing_changed' and target_id = ${a1.userId} order by seq`,
        ),
      );
      expect(audit.at(-1)!.metadata).toEqual({
        available: { from: false, to: true },
        capacity: { from: null, to: 10 },
      });
    });
  });
});
