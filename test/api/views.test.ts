import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { addMember, type Member } from '../support/members';

type View = {
  id: string;
  name: string;
  shared: boolean;
  ownerId: string;
  query: any;
  columns: string[];
  createdAt: string;
};

describe('saved views', () => {
  let t: TestApp;
  let owner: SignedIn;
  let agent: Member;
  let agent2: Member;
  let viewer: Member;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ companyName: 'Views Co' });
    agent = await addMember(t, owner, 'agent', 'Agent A');
    agent2 = await addMember(t, owner, 'agent', 'Agent B');
    viewer = await addMember(t, owner, 'viewer', 'Viewer V');
  });
  afterAll(() => t?.close());

  const url = () => `/api/v1/workspaces/${owner.workspaceId}/views`;
  const names = async (client: SignedIn['client']) => {
    const res = await client.get(url());
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as View[]).map((v) => v.name);
  };

  it('saves a view with its query (defaults filled) and columns', async () => {
    const res = await agent.client.post(url(), {
      name: '  My hot leads ',
      query: { q: 'ali', filters: [{ field: 'value', op: 'gte', value: 1000 }] },
      columns: ['name', 'stage_id', 'value'],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'My hot leads',
      shared: false,
      ownerId: agent.userId,
      query: {
        q: 'ali',
        filters: [{ field: 'value', op: 'gte', value: 1000 }],
        sort: { field: 'created_at', direction: 'desc' },
      },
      columns: ['name', 'stage_id', 'value'],
    });
    expect(Number.isNaN(Date.parse(res.json().createdAt))).toBe(false);
  });

  it('lists my views and the shared ones, never someone else\u2019s private view', async () => {
    const shared = await owner.client.post(url(), { name: 'Team: new this week', shared: true, query: {} });
    expect(shared.statusCode).toBe(201);
    await owner.client.post(url(), { name: 'Owner private', query: {} });
    expect(await names(agent.client)).toEqual(['My hot leads', 'Team: new this week']);
    expect(await names(agent2.client)).toEqual(['Team: new this week']);
    expect(await names(owner.client)).toEqual(['Owner private', 'Team: new this week']);
    expect(await names(viewer.client)).toEqual(['Team: new this week']);
  });

  it('refuses queries that do not compile and bad columns', async () => {
    const unknown = await agent.client.post(url(), {
      name: 'Bad',
      query: { filters: [{ field: 'custom.missing', op: 'eq', value: 'x' }] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({
      code: 'validation_failed',
      message: 'There is no custom field "missing".',
    });
    const unknownBuiltIn = await agent.client.post(url(), { name: 'Bad', query: { sort: { field: 'shoe_size' } } });
    expect(unknownBuiltIn.json().error.message).toBe('Unknown field "shoe_size".');
    const wrongType = await agent.client.post(url(), {
      name: 'Bad',
      query: { filters: [{ field: 'value', op: 'gt', value: 'lots' }] },
    });
    expect(wrongType.json().error.message).toBe('The filter on value needs a number.');
    const badOp = await agent.client.post(url(), { name: 'Bad', query: { filters: [{ field: 'name', op: 'like' }] } });
    expect(badOp.statusCode).toBe(400);
    const noQuery = await agent.client.post(url(), { name: 'Bad' });
    expect(noQuery.statusCode).toBe(400);
    const badColumns = await agent.client.post(url(), { name: 'Bad', query: {}, columns: [''] });
    expect(badColumns.statusCode).toBe(400);
    expect(await names(agent.client)).not.toContain('Bad');
  });

  it('a custom field in a query is accepted once it exists', async () => {
    const field = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/fields`, {
      entity: 'lead',
      label: 'Budget',
      type: 'number',
    });
    expect(field.statusCode).toBe(201);
    const res = await agent.client.post(url(), {
      name: 'Big budgets',
      query: {
        filters: [{ field: 'custom.budget', op: 'gt', value: 5000 }],
        sort: { field: 'custom.budget', direction: 'asc' },
      },
      columns: ['name', 'custom.budget'],
    });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('the owner edits and deletes their view; others get 404 for a private view', async () => {
    const view = (await agent.client.post(url(), { name: 'Temp', query: {} })).json() as View;
    const renamed = await agent.client.patch(`${url()}/${view.id}`, {
      name: 'Renamed',
      columns: ['name'],
      query: { sort: { field: 'name', direction: 'asc' } },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({
      name: 'Renamed',
      columns: ['name'],
      query: { sort: { field: 'name', direction: 'asc' } },
    });
    for (const client of [agent2.client, owner.client]) {
      expect((await client.patch(`${url()}/${view.id}`, { name: 'Hijack' })).statusCode).toBe(404);
      expect((await client.delete(`${url()}/${view.id}`)).statusCode).toBe(404);
    }
    const nothing = await agent.client.patch(`${url()}/${view.id}`, {});
    expect(nothing.statusCode).toBe(400);
    expect(nothing.body).toContain('Nothing to change');
    expect((await agent.client.delete(`${url()}/${view.id}`)).statusCode).toBe(204);
    expect((await agent.client.delete(`${url()}/${view.id}`)).statusCode).toBe(404);
  });

  it('a shared view is changed by its owner or settings.manage; other members get 403', async () => {
    const view = (await agent.client.post(url(), { name: 'Agent shared', shared: true, query: {} })).json() as View;
    expect(await names(agent2.client)).toContain('Agent shared');
    for (const m of [agent2, viewer]) {
      const patch = await m.client.patch(`${url()}/${view.id}`, { name: 'Mine now' });
      expect(patch.statusCode).toBe(403);
      expect(patch.json().error.message).toBe('This shared view belongs to someone else. Save a copy to change it.');
      expect((await m.client.delete(`${url()}/${view.id}`)).statusCode).toBe(403);
    }
    // An admin may tidy a shared view, but only its owner decides whether it is shared.
    const tidy = await owner.client.patch(`${url()}/${view.id}`, { name: 'Agent shared (tidied)' });
    expect(tidy.statusCode, tidy.body).toBe(200);
    const unshare = await owner.client.patch(`${url()}/${view.id}`, { shared: false });
    expect(unshare.statusCode).toBe(403);
    expect(unshare.json().error.message).toBe('Only the owner of a view can share or unshare it.');
    const own = await agent.client.patch(`${url()}/${view.id}`, { shared: false });
    expect(own.json().shared).toBe(false);
    expect(await names(agent2.client)).not.toContain('Agent shared (tidied)');
    await agent.client.patch(`${url()}/${view.id}`, { shared: true });
    expect((await owner.client.delete(`${url()}/${view.id}`)).statusCode).toBe(204);
    expect(await names(agent.client)).not.toContain('Agent shared (tidied)');
  });

  it('an API key acts for its creator', async () => {
    const key = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, {
      name: 'Views key',
      scopes: ['leads.read'],
    });
    const client = t.client();
    client.bearer = key.json().secret;
    expect(await names(client)).toEqual(await names(owner.client));
    const created = await client.post(url(), { name: 'Via key', query: {} });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().ownerId).toBe(owner.userId);
  });
});
