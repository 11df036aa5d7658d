import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client';
import { hubSignature } from '../../src/domains/meta/signatures';
import { newId } from '../../src/lib/ids';
import { createTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/meta';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/meta');
const SECRET = 'leadsboost-fake-app-secret-0001';
const single = readFileSync(path.join(FIXTURES, 'webhook-leadgen-single.json'));
const examples = JSON.parse(readFileSync(path.join(FIXTURES, 'webhook-signature-examples.json'), 'utf8'));

/** The public webhook endpoint on its own: verification, signatures over raw bytes, storage. No Graph calls here. */
describe('POST/GET /webhooks/meta', () => {
  let t: TestApp;
  const count = async () =>
    rowsOf<{ n: number }>(await t.c.db.execute(sql`select count(*)::int as n from meta_inbound_events`))[0]!.n;
  const post = (body: Buffer | string, headers: Record<string, string> = {}) =>
    t.server.inject({
      method: 'POST',
      url: '/webhooks/meta',
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  beforeAll(async () => {
    t = await createTestApp(
      { META_APP_ID: '900000000000001', META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'verify-me' },
      { worker: false },
    );
  });
  afterAll(() => t?.close());

  it('answers the verification challenge only with the right token', async () => {
    const ok = await t.server.inject(
      '/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444',
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('1158201444');
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);
    for (const q of [
      'hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1',
      'hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1',
      'hub.challenge=1',
    ]) {
      const res = await t.server.inject(`/webhooks/meta?${q}`);
      expect(res.statusCode, q).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
  });

  it('refuses a missing or wrong signature and stores nothing', async () => {
    const before = await count();
    const missing = await post(single);
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error.code).toBe('invalid_signature');
    const wrong = await post(single, { 'x-hub-signature-256': hubSignature(single, 'another-secret') });
    expect(wrong.statusCode).toBe(401);
    // Signed over a re-serialised body, not the bytes sent.
    const reserialised = hubSignature(JSON.stringify(JSON.parse(single.toString())), SECRET);
    expect((await post(single, { 'x-hub-signature-256': reserialised })).statusCode).toBe(401);
    // Only the sha1 header (legacy) is not enough.
    expect((await post(single, { 'x-hub-signature': 'sha1=00' })).statusCode).toBe(401);
    expect(await count()).toBe(before);
  });

  it('stores a signed event exactly as received, verifying the raw bytes (\\u escapes included)', async () => {
    const before = await count();
    const res = await post(single, { 'x-hub-signature-256': hubSignature(single, SECRET) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('EVENT_RECEIVED');
    expect(await count()).toBe(before + 1);
    const [stored] = rowsOf<{ body: string }>(
      await t.c.db.execute(sql`select body from meta_inbound_events order by received_at desc limit 1`),
    );
    expect(stored!.body).toBe(single.toString());
    // Every example of the fixture whose signature was made with the app secret is accepted as sent.
    expect(examples.examples.length).toBe(2);
    for (const ex of examples.examples) {
      const r = await post(ex.raw_body, { 'x-hub-signature-256': ex.headers['x-hub-signature-256'] });
      expect(r.statusCode).toBe(200);
    }
    const first = examples.examples[0].raw_body;
    expect((await post(first, { 'x-hub-signature-256': examples.wrong_secret_signature })).statusCode).toBe(401);
  });

  it('a signed body that is not JSON is a 400, and nothing is stored', async () => {
    const before = await count();
    const body = '{"object":"page",';
    const res = await post(body, { 'x-hub-signature-256': hubSignature(body, SECRET) });
    expect(res.statusCode).toBe(400);
    expect(await count()).toBe(before);
  });

  it('accepts bodies up to about 3 MB, not beyond', async () => {
    const big = JSON.stringify({ object: 'page', entry: [], pad: 'x'.repeat(2_500_000) });
    expect((await post(big, { 'x-hub-signature-256': hubSignature(big, SECRET) })).statusCode).toBe(200);
    const huge = JSON.stringify({ object: 'page', entry: [], pad: 'x'.repeat(3_200_000) });
    expect((await post(huge, { 'x-hub-signature-256': hubSignature(huge, SECRET) })).statusCode).toBe(413);
  });

  it('the stored rows are the work list: processing is enqueued, and a drain processes every stored event', async () => {
    const jobs = async () =>
      rowsOf<{ n: number }>(
        await t.c.db.execute(sql`select count(*)::int as n from pgboss.job where name = 'meta.inbound'`),
      )[0]!.n;
    await waitFor('the drain to be enqueued', async () => (await jobs()) > 0);
    const pending = async () =>
      rowsOf<{ n: number }>(
        await t.c.db.execute(sql`select count(*)::int as n from meta_inbound_events where status = 'received'`),
      )[0]!.n;
    expect(await pending()).toBeGreaterThan(0);
    // As after a crash between the insert and the enqueue: the sweep's drain still finds the row.
    await t.c.db.execute(sql`insert into meta_inbound_events (id, body) values (${newId()}, ${single.toString()})`);
    await t.c.metaIngest.drain();
    expect(await pending()).toBe(0);
    // No workspace has these Pages: the events are kept as ignored, and nothing is captured.
    const statuses = rowsOf<{ status: string }>(
      await t.c.db.execute(sql`select distinct status from meta_inbound_events`),
    ).map((r) => r.status);
    expect(statuses).toEqual(['ignored']);
  });
});

describe('webhooks when Meta is not configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { worker: false });
  });
  afterAll(() => t?.close());

  it('refuses events with 503 meta_not_configured and verification with 403', async () => {
    const res = await t.server.inject({
      method: 'POST',
      url: '/webhooks/meta',
      payload: single,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(single, SECRET) },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('meta_not_configured');
    expect(
      (await t.server.inject('/webhooks/meta?hub.mode=subscribe&hub.verify_token=&hub.challenge=1')).statusCode,
    ).toBe(403);
  });
});
