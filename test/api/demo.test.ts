import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaces } from '../../src/db/schema';
import { type MetaHarness, startMetaHarness, waitFor } from '../support/meta';

describe('the demo: a sandbox Facebook Page whose ads produce leads', () => {
  let h: MetaHarness;
  beforeAll(async () => {
    h = await startMetaHarness({ DEMO_LEAD_EVERY_SECONDS: '0.3' });
  });
  afterAll(async () => {
    h?.t.c.demo.stopAutopilot();
    await h?.close();
  });

  it('is not offered when no simulator runs in the process', async () => {
    const facts = await h.t.server.inject({ method: 'GET', url: '/api/v1/meta' });
    expect(facts.json().demo).toBe(false);
    const res = await h.t.client().post('/api/v1/demo/session', {});
    expect(res.statusCode).toBe(404);
  });

  it('"Try the demo" signs in to a demo workspace where attributed, routed leads keep arriving; removable in one click', async () => {
    h.t.c.demo.attach(h.sim);
    const facts = await h.t.server.inject({ method: 'GET', url: '/api/v1/meta' });
    expect(facts.json().demo).toBe(true);

    const visitor = h.t.client();
    const res = await visitor.post('/api/v1/demo/session', {});
    expect(res.statusCode, res.body).toBe(200);
    const { workspaceId } = res.json();
    const [ws] = await h.t.c.db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    expect(ws?.isDemo).toBe(true);
    await visitor.refreshCsrf();

    const health = await visitor.get(`/api/v1/workspaces/${workspaceId}/meta`);
    expect(health.statusCode, health.body).toBe(200);
    expect(health.json().connection.status).toBe('active');
    expect(health.json().pages[0].subscribed).toBe(true);

    const leads = await waitFor(
      'three demo leads',
      async () => {
        const list = await visitor.get(`/api/v1/workspaces/${workspaceId}/leads?limit=50`);
        const items = list.json().items as Array<Record<string, unknown>>;
        return items.length >= 3 ? items : null;
      },
      30_000,
    );
    for (const lead of leads) {
      expect(lead.source).toBe('meta_lead_ads');
      expect(lead.formName).toBeTruthy();
      expect(lead.name).toBeTruthy();
    }
    expect(leads.some((l) => l.campaignName && l.adName)).toBe(true);
    // Routed round-robin to the demo agents.
    const owners = new Set(leads.map((l) => l.ownerId));
    expect(owners.has(null)).toBe(false);
    expect(owners.size).toBeGreaterThan(1);

    // A second visitor lands in the same demo workspace.
    const again = await h.t.client().post('/api/v1/demo/session', {});
    expect(again.json().workspaceId).toBe(workspaceId);

    const removed = await visitor.delete(`/api/v1/workspaces/${workspaceId}/demo`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().deleted.leads).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 1000));
    const after = await visitor.get(`/api/v1/workspaces/${workspaceId}/leads?limit=50`);
    expect(after.json().items).toHaveLength(0);
    const members = await visitor.get(`/api/v1/workspaces/${workspaceId}/members`);
    expect(members.json().items.map((m: { role: string }) => m.role)).toEqual(['owner']);
    const [after2] = await h.t.c.db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    expect(after2?.isDemo).toBe(false);
    const twice = await visitor.delete(`/api/v1/workspaces/${workspaceId}/demo`);
    expect(twice.statusCode).toBe(409);
  });

  it('a workspace that is not a demo cannot be emptied by the demo route', async () => {
    const owner = await h.t.signup();
    const res = await owner.client.delete(`/api/v1/workspaces/${owner.workspaceId}/demo`);
    expect(res.statusCode).toBe(409);
  });
});
