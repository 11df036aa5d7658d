import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { leads } from '../../src/db/schema';
import { newId } from '../../src/lib/ids';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { addMember, type Member } from '../support/members';
import { seedLeads } from '../support/seed-leads';

type Stage = { id: string; pipelineId: string; name: string; position: number; kind: string; color: string };
type Pipeline = { id: string; name: string; position: number; isDefault: boolean; stages: Stage[] };

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('pipelines and stages', () => {
  let t: TestApp;
  let owner: SignedIn;
  let other: SignedIn;
  let agent: Member;
  let viewer: Member;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ companyName: 'Pipes Co' });
    other = await t.signup({ companyName: 'Other Co' });
    agent = await addMember(t, owner, 'agent', 'Agnes Agent');
    viewer = await addMember(t, owner, 'viewer', 'Victor Viewer');
  });
  afterAll(() => t?.close());

  const ws = (id = owner.workspaceId) => `/api/v1/workspaces/${id}`;
  const pipelines = async (client = owner.client, id = owner.workspaceId) => {
    const res = await client.get(`${ws(id)}/pipelines`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items as Pipeline[];
  };
  const sales = async () => (await pipelines()).find((p) => p.isDefault)!;
  const auditActions = async (targetId: string) =>
    rowsOf<{ action: string; metadata: Record<string, unknown> }>(
      await t.c.db.execute(sql`select action, metadata from audit_log where target_id = ${targetId} order by seq`),
    );

  describe('defaults of a new workspace', () => {
    it('has one default pipeline "Sales" with New, Contacted, Qualified (open), Won and Lost, with colours', async () => {
      const list = await pipelines();
      expect(list).toHaveLength(1);
      const [p] = list;
      expect(p).toMatchObject({ name: 'Sales', isDefault: true, position: 0 });
      expect(p!.stages.map((s) => [s.name, s.kind, s.position])).toEqual([
        ['New', 'open', 0],
        ['Contacted', 'open', 1],
        ['Qualified', 'open', 2],
        ['Won', 'won', 3],
        ['Lost', 'lost', 4],
      ]);
      for (const s of p!.stages) expect(s.color).toMatch(/^#[0-9a-f]{6}$/);
      expect(new Set(p!.stages.map((s) => s.color)).size).toBe(5);
    });

    it('a workspace created later gets the same defaults', async () => {
      const created = await owner.client.post('/api/v1/workspaces', { name: 'Second' });
      expect(created.statusCode).toBe(201);
      const list = await pipelines(owner.client, created.json().id);
      expect(list.map((p) => [p.name, p.isDefault, p.stages.length])).toEqual([['Sales', true, 5]]);
    });

    it('every role that reads leads sees the pipelines', async () => {
      expect((await pipelines(agent.client)).length).toBe(1);
      expect((await pipelines(viewer.client)).length).toBe(1);
    });
  });

  describe('placement of new leads (service)', () => {
    it('resolves the given stage, the pipeline\u2019s first open stage, or the default pipeline\u2019s', async () => {
      const p = await sales();
      const [newStage, contacted] = p.stages;
      const place = (input: { pipelineId?: string | null; stageId?: string | null }, wsId = owner.workspaceId) =>
        t.c.db.transaction((tx) => t.c.pipelines.resolvePlacement(tx, wsId, input));

      expect(await place({})).toEqual({ pipelineId: p.id, stageId: newStage!.id });
      expect(await place({ pipelineId: null, stageId: null })).toEqual({ pipelineId: p.id, stageId: newStage!.id });
      expect(await place({ stageId: contacted!.id })).toEqual({ pipelineId: p.id, stageId: contacted!.id });
      expect(await place({ pipelineId: p.id, stageId: contacted!.id })).toEqual({
        pipelineId: p.id,
        stageId: contacted!.id,
      });
      expect(await place({ pipelineId: p.id })).toEqual({ pipelineId: p.id, stageId: newStage!.id });
    });

    it('refuses a stage or pipeline of another workspace, and a stage outside the given pipeline', async () => {
      const p = await sales();
      const theirs = (await pipelines(other.client, other.workspaceId))[0]!;
      const place = (input: { pipelineId?: string; stageId?: string }) =>
        t.c.db.transaction((tx) => t.c.pipelines.resolvePlacement(tx, owner.workspaceId, input));
      await expect(place({ stageId: theirs.stages[0]!.id })).rejects.toMatchObject({
        code: 'validation_failed',
        message: 'This stage does not exist in this workspace.',
        details: [{ path: 'stageId' }],
      });
      await expect(place({ pipelineId: theirs.id })).rejects.toMatchObject({
        code: 'validation_failed',
        message: 'This pipeline does not exist in this workspace.',
        details: [{ path: 'pipelineId' }],
      });
      await expect(place({ pipelineId: theirs.id, stageId: p.stages[0]!.id })).rejects.toMatchObject({
        code: 'validation_failed',
        message: 'This stage is not in the chosen pipeline.',
      });
    });

    it('getStage answers only for the workspace\u2019s own stages', async () => {
      const p = await sales();
      const theirs = (await pipelines(other.client, other.workspaceId))[0]!;
      expect(await t.c.pipelines.getStage(owner.workspaceId, p.stages[3]!.id)).toEqual({
        id: p.stages[3]!.id,
        pipelineId: p.id,
        name: 'Won',
        kind: 'won',
      });
      expect(await t.c.pipelines.getStage(owner.workspaceId, theirs.stages[0]!.id)).toBeUndefined();
      expect(
        await t.c.db.transaction((tx) => t.c.pipelines.getStage(owner.workspaceId, p.stages[0]!.id, tx)),
      ).toMatchObject({
        name: 'New',
      });
    });
  });

  describe('pipelines', () => {
    it('creates a pipeline with the default stages, or with given ones; it is not the default', async () => {
      const plain = await owner.client.post(`${ws()}/pipelines`, { name: '  Renewals ' });
      expect(plain.statusCode, plain.body).toBe(201);
      expect(plain.json()).toMatchObject({ name: 'Renewals', isDefault: false, position: 1 });
      expect(plain.json().stages.map((s: Stage) => s.name)).toEqual(['New', 'Contacted', 'Qualified', 'Won', 'Lost']);

      const custom = await owner.client.post(`${ws()}/pipelines`, {
        name: 'Hiring',
        stages: [{ name: 'Applied' }, { name: 'Interview', color: 'grape' }, { name: 'Hired', kind: 'won' }],
      });
      expect(custom.statusCode, custom.body).toBe(201);
      expect(custom.json().stages.map((s: Stage) => [s.name, s.kind, s.position, s.color])).toEqual([
        ['Applied', 'open', 0, '#228be6'],
        ['Interview', 'open', 1, 'grape'],
        ['Hired', 'won', 2, '#12b886'],
      ]);
      expect((await auditActions(custom.json().id)).map((r) => r.action)).toEqual(['pipeline.created']);
    });

    it('refuses a pipeline without an open stage, a bad colour and an empty name', async () => {
      const closed = await owner.client.post(`${ws()}/pipelines`, {
        name: 'Closed',
        stages: [{ name: 'Won', kind: 'won' }],
      });
      expect(closed.statusCode).toBe(400);
      expect(closed.json().error).toMatchObject({
        code: 'validation_failed',
        message: 'A pipeline needs at least one open stage, where new leads arrive.',
      });
      const colour = await owner.client.post(`${ws()}/pipelines`, {
        name: 'X',
        stages: [{ name: 'A', color: 'red;' }],
      });
      expect(colour.statusCode).toBe(400);
      expect(colour.body).toContain('Use a colour like #228be6 or a name like blue');
      const empty = await owner.client.post(`${ws()}/pipelines`, { name: '   ' });
      expect(empty.statusCode).toBe(400);
    });

    it('keeps exactly one default pipeline', async () => {
      const old = await sales();
      const created = (await owner.client.post(`${ws()}/pipelines`, { name: 'Next default' })).json() as Pipeline;
      const made = await owner.client.patch(`${ws()}/pipelines/${created.id}`, { isDefault: true });
      expect(made.statusCode, made.body).toBe(200);
      expect(made.json().isDefault).toBe(true);
      const list = await pipelines();
      expect(list.filter((p) => p.isDefault).map((p) => p.id)).toEqual([created.id]);

      const unset = await owner.client.patch(`${ws()}/pipelines/${created.id}`, { isDefault: false });
      expect(unset.statusCode).toBe(409);
      expect(unset.json().error.message).toBe(
        'A workspace needs a default pipeline. Make another pipeline the default instead.',
      );
      const del = await owner.client.delete(`${ws()}/pipelines/${created.id}`);
      expect(del.statusCode).toBe(409);
      expect(del.json().error.message).toBe(
        'The default pipeline cannot be deleted. Make another pipeline the default first.',
      );
      // New leads now land in the new default.
      const placed = await t.c.db.transaction((tx) => t.c.pipelines.resolvePlacement(tx, owner.workspaceId, {}));
      expect(placed).toEqual({ pipelineId: created.id, stageId: created.stages[0]!.id });
      // Restore.
      expect(
        (await owner.client.patch(`${ws()}/pipelines/${old.id}`, { isDefault: true, name: 'Sales' })).statusCode,
      ).toBe(200);
      expect((await pipelines()).filter((p) => p.isDefault).map((p) => p.id)).toEqual([old.id]);
    });

    it('refuses to delete a pipeline that has leads, and deletes an empty one with its stages', async () => {
      const p = (await owner.client.post(`${ws()}/pipelines`, { name: 'Short lived' })).json() as Pipeline;
      const [leadId] = await seedLeads(t, owner.workspaceId, [{ pipelineId: p.id, stageId: p.stages[0]!.id }]);
      const refused = await owner.client.delete(`${ws()}/pipelines/${p.id}`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.message).toBe(
        'This pipeline still has 1 lead. Move or delete them before deleting the pipeline.',
      );
      await t.c.db.execute(sql`delete from leads where id = ${leadId!}`);
      expect((await owner.client.delete(`${ws()}/pipelines/${p.id}`)).statusCode).toBe(204);
      expect((await pipelines()).some((x) => x.id === p.id)).toBe(false);
      const leftover = rowsOf(await t.c.db.execute(sql`select id from stages where pipeline_id = ${p.id}`));
      expect(leftover).toEqual([]);
      expect((await auditActions(p.id)).map((r) => r.action)).toEqual(['pipeline.created', 'pipeline.deleted']);
    });

    it('answers 404 for an unknown pipeline', async () => {
      const id = '01900000-0000-7000-8000-000000000000';
      expect((await owner.client.patch(`${ws()}/pipelines/${id}`, { name: 'x' })).statusCode).toBe(404);
      expect((await owner.client.delete(`${ws()}/pipelines/${id}`)).statusCode).toBe(404);
      expect((await owner.client.get(`${ws()}/pipelines/${id}/summary`)).statusCode).toBe(404);
    });
  });

  describe('stages', () => {
    it('adds an open stage before won/lost and a closed stage at the end', async () => {
      const p = (await owner.client.post(`${ws()}/pipelines`, { name: 'Stages' })).json() as Pipeline;
      const open = await owner.client.post(`${ws()}/pipelines/${p.id}/stages`, { name: 'Proposal' });
      expect(open.statusCode, open.body).toBe(201);
      expect(open.json()).toMatchObject({
        name: 'Proposal',
        kind: 'open',
        position: 3,
        pipelineId: p.id,
        color: '#228be6',
      });
      const lost = await owner.client.post(`${ws()}/pipelines/${p.id}/stages`, {
        name: 'No answer',
        kind: 'lost',
        color: '#000000',
      });
      expect(lost.statusCode).toBe(201);
      const after = (await pipelines()).find((x) => x.id === p.id)!;
      expect(after.stages.map((s) => [s.name, s.position])).toEqual([
        ['New', 0],
        ['Contacted', 1],
        ['Qualified', 2],
        ['Proposal', 3],
        ['Won', 4],
        ['Lost', 5],
        ['No answer', 6],
      ]);
    });

    it('renames, recolours and re-kinds a stage, but keeps one open stage', async () => {
      const p = (
        await owner.client.post(`${ws()}/pipelines`, {
          name: 'One open',
          stages: [{ name: 'Only' }, { name: 'Done', kind: 'won' }],
        })
      ).json() as Pipeline;
      const [only, done] = p.stages;
      const renamed = await owner.client.patch(`${ws()}/stages/${done!.id}`, {
        name: 'Closed',
        kind: 'lost',
        color: 'orange',
      });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json()).toMatchObject({ id: done!.id, name: 'Closed', kind: 'lost', color: 'orange' });
      const refused = await owner.client.patch(`${ws()}/stages/${only!.id}`, { kind: 'won' });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.message).toBe('A pipeline needs at least one open stage, where new leads arrive.');
      const nothing = await owner.client.patch(`${ws()}/stages/${only!.id}`, {});
      expect(nothing.statusCode).toBe(400);
      expect(nothing.body).toContain('Nothing to change');
      const deleteLastOpen = await owner.client.delete(`${ws()}/stages/${only!.id}`);
      expect(deleteLastOpen.statusCode).toBe(409);
      expect(deleteLastOpen.json().error.message).toBe(
        'A pipeline needs at least one open stage, where new leads arrive.',
      );
      expect((await auditActions(done!.id)).map((r) => r.action)).toEqual(['stage.updated']);
    });

    it('reorders stages, refusing a list that is not exactly the pipeline\u2019s stages', async () => {
      const p = (await owner.client.post(`${ws()}/pipelines`, { name: 'Order' })).json() as Pipeline;
      const ids = p.stages.map((s) => s.id);
      const reversed = [...ids].reverse();
      const res = await owner.client.request('PUT', `${ws()}/pipelines/${p.id}/stage-order`, { stageIds: reversed });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().stages.map((s: Stage) => s.id)).toEqual(reversed);
      expect(res.json().stages.map((s: Stage) => s.position)).toEqual([0, 1, 2, 3, 4]);
      const message = 'List every stage of this pipeline exactly once, in the new order.';
      for (const stageIds of [ids.slice(1), [...ids, ids[0]], [...ids.slice(1), (await sales()).stages[0]!.id]]) {
        const bad = await owner.client.request('PUT', `${ws()}/pipelines/${p.id}/stage-order`, { stageIds });
        expect(bad.statusCode).toBe(400);
        expect(bad.json().error).toMatchObject({ code: 'validation_failed', message });
      }
    });

    it('deletes a stage with leads only with moveTo, moving them with one audit row', async () => {
      const p = (await owner.client.post(`${ws()}/pipelines`, { name: 'Moves' })).json() as Pipeline;
      const [fresh, contacted] = p.stages;
      const leadIds = await seedLeads(t, owner.workspaceId, [
        { pipelineId: p.id, stageId: fresh!.id },
        { pipelineId: p.id, stageId: fresh!.id },
      ]);
      const refused = await owner.client.delete(`${ws()}/stages/${fresh!.id}`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.message).toBe(
        'This stage still has 2 leads. Choose a stage to move them to (moveTo).',
      );

      const self = await owner.client.delete(`${ws()}/stages/${fresh!.id}?moveTo=${fresh!.id}`);
      expect(self.statusCode).toBe(400);
      expect(self.json().error.message).toBe('Choose another stage to move its leads to.');
      const theirs = (await pipelines(other.client, other.workspaceId))[0]!.stages[0]!.id;
      const foreign = await owner.client.delete(`${ws()}/stages/${fresh!.id}?moveTo=${theirs}`);
      expect(foreign.statusCode).toBe(400);
      expect(foreign.json().error.message).toBe('The stage to move leads to does not exist in this workspace.');
      const notUuid = await owner.client.delete(`${ws()}/stages/${fresh!.id}?moveTo=nope`);
      expect(notUuid.statusCode).toBe(400);
      expect(notUuid.body).toContain('moveTo must be a stage id');

      const moved = await owner.client.delete(`${ws()}/stages/${fresh!.id}?moveTo=${contacted!.id}`);
      expect(moved.statusCode, moved.body).toBe(204);
      const rows = rowsOf<{ stage_id: string }>(
        await t.c.db.execute(
          sql`select stage_id from leads where id in (${sql.join(
            leadIds.map((id) => sql`${id}`),
            sql`, `,
          )})`,
        ),
      );
      expect(rows.map((r) => r.stage_id)).toEqual([contacted!.id, contacted!.id]);
      const audit = await auditActions(fresh!.id);
      expect(audit).toEqual([
        { action: 'stage.deleted', metadata: { pipelineId: p.id, name: 'New', movedTo: contacted!.id, movedLeads: 2 } },
      ]);
      const after = (await pipelines()).find((x) => x.id === p.id)!;
      expect(after.stages.map((s) => [s.name, s.position])).toEqual([
        ['Contacted', 0],
        ['Qualified', 1],
        ['Won', 2],
        ['Lost', 3],
      ]);
      // An empty stage goes without moveTo.
      expect((await owner.client.delete(`${ws()}/stages/${after.stages[1]!.id}`)).statusCode).toBe(204);
    });

    it('a stage being deleted waits for a lead being placed in it, and then sees it', async () => {
      const p = (await owner.client.post(`${ws()}/pipelines`, { name: 'Race' })).json() as Pipeline;
      const target = p.stages[1]!;
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let placed!: () => void;
      const isPlaced = new Promise<void>((r) => {
        placed = r;
      });
      const placing = t.c.db.transaction(async (tx) => {
        const at = await t.c.pipelines.resolvePlacement(tx, owner.workspaceId, { stageId: target.id });
        await tx.insert(leads).values({
          workspaceId: owner.workspaceId,
          id: newId(),
          contactId: newId(),
          source: 'manual',
          pipelineId: at.pipelineId,
          stageId: at.stageId,
        });
        placed();
        await gate;
      });
      await isPlaced;
      const deleting = owner.client.delete(`${ws()}/stages/${target.id}`);
      await new Promise((r) => setTimeout(r, 200));
      release();
      await placing;
      const res = await deleting;
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().error.message).toBe('This stage still has 1 lead. Choose a stage to move them to (moveTo).');
    });

    it('moves leads to a stage of another pipeline, changing their pipeline too', async () => {
      const from = (await owner.client.post(`${ws()}/pipelines`, { name: 'From' })).json() as Pipeline;
      const to = (await owner.client.post(`${ws()}/pipelines`, { name: 'To' })).json() as Pipeline;
      const [leadId] = await seedLeads(t, owner.workspaceId, [{ pipelineId: from.id, stageId: from.stages[1]!.id }]);
      const res = await owner.client.delete(`${ws()}/stages/${from.stages[1]!.id}?moveTo=${to.stages[2]!.id}`);
      expect(res.statusCode).toBe(204);
      const [row] = rowsOf<{ pipeline_id: string; stage_id: string }>(
        await t.c.db.execute(sql`select pipeline_id, stage_id from leads where id = ${leadId!}`),
      );
      expect(row).toEqual({ pipeline_id: to.id, stage_id: to.stages[2]!.id });
    });
  });

  describe('board summary', () => {
    it('counts leads and sums value per stage, honouring a LeadQuery and the agent restriction', async () => {
      const p = (await owner.client.post(`${ws()}/pipelines`, { name: 'Board' })).json() as Pipeline;
      const [s1, s2, s3] = p.stages;
      await seedLeads(t, owner.workspaceId, [
        { pipelineId: p.id, stageId: s1!.id, value: 100, ownerId: agent.userId, name: 'Alice' },
        { pipelineId: p.id, stageId: s1!.id, value: 50.5, name: 'Bob' },
        { pipelineId: p.id, stageId: s1!.id, value: null, name: 'Carol' },
        { pipelineId: p.id, stageId: s2!.id, value: 1000, ownerId: agent.userId, name: 'Dan' },
      ]);
      // A lead of another pipeline does not count.
      const main = await sales();
      await seedLeads(t, owner.workspaceId, [{ pipelineId: main.id, stageId: main.stages[0]!.id, value: 7 }]);

      const all = await owner.client.get(`${ws()}/pipelines/${p.id}/summary`);
      expect(all.statusCode, all.body).toBe(200);
      expect(all.json().stages).toEqual([
        { stageId: s1!.id, count: 3, value: 150.5 },
        { stageId: s2!.id, count: 1, value: 1000 },
        { stageId: s3!.id, count: 0, value: null },
        { stageId: p.stages[3]!.id, count: 0, value: null },
        { stageId: p.stages[4]!.id, count: 0, value: null },
      ]);

      const query = b64({ filters: [{ field: 'value', op: 'gte', value: 60 }] });
      const filtered = await owner.client.get(`${ws()}/pipelines/${p.id}/summary?query=${query}`);
      expect(filtered.statusCode, filtered.body).toBe(200);
      expect(filtered.json().stages.slice(0, 2)).toEqual([
        { stageId: s1!.id, count: 1, value: 100 },
        { stageId: s2!.id, count: 1, value: 1000 },
      ]);
      const searched = await owner.client.get(`${ws()}/pipelines/${p.id}/summary?query=${b64({ q: 'bob' })}`);
      expect(searched.json().stages[0]).toEqual({ stageId: s1!.id, count: 1, value: 50.5 });

      const mine = await agent.client.get(`${ws()}/pipelines/${p.id}/summary`);
      expect(mine.statusCode).toBe(200);
      expect(mine.json().stages.slice(0, 2)).toEqual([
        { stageId: s1!.id, count: 1, value: 100 },
        { stageId: s2!.id, count: 1, value: 1000 },
      ]);
      const viewed = await viewer.client.get(`${ws()}/pipelines/${p.id}/summary`);
      expect(viewed.json().stages[0].count).toBe(3);
    });

    it('refuses a query that is not base64url JSON, or names an unknown field', async () => {
      const p = await sales();
      const garbage = await owner.client.get(`${ws()}/pipelines/${p.id}/summary?query=not-json`);
      expect(garbage.statusCode).toBe(400);
      expect(garbage.json().error.message).toBe('The query parameter is not base64url-encoded JSON.');
      const unknown = await owner.client.get(
        `${ws()}/pipelines/${p.id}/summary?query=${b64({ filters: [{ field: 'custom.nope', op: 'eq', value: 1 }] })}`,
      );
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.message).toBe('There is no custom field "nope".');
      const badOp = await owner.client.get(
        `${ws()}/pipelines/${p.id}/summary?query=${b64({ filters: [{ field: 'name', op: 'like', value: 1 }] })}`,
      );
      expect(badOp.statusCode).toBe(400);
      expect(badOp.json().error.message).toMatch(/^The query is not valid: filters\.0\.op: /);
    });
  });

  describe('permissions', () => {
    it('agents and viewers cannot change pipelines or stages (403)', async () => {
      const p = await sales();
      const stage = p.stages[1]!;
      for (const m of [agent, viewer]) {
        const attempts = [
          await m.client.post(`${ws()}/pipelines`, { name: 'Nope' }),
          await m.client.patch(`${ws()}/pipelines/${p.id}`, { name: 'Nope' }),
          await m.client.delete(`${ws()}/pipelines/${p.id}`),
          await m.client.post(`${ws()}/pipelines/${p.id}/stages`, { name: 'Nope' }),
          await m.client.patch(`${ws()}/stages/${stage.id}`, { name: 'Nope' }),
          await m.client.request('PUT', `${ws()}/pipelines/${p.id}/stage-order`, {
            stageIds: p.stages.map((s) => s.id),
          }),
          await m.client.delete(`${ws()}/stages/${stage.id}`),
        ];
        for (const res of attempts) {
          expect(res.statusCode, res.body).toBe(403);
          expect(res.json().error).toMatchObject({
            code: 'forbidden',
            message: `Your role (${m.role}) does not allow this action.`,
          });
        }
      }
      expect((await sales()).name).toBe('Sales');
    });

    it('an admin manages pipelines', async () => {
      const admin = await addMember(t, owner, 'admin', 'Ada Admin');
      const res = await admin.client.post(`${ws()}/pipelines`, { name: 'By admin' });
      expect(res.statusCode).toBe(201);
    });
  });
});
