import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { type Simulator, startSimulator } from '../../sim';
import { metaCaptures, metaConnections } from '../../src/db/schema';
import { createTestApp, type SignedIn, type TestApp } from './app';

export const META_APP_ID = '900000000000001';
export const META_SECRET = 'leadsboost-fake-app-secret-0001';

export interface MetaHarness {
  t: TestApp;
  sim: Simulator;
  /** The app's real listening address (the simulator delivers webhooks to it over HTTP). */
  appUrl: string;
  close(): Promise<void>;
}

/**
 * The app in-process but listening on a real port, and the Meta simulator pointed at it: Graph calls and webhook
 * deliveries both go over real HTTP. Retries after throttles are capped at one second so tests do not wait Meta's
 * 30 minutes.
 */
export async function startMetaHarness(env: Record<string, string> = {}): Promise<MetaHarness> {
  const sim = await startSimulator({ appId: META_APP_ID, appSecret: META_SECRET, fast: true, seed: 5 });
  const t = await createTestApp({
    META_APP_ID,
    META_APP_SECRET: META_SECRET,
    META_VERIFY_TOKEN: 'verify-me',
    META_GRAPH_URL: sim.url,
    META_DIALOG_URL: sim.url,
    META_RETRY_MAX_SECONDS: '1',
    ...env,
  });
  await t.server.listen({ port: 0, host: '127.0.0.1' });
  const appUrl = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}`;
  sim.configure({ webhookUrl: `${appUrl}/webhooks/meta` });
  return {
    t,
    sim,
    appUrl,
    close: async () => {
      await sim.close();
      await t.close();
    },
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs Facebook Login through the simulator's dialog, as the browser would, and returns where the app redirected. */
export async function connectFacebook(
  h: MetaHarness,
  owner: SignedIn,
  features: string[] = [],
): Promise<{ location: string; scopes: string[] }> {
  const start = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/meta/oauth/start`, { features });
  expect(start.statusCode, start.body).toBe(200);
  const url = new URL(start.json().url);
  expect(`${url.origin}${url.pathname}`).toBe(`${h.sim.url}/v25.0/dialog/oauth`);
  expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:3000/api/v1/meta/oauth/callback');
  expect(url.searchParams.get('response_type')).toBe('code');
  const dialog = await fetch(url, { redirect: 'manual' });
  expect(dialog.status).toBe(302);
  const callback = new URL(dialog.headers.get('location')!);
  expect(callback.pathname).toBe('/api/v1/meta/oauth/callback');
  const res = await owner.client.get(`${callback.pathname}${callback.search}`);
  expect(res.statusCode).toBe(302);
  return { location: String(res.headers.location), scopes: start.json().scopes };
}

export async function connectPages(owner: SignedIn, pageIds: string[]) {
  const res = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/meta/pages`, { pageIds });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as { id: string; pageId: string; forms: { id: string; formId: string }[] }[];
}

export async function captureOf(t: TestApp, workspaceId: string, leadgenId: string) {
  const [row] = await t.c.db
    .select()
    .from(metaCaptures)
    .where(and(eq(metaCaptures.workspaceId, workspaceId), eq(metaCaptures.leadgenId, leadgenId)));
  return row;
}

/** Waits until the capture of a Meta lead is captured; returns it. */
export function captured(t: TestApp, workspaceId: string, leadgenId: string, timeoutMs?: number) {
  return waitFor(
    `lead ${leadgenId} captured`,
    async () => {
      const row = await captureOf(t, workspaceId, leadgenId);
      return row?.status === 'captured' ? row : null;
    },
    timeoutMs,
  );
}

export async function connectionOf(t: TestApp, workspaceId: string) {
  const [row] = await t.c.db.select().from(metaConnections).where(eq(metaConnections.workspaceId, workspaceId));
  return row;
}
