import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appSecretProof, type Simulator } from './index';

/** Helpers for the simulator's own tests (and for app tests that drive it): fixtures, key shapes, a receiver. */

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/fixtures/meta');

export const FAKE_APP = { appId: '900000000000001', appSecret: 'leadsboost-fake-app-secret-0001' } as const;

// biome-ignore lint/suspicious/noExplicitAny: fixtures are arbitrary JSON
export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as T;
}

/**
 * Every key path of a JSON value with its leaf type (`data[].field_data[].values[]:string`), sorted. Two values with
 * the same paths have the same shape; arrays merge their items' paths.
 */
export function keyPaths(value: unknown, prefix = ''): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, p: string) => {
    if (Array.isArray(v)) {
      out.add(`${p}[]`);
      for (const item of v) walk(item, `${p}[]`);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) walk(child, p ? `${p}.${k}` : k);
    } else out.add(`${p}:${v === null ? 'null' : typeof v}`);
  };
  walk(value, prefix);
  return [...out].sort();
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Status for each next request, in order; afterwards 200. */
  statuses: number[];
  /** Requests are held this long before answering. */
  delayMs: number;
  /** Answer body and content type (default: `ok`, text/plain). */
  answer: { body: string; contentType: string };
  close(): Promise<void>;
}

/** A tiny HTTP server that records raw bodies (the app's side, for webhook and callback tests). */
export async function startReceiver(port = 0): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    port: 0,
    requests: [],
    statuses: [],
    delayMs: 0,
    answer: { body: 'ok', contentType: 'text/plain' },
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const status = receiver.statuses.shift() ?? 200;
      setTimeout(() => {
        res.writeHead(status, { 'content-type': receiver.answer.contentType });
        res.end(receiver.answer.body);
      }, receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** A port with nothing listening on it (a receiver that is down). */
export async function freePort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}

export interface GraphAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: Graph JSON
  body: any;
  headers: Headers;
}

/** Graph calls against the simulator, with `appsecret_proof` added for the token (as a real client does). */
export function graphClient(sim: Simulator, version = 'v25.0') {
  const call = async (
    method: string,
    pathAndQuery: string,
    token: string | null,
    options: { proof?: boolean | string; bearer?: boolean } = {},
  ): Promise<GraphAnswer> => {
    const url = new URL(pathAndQuery.startsWith('http') ? pathAndQuery : `${sim.url}/${version}/${pathAndQuery}`);
    const headers: Record<string, string> = {};
    if (token) {
      if (options.bearer) headers.authorization = `Bearer ${token}`;
      else url.searchParams.set('access_token', token);
      if (options.proof !== false)
        url.searchParams.set(
          'appsecret_proof',
          typeof options.proof === 'string' ? options.proof : appSecretProof(token, sim.appSecret),
        );
    }
    const response = await fetch(url, { method, headers });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  };
  return {
    get: (p: string, token: string | null, o?: { proof?: boolean | string; bearer?: boolean }) =>
      call('GET', p, token, o),
    post: (p: string, token: string | null, o?: { proof?: boolean | string }) => call('POST', p, token, o),
    del: (p: string, token: string | null, o?: { proof?: boolean | string }) => call('DELETE', p, token, o),
  };
}

/** The Login flow as the app runs it: dialog → code → long-lived token → Page tokens from `me/accounts`. */
export async function connectTestUser(
  sim: Simulator,
  scopes: string[],
  redirectUri = 'https://app.leadsboost.example/api/v1/meta/oauth/callback',
): Promise<{ userToken: string; pageTokens: Record<string, string> }> {
  const dialog = new URL(`${sim.url}/v25.0/dialog/oauth`);
  dialog.search = new URLSearchParams({
    client_id: sim.appId,
    redirect_uri: redirectUri,
    state: 'state-1',
    response_type: 'code',
    scope: scopes.join(','),
  }).toString();
  const redirect = await fetch(dialog, { redirect: 'manual' });
  const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error(`dialog did not grant a code: ${redirect.headers.get('location')}`);
  const exchange = new URL(`${sim.url}/v25.0/oauth/access_token`);
  exchange.search = new URLSearchParams({
    client_id: sim.appId,
    client_secret: sim.appSecret,
    redirect_uri: redirectUri,
    code,
  }).toString();
  const token = (await (await fetch(exchange)).json()) as { access_token: string };
  const graph = graphClient(sim);
  const accounts = await graph.get('me/accounts', token.access_token);
  return {
    userToken: token.access_token,
    pageTokens: Object.fromEntries(
      (accounts.body.data ?? []).map((p: { id: string; access_token: string }) => [p.id, p.access_token]),
    ),
  };
}

export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('waitFor timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
