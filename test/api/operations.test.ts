import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedIn, type TestApp } from '../support/app';
import { addMember, type Member } from '../support/members';

describe('operations', () => {
  let t: TestApp;
  let owner: SignedIn;
  let other: SignedIn;
  let agent: Member;
  let viewer: Member;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await t.signup({ companyName: 'Ops Co' });
    other = await t.signup({ companyName: 'Other Ops' });
    agent = await addMember(t, owner, 'agent');
    viewer = await addMember(t, owner, 'viewer');
  });
  afterAll(() => t?.close());

  const url = (ws = owner.workspaceId) => `/api/v1/workspaces/${ws}/operations`;
  const ops = () => t.c.operations;

  it('create, progress and finish an operation; the API shows each step', async () => {
    const created = await t.c.db.transaction((tx) =>
      ops().create(tx, owner.workspaceId, {
        kind: 'import',
        total: 100,
        details: { file: 'a.csv' },
        createdBy: owner.userId,
      }),
    );
    expect(created).toMatchObject({
      kind: 'import',
      status: 'pending',
      total: 100,
      processed: 0,
      details: { file: 'a.csv' },
      error: null,
      finishedAt: null,
    });

    const first = await owner.client.get(`${url()}/${created.id}`);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({
      id: created.id,
      kind: 'import',
      status: 'pending',
      total: 100,
      processed: 0,
      details: { file: 'a.csv' },
      error: null,
      createdAt: created.createdAt.toISOString(),
      finishedAt: null,
    });

    const running = await ops().progress(owner.workspaceId, created.id, {
      processed: 40,
      details: { created: 30, rejected: 10 },
    });
    expect(running).toMatchObject({
      status: 'running',
      processed: 40,
      details: { file: 'a.csv', created: 30, rejected: 10 },
    });
    await ops().progress(owner.workspaceId, created.id, { processed: 100, details: { created: 85, rejected: 15 } });
    const done = await ops().finish(owner.workspaceId, created.id, { status: 'succeeded', details: { updated: 0 } });
    expect(done).toMatchObject({
      status: 'succeeded',
      processed: 100,
      details: { file: 'a.csv', created: 85, rejected: 15, updated: 0 },
      error: null,
    });
    expect(done.finishedAt).toBeInstanceOf(Date);
    const shown = (await agent.client.get(`${url()}/${created.id}`)).json();
    expect(shown).toMatchObject({ status: 'succeeded', details: { created: 85 } });
    expect(typeof shown.finishedAt).toBe('string');
    expect(await ops().get(owner.workspaceId, created.id)).toMatchObject({ status: 'succeeded' });
  });

  it('records failures with their error', async () => {
    const op = await t.c.db.transaction((tx) =>
      ops().create(tx, owner.workspaceId, { kind: 'export', createdBy: null }),
    );
    expect(op).toMatchObject({ total: null, details: {} });
    const failed = await ops().finish(owner.workspaceId, op.id, {
      status: 'failed',
      error: 'The file could not be written.',
    });
    expect(failed).toMatchObject({ status: 'failed', error: 'The file could not be written.' });
  });

  it('lists newest first, filtered by kind and limited', async () => {
    const bulk = await t.c.db.transaction((tx) =>
      ops().create(tx, owner.workspaceId, {
        kind: 'bulk',
        total: 600,
        details: { action: 'tag' },
        createdBy: owner.userId,
      }),
    );
    const all = await owner.client.get(url());
    expect(all.statusCode).toBe(200);
    expect(all.json().items.map((o: { kind: string }) => o.kind)).toEqual(['bulk', 'export', 'import']);
    expect((await viewer.client.get(`${url()}?kind=bulk`)).json().items.map((o: { id: string }) => o.id)).toEqual([
      bulk.id,
    ]);
    expect((await owner.client.get(`${url()}?limit=1`)).json().items).toHaveLength(1);
    expect((await owner.client.get(`${url()}?limit=0`)).statusCode).toBe(400);
    expect((await owner.client.get(`${url()}?kind=party`)).statusCode).toBe(400);
  });

  it('is scoped to the workspace: another workspace\u2019s operation is not found', async () => {
    const theirs = await t.c.db.transaction((tx) =>
      ops().create(tx, other.workspaceId, { kind: 'import', createdBy: other.userId }),
    );
    expect((await owner.client.get(`${url()}/${theirs.id}`)).statusCode).toBe(404);
    expect((await owner.client.get(url(other.workspaceId))).statusCode).toBe(404);
    expect((await owner.client.get(url())).json().items.map((o: { id: string }) => o.id)).not.toContain(theirs.id);
    expect(await ops().get(owner.workspaceId, theirs.id)).toBeUndefined();
    await expect(ops().progress(owner.workspaceId, theirs.id, { processed: 1 })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(ops().finish(owner.workspaceId, theirs.id, { status: 'failed' })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await other.client.get(`${url(other.workspaceId)}/${theirs.id}`)).json().status).toBe('pending');
  });

  it('an API key needs leads.read', async () => {
    const key = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, {
      name: 'No leads',
      scopes: ['workspace.read'],
    });
    const client = t.client();
    client.bearer = key.json().secret;
    const res = await client.get(url());
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toBe('This API key does not have the scope for this action.');
  });
});
