import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './index';
import { FAKE_APP, fixture, graphClient, keyPaths, type Receiver, startReceiver } from './testing';

/** The app's side of a signed_request, written from meta-platform.md §4 (independently of the simulator). */
function verifySignedRequest(signed: string, secret: string): Record<string, unknown> | null {
  const [sig, payload] = signed.split('.', 2) as [string, string];
  const expected = createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(sig.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

describe('simulator control API', () => {
  let sim: Simulator;
  let receiver: Receiver;
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
  const get = async (path: string) => {
    const res = await fetch(`${sim.url}${path}`);
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    sim = await startSimulator({ ...FAKE_APP, fast: true });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await sim?.close();
    await receiver?.close();
  });

  it('builds a world over HTTP: Page, form, ads, leads (count), and lists leads by form', async () => {
    const config = await post('/_sim/config', { webhookUrl: `${receiver.url}/webhooks/meta` });
    expect(config.body.webhookUrl).toBe(`${receiver.url}/webhooks/meta`);
    const page = await post('/_sim/pages', { name: 'Demo Realty', instagram: true, subscribed: true });
    expect(page.body).toMatchObject({ id: expect.stringMatching(/^\d+$/), name: 'Demo Realty' });
    expect(page.body.instagramAccountId).toMatch(/^\d+$/);
    const form = await post('/_sim/forms', { pageId: page.body.id, name: 'Quote' });
    expect(form.body.questions.map((q: { key: string }) => q.key)).toEqual([
      'full_name',
      'email',
      'phone_number',
      'city',
      'what_is_your_budget?',
    ]);
    const ad = await post('/_sim/ads', { pageId: page.body.id, formId: form.body.id, name: 'Ad', campaignName: 'C' });
    expect(ad.body).toMatchObject({
      adsetId: expect.stringMatching(/^\d+$/),
      campaignId: expect.stringMatching(/^\d+$/),
    });
    const leads = await post('/_sim/leads', { formId: form.body.id, adId: ad.body.id, count: 3 });
    expect(leads.body.leads).toHaveLength(3);
    expect(leads.body.leads[0]).toMatchObject({
      formId: form.body.id,
      pageId: page.body.id,
      adId: ad.body.id,
      webhook: 'queued',
    });
    const flushed = await post('/_sim/flush');
    expect(flushed.body).toMatchObject({ delivered: 3, settled: true });
    expect((await get(`/_sim/leads?formId=${form.body.id}`)).body.leads).toHaveLength(3);
    const deliveries = (await get('/_sim/deliveries')).body.deliveries;
    expect(deliveries).toHaveLength(3);
    expect(Object.keys(deliveries[0])).toEqual(
      expect.arrayContaining(['id', 'leadgenIds', 'attempts', 'status', 'lastStatus']),
    );
    const state = (await get('/_sim/state')).body;
    expect(state.pages[0]).toMatchObject({ id: page.body.id, leadCount: 3 });
  });

  it('rejects bad input with 400/404 and a readable error', async () => {
    expect((await post('/_sim/forms', { pageId: '1', name: 'x' })).status).toBe(404);
    expect((await post('/_sim/pages', {})).status).toBe(400);
    expect((await post('/_sim/faults', { kind: 'nope' })).status).toBe(400);
    expect((await post('/_sim/faults', { kind: 'throttle', count: 1, code: 5 })).status).toBe(400);
    expect((await post('/_sim/config', { batchSize: 0 })).status).toBe(400);
  });

  it('adds, lists and clears faults over HTTP; they act on Graph calls', async () => {
    const token = sim.issueUserToken().accessToken;
    const graph = graphClient(sim);
    const added = await post('/_sim/faults', [{ kind: 'fail_graph', count: 1, code: 1 }, { kind: 'deny_oauth' }]);
    expect(added.body.faults.map((f: { fault: { kind: string } }) => f.fault.kind)).toEqual([
      'fail_graph',
      'deny_oauth',
    ]);
    expect((await graph.get('me', token)).body.error.code).toBe(1);
    expect((await get('/_sim/faults')).body.faults).toHaveLength(1);
    await post('/_sim/faults', { kind: 'slow', ms: 1 });
    await fetch(`${sim.url}/_sim/faults?kind=deny_oauth`, { method: 'DELETE' });
    expect((await get('/_sim/faults')).body.faults.map((f: { fault: { kind: string } }) => f.fault.kind)).toEqual([
      'slow',
    ]);
    await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
    expect((await get('/_sim/faults')).body.faults).toHaveLength(0);
    await post('/_sim/faults', { kind: 'expire_token', token });
    expect((await graph.get('me', token)).body.error).toMatchObject({ code: 190, error_subcode: 463 });
  });

  it('GET /_sim/calls lists Graph calls without tokens, proofs or secrets', async () => {
    await fetch(`${sim.url}/_sim/calls`, { method: 'DELETE' });
    const token = sim.issueUserToken().accessToken;
    await graphClient(sim).get('me?fields=id,name', token);
    await fetch(
      `${sim.url}/v25.0/oauth/access_token?client_id=${sim.appId}&client_secret=${sim.appSecret}&redirect_uri=x&code=y`,
    );
    const { calls } = (await get('/_sim/calls')).body;
    expect(calls.map((c: { path: string }) => c.path)).toEqual(['/v25.0/me', '/v25.0/oauth/access_token']);
    expect(calls[0]).toMatchObject({ method: 'GET', status: 200, tokenType: 'USER', query: { fields: 'id,name' } });
    const text = JSON.stringify(calls);
    expect(text).not.toContain(token);
    expect(text).not.toContain(sim.appSecret);
    expect(text).not.toContain('appsecret_proof');
  });

  describe('deauthorize and data-deletion callbacks', () => {
    it('data deletion: posts a signed_request the app can verify, returns the app’s answer', async () => {
      const f = fixture('data-deletion-signed-request.json');
      receiver.answer = { body: JSON.stringify(f.expected_response.body), contentType: 'application/json' };
      receiver.requests.length = 0;
      await post('/_sim/config', { dataDeletionUrl: `${receiver.url}/webhooks/meta/data-deletion` });
      const res = await post(`/_sim/users/${sim.testUserId}/data-deletion`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 200, body: f.expected_response.body });
      const req = receiver.requests[0];
      expect(req?.url).toBe('/webhooks/meta/data-deletion');
      expect(req?.headers['content-type']).toBe(f.http_request.content_type);
      const signed = new URLSearchParams(req?.body).get('signed_request') ?? '';
      expect(signed).not.toContain('=');
      const payload = verifySignedRequest(signed, FAKE_APP.appSecret);
      expect(payload).not.toBeNull();
      expect(keyPaths(payload)).toEqual(keyPaths(f.payload));
      expect(payload).toMatchObject({ user_id: sim.testUserId, algorithm: 'HMAC-SHA256' });
      expect((payload?.expires as number) - (payload?.issued_at as number)).toBeGreaterThan(0);
      expect(verifySignedRequest(signed, 'another-secret')).toBeNull();
      expect(verifySignedRequest(f.tampered_signed_request, FAKE_APP.appSecret)).toBeNull();
    });

    it('deauthorize: payload without expires; afterwards the user’s tokens fail with 190/458', async () => {
      const token = sim.issueUserToken().accessToken;
      receiver.answer = { body: '', contentType: 'text/plain' };
      receiver.requests.length = 0;
      sim.configure({ deauthorizeUrl: `${receiver.url}/webhooks/meta/deauthorize` });
      const res = await sim.deauthorize();
      expect(res).toMatchObject({ status: 200, body: '' });
      const payload = verifySignedRequest(
        new URLSearchParams(receiver.requests[0]?.body).get('signed_request') ?? '',
        FAKE_APP.appSecret,
      );
      expect(keyPaths(payload)).toEqual(keyPaths(fixture('deauthorize-signed-request.json').payload));
      expect((await graphClient(sim).get('me', token)).body.error).toMatchObject({ code: 190, error_subcode: 458 });
    });

    it('answers 400 when no callback URL is configured, 502 when the app is unreachable', async () => {
      const other = await startSimulator({ ...FAKE_APP });
      try {
        const res = await fetch(`${other.url}/_sim/users/${other.testUserId}/deauthorize`, { method: 'POST' });
        expect(res.status).toBe(400);
        other.configure({ deauthorizeUrl: 'http://127.0.0.1:1/deauthorize' });
        const down = await fetch(`${other.url}/_sim/users/${other.testUserId}/deauthorize`, { method: 'POST' });
        expect(down.status).toBe(502);
      } finally {
        await other.close();
      }
    });
  });

  it('reset empties the world but keeps the configuration', async () => {
    await post('/_sim/reset');
    const state = (await get('/_sim/state')).body;
    expect(state.pages).toEqual([]);
    expect(state.leadCount).toBe(0);
    expect(state.config.webhookUrl).toBe(`${receiver.url}/webhooks/meta`);
    expect((await get('/_sim/deliveries')).body.deliveries).toEqual([]);
  });
});
