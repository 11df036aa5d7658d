import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyGraphError, GraphClient, GraphError } from './graph-client';

const FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/meta');
const fixture = <T>(name: string): T => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as T;

interface Canned {
  http_status: number;
  headers: Record<string, string>;
  body: unknown;
}

describe('classifyGraphError', () => {
  it('sorts Meta’s codes into what a job should do', () => {
    expect(classifyGraphError(190, 400)).toBe('auth_expired');
    expect(classifyGraphError(102, 400)).toBe('auth_expired');
    for (const code of [4, 17, 32, 613, 80000, 80004, 80005])
      expect(classifyGraphError(code, 400)).toBe('rate_limited');
    expect(classifyGraphError(10, 403)).toBe('permission');
    expect(classifyGraphError(200, 403)).toBe('permission');
    expect(classifyGraphError(294, 403)).toBe('permission');
    expect(classifyGraphError(1, 500)).toBe('transient');
    expect(classifyGraphError(2, 500)).toBe('transient');
    expect(classifyGraphError(null, 502)).toBe('transient');
    expect(classifyGraphError(100, 400)).toBe('rejected');
    expect(classifyGraphError(null, 404)).toBe('rejected');
  });
});

/** A real HTTP server answering Meta's canned responses from the fixtures, one per request. */
describe('GraphClient over HTTP', () => {
  let server: Server;
  let url: string;
  const queue: Canned[] = [];
  const seen: URL[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(new URL(req.url ?? '/', 'http://x'));
      const next = queue.shift() ?? { http_status: 200, headers: {}, body: { id: '1' } };
      res.writeHead(next.http_status, { 'content-type': 'application/json', ...next.headers });
      res.end(JSON.stringify(next.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const client = (maxPauseMs?: number) =>
    new GraphClient({
      graphUrl: url,
      version: 'v25.0',
      appId: '1',
      appSecret: 'leadsboost-fake-app-secret-0001',
      maxPauseMs,
    });

  it('sends appsecret_proof with the token', async () => {
    const proof = fixture<{ access_token: string; appsecret_proof: string }>('appsecret-proof-example.json');
    await client().get('me', { fields: 'id' }, proof.access_token);
    const last = seen.at(-1)!;
    expect(last.pathname).toBe('/v25.0/me');
    expect(last.searchParams.get('appsecret_proof')).toBe(proof.appsecret_proof);
  });

  it('turns each throttle of the fixtures into rate_limited, honours Meta’s wait, and pauses the token', async () => {
    for (const canned of fixture<Canned[]>('graph-error-rate-limits.json')) {
      const graph = client();
      queue.push(canned);
      const error = await graph
        .get<never>('123', {}, `token-${canned.http_status}-${Math.random()}`)
        .catch((e: GraphError) => e);
      expect(error).toBeInstanceOf(GraphError);
      expect(error.kind).toBe('rate_limited');
      expect(error.retryAfterMs).toBeGreaterThan(0);
    }
    const graph = client();
    queue.push(fixture<Canned[]>('graph-error-rate-limits.json').find((c) => (c.body as any).error.code === 80005)!);
    const first = await graph.get<never>('123', {}, 'paused-token').catch((e: GraphError) => e);
    expect(first.retryAfterMs).toBe(30 * 60_000);
    const calls = seen.length;
    const second = await graph.get<never>('123', {}, 'paused-token').catch((e: GraphError) => e);
    expect(second.kind).toBe('rate_limited');
    expect(seen.length).toBe(calls);
    // Another token is not paused.
    await graph.get<never>('123', {}, 'other-token');
    expect(seen.length).toBe(calls + 1);
  });

  it('caps Meta’s wait at maxPauseMs', async () => {
    queue.push(fixture<Canned[]>('graph-error-rate-limits.json').find((c) => (c.body as any).error.code === 80005)!);
    const error = await client(1000)
      .get<never>('123', {}, 'capped')
      .catch((e: GraphError) => e);
    expect(error.retryAfterMs).toBe(1000);
  });

  it('reads the expired-token error as auth_expired with its subcode', async () => {
    const expired = fixture<Canned>('graph-error-expired-token.json');
    queue.push(expired.http_status ? expired : { http_status: 400, headers: {}, body: expired });
    const error = await client()
      .get<never>('123', {}, 'expired')
      .catch((e: GraphError) => e);
    expect(error.kind).toBe('auth_expired');
    expect(error.code).toBe(190);
    expect(error.subcode).toBe(463);
  });

  it('follows paging.next until the last page', async () => {
    const page1 = fixture<{ data: unknown[]; paging: { next: string } }>('form-leads-page1.json');
    const page2 = fixture<{ data: unknown[] }>('form-leads-page2.json');
    queue.push({
      http_status: 200,
      headers: {},
      body: { ...page1, paging: { ...page1.paging, next: `${url}/v25.0/200000000000001/leads?after=x` } },
    });
    queue.push({ http_status: 200, headers: {}, body: page2 });
    const ids: string[] = [];
    for await (const batch of client().pages<{ id: string }>('200000000000001/leads', {}, 't'))
      ids.push(...batch.map((l) => l.id));
    expect(ids.length).toBe(page1.data.length + page2.data.length);
    expect(seen.at(-1)!.searchParams.get('after')).toBe('x');
  });

  it('an unreachable Graph is transient', async () => {
    const graph = new GraphClient({ graphUrl: 'http://127.0.0.1:9', version: 'v25.0', appId: '1', appSecret: 's' });
    const error = await graph.get<never>('me', {}, 't').catch((e: GraphError) => e);
    expect(error.kind).toBe('transient');
  });
});
