import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FormInfo, type PageInfo, type Simulator, startSimulator } from './index';
import { FAKE_APP, fixture, freePort, graphClient, keyPaths, type Receiver, startReceiver, waitFor } from './testing';

const hmac = (algo: 'sha256' | 'sha1', body: string) => createHmac(algo, FAKE_APP.appSecret).update(body).digest('hex');

describe('simulator webhook delivery', () => {
  let sim: Simulator;
  let receiver: Receiver;
  let page: PageInfo;
  let page2: PageInfo;
  let form: FormInfo;
  let form2: FormInfo;
  let adId: string;
  let ad2Id: string;

  beforeAll(async () => {
    sim = await startSimulator({ ...FAKE_APP, fast: true, seed: 42 });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await sim?.close();
    await receiver?.close();
  });
  beforeEach(() => {
    sim.reset();
    sim.configure({
      webhookUrl: `${receiver.url}/webhooks/meta`,
      batchSize: 1,
      duplicateRate: 0,
      reorder: false,
      concurrency: 4,
      retryDelaysMs: null,
    });
    receiver.requests.length = 0;
    receiver.statuses.length = 0;
    receiver.delayMs = 0;
    page = sim.createPage({ name: 'Casa Lisboa', subscribed: true });
    page2 = sim.createPage({ name: 'Sorriso', subscribed: true });
    form = sim.createForm({ pageId: page.id, name: 'Quote' });
    form2 = sim.createForm({ pageId: page2.id, name: 'Checkup' });
    adId = sim.createAd({ pageId: page.id, formId: form.id, name: 'Ad A' }).id;
    ad2Id = sim.createAd({ pageId: page2.id, formId: form2.id, name: 'Ad B' }).id;
  });
  afterEach(() => sim.faults.clear());

  it('POSTs a signed leadgen change shaped like webhook-leadgen-single.json', async () => {
    const lead = sim.createLead({ formId: form.id, adId });
    expect(lead.webhook).toBe('queued');
    const result = await sim.flush();
    expect(result).toMatchObject({ delivered: 1, pending: 0, settled: true });
    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0] as Receiver['requests'][number];
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/webhooks/meta');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-hub-signature-256']).toBe(`sha256=${hmac('sha256', req.body)}`);
    expect(req.headers['x-hub-signature']).toBe(`sha1=${hmac('sha1', req.body)}`);
    const body = JSON.parse(req.body);
    expect(keyPaths(body)).toEqual(keyPaths(fixture('webhook-leadgen-single.json')));
    expect(body.entry[0]).toMatchObject({
      id: page.id,
      changes: [
        {
          field: 'leadgen',
          value: {
            ad_id: adId,
            adgroup_id: adId,
            form_id: form.id,
            leadgen_id: lead.id,
            page_id: page.id,
            created_time: lead.createdTime,
          },
        },
      ],
    });
    expect(Math.abs(body.entry[0].time - Date.now() / 1000)).toBeLessThan(5);
    expect(sim.deliveries()[0]).toMatchObject({
      leadgenIds: [lead.id],
      attempts: 1,
      status: 'delivered',
      lastStatus: 200,
    });
  });

  it('organic leads carry no ad ids; POST /{form}/test_leads creates one and delivers it', async () => {
    const res = await graphClient(sim).post(`${form.id}/test_leads`, page.accessToken);
    expect(res.body).toEqual({ id: expect.stringMatching(/^\d+$/) });
    await sim.flush();
    const value = JSON.parse(receiver.requests[0]?.body ?? '{}').entry[0].changes[0].value;
    expect(value).toEqual({
      form_id: form.id,
      leadgen_id: res.body.id,
      created_time: expect.any(Number),
      page_id: page.id,
    });
    expect(sim.leads(form.id)[0]).toMatchObject({ id: res.body.id, isOrganic: true, adId: null });
    expect(sim.leads(form.id)[0]?.fieldData.length).toBeGreaterThanOrEqual(4);
  });

  it('retries after a 500 with the same bytes, then delivers', async () => {
    receiver.statuses.push(500, 503);
    sim.createLead({ formId: form.id, adId });
    await sim.flush();
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    expect(sim.deliveries()[0]).toMatchObject({ attempts: 3, status: 'delivered', lastStatus: 200 });
  });

  it('keeps retrying while the receiver is down (connection refused), and delivers once it is back', async () => {
    const port = await freePort();
    sim.configure({ webhookUrl: `http://127.0.0.1:${port}/webhooks/meta` });
    const lead = sim.createLead({ formId: form.id, adId });
    await waitFor(() => (sim.deliveries()[0]?.attempts ?? 0) >= 3);
    expect(sim.deliveries()[0]).toMatchObject({ status: 'pending', lastStatus: null, lastError: 'ECONNREFUSED' });
    const back = await startReceiver(port);
    try {
      await sim.flush();
      expect(sim.deliveries()[0]?.status).toBe('delivered');
      expect(JSON.parse(back.requests[0]?.body ?? '{}').entry[0].changes[0].value.leadgen_id).toBe(lead.id);
    } finally {
      await back.close();
    }
  });

  it('gives up after the last retry of the schedule', async () => {
    sim.configure({ retryDelaysMs: [5, 5, 5] });
    receiver.statuses.push(500, 500, 500, 500, 500);
    sim.createLead({ formId: form.id });
    const result = await sim.flush();
    expect(result).toMatchObject({ gaveUp: 1, pending: 0 });
    expect(sim.deliveries()[0]).toMatchObject({ status: 'gave_up', attempts: 4, lastStatus: 500 });
    expect(receiver.requests).toHaveLength(4);
  });

  it('a receiver that does not answer in time counts as a failed attempt (1 s timeout in fast mode)', async () => {
    receiver.delayMs = 1300;
    sim.configure({ retryDelaysMs: [10] });
    sim.createLead({ formId: form.id });
    await waitFor(() => sim.deliveries()[0]?.lastError === 'timeout', 3000);
    receiver.delayMs = 0;
    await sim.flush();
    expect(sim.deliveries()[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('drop_webhooks: the next `count` deliveries are never sent', async () => {
    sim.faults.dropWebhooks({ count: 1 });
    const dropped = sim.createLead({ formId: form.id });
    const kept = sim.createLead({ formId: form.id });
    await sim.flush();
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.body).toContain(kept.id);
    expect(sim.deliveries().map((d) => [d.leadgenIds[0], d.status, d.attempts])).toEqual([
      [dropped.id, 'dropped', 0],
      [kept.id, 'delivered', 1],
    ]);
    // The lead itself is still at Meta, for reconciliation to find.
    expect(sim.leads(form.id).map((l) => l.id)).toContain(dropped.id);
  });

  it('drop_webhooks with a rate drops about that share', async () => {
    sim.faults.dropWebhooks({ rate: 0.5 });
    for (let i = 0; i < 40; i++) sim.createLead({ formId: form.id, deliver: true });
    await sim.flush();
    const dropped = sim.deliveries().filter((d) => d.status === 'dropped').length;
    expect(dropped).toBeGreaterThan(8);
    expect(dropped).toBeLessThan(32);
    expect(receiver.requests).toHaveLength(40 - dropped);
  });

  it('duplicateRate 1 sends every delivery twice, byte for byte', async () => {
    sim.configure({ duplicateRate: 1 });
    sim.createLead({ formId: form.id });
    await sim.flush();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[0]?.body).toBe(receiver.requests[1]?.body);
    const [first, copy] = sim.deliveries();
    expect(copy).toMatchObject({ duplicateOf: first?.id, status: 'delivered' });
  });

  it('batches waiting changes: several entries (Pages) per POST, several changes per entry (webhook-leadgen-batched.json)', async () => {
    sim.configure({ batchSize: 10 });
    const a = sim.createLead({ formId: form.id, adId });
    const b = sim.createLead({ formId: form.id });
    const c = sim.createLead({ formId: form2.id, adId: ad2Id });
    await sim.flush();
    expect(receiver.requests).toHaveLength(1);
    const body = JSON.parse(receiver.requests[0]?.body ?? '{}');
    expect(keyPaths(body)).toEqual(keyPaths(fixture('webhook-leadgen-batched.json')));
    expect(body.entry.map((e: { id: string }) => e.id)).toEqual([page.id, page2.id]);
    expect(body.entry[0].changes.map((ch: { value: { leadgen_id: string } }) => ch.value.leadgen_id)).toEqual([
      a.id,
      b.id,
    ]);
    expect(sim.deliveries()[0]?.leadgenIds).toEqual([a.id, b.id, c.id]);
    expect(receiver.requests[0]?.headers['x-hub-signature-256']).toBe(
      `sha256=${hmac('sha256', receiver.requests[0]?.body ?? '')}`,
    );
  });

  it('batchSize caps the changes per POST', async () => {
    sim.configure({ batchSize: 2 });
    for (let i = 0; i < 5; i++) sim.createLead({ formId: form.id });
    await sim.flush();
    expect(sim.deliveries().map((d) => d.leadgenIds.length)).toEqual([2, 2, 1]);
  });

  it('reorder shuffles deliveries; without it they go in creation order', async () => {
    sim.configure({ concurrency: 1 });
    const inOrder = Array.from({ length: 8 }, () => sim.createLead({ formId: form.id }).id);
    await sim.flush();
    const received = () => receiver.requests.map((r) => JSON.parse(r.body).entry[0].changes[0].value.leadgen_id);
    expect(received()).toEqual(inOrder);
    receiver.requests.length = 0;
    sim.configure({ reorder: true });
    const shuffled = Array.from({ length: 8 }, () => sim.createLead({ formId: form.id }).id);
    await sim.flush();
    expect([...received()].sort()).toEqual([...shuffled].sort());
    expect(received()).not.toEqual(shuffled);
  });

  it('nothing is sent for a Page that has not subscribed the app, nor with deliver=false', async () => {
    const quiet = sim.createPage({ name: 'Quiet' });
    const quietForm = sim.createForm({ pageId: quiet.id, name: 'F' });
    expect(sim.createLead({ formId: quietForm.id }).webhook).toBe('page_not_subscribed');
    expect(sim.createLead({ formId: form.id, deliver: false }).webhook).toBe('not_requested');
    await sim.flush();
    expect(receiver.requests).toHaveLength(0);
    // Subscribing through the Graph API turns delivery on.
    const res = await graphClient(sim).post(`${quiet.id}/subscribed_apps?subscribed_fields=leadgen`, quiet.accessToken);
    expect(res.body).toEqual({ success: true });
    expect(sim.createLead({ formId: quietForm.id }).webhook).toBe('queued');
    await sim.flush();
    expect(receiver.requests).toHaveLength(1);
  });

  it('in normal mode a retry waits its delay (1 min after the immediate one) and flush does not wait for it', async () => {
    const slow = await startSimulator({ ...FAKE_APP });
    try {
      slow.configure({ webhookUrl: `${receiver.url}/hook` });
      const p = slow.createPage({ name: 'P', subscribed: true });
      const f = slow.createForm({ pageId: p.id, name: 'F' });
      receiver.statuses.push(500, 500);
      slow.createLead({ formId: f.id });
      const result = await slow.flush({ timeoutMs: 3000 });
      expect(result).toMatchObject({ pending: 1, settled: true });
      const d = slow.deliveries()[0];
      expect(d?.attempts).toBe(2);
      const wait = Date.parse(d?.nextAttemptAt ?? '') - Date.parse(d?.lastAttemptAt ?? '');
      expect(wait).toBeGreaterThanOrEqual(59_000);
      expect(wait).toBeLessThanOrEqual(61_000);
    } finally {
      await slow.close();
    }
  });
});
