/**
 * Leads list, filter, paging and search at scale: `npx tsx bench/leads.bench.ts [--db pg|pglite] [--n 1000000]`.
 * Seeds one workspace with COPY (PostgreSQL: 1,000,000 leads by default; PGlite: 100,000), starts the real server
 * in-process and times the API calls the web app makes (median, p95), plus peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startApp } from '../src/app/app';
import { loadConfig } from '../src/app/config';
import { type Database, openDatabase } from '../src/db/client';
import { generateDataKey, Keyring } from '../src/lib/crypto';
import { createLogger } from '../src/lib/logger';
import { fmt, freshPostgres, percentile } from './lib';
import { seedLeads } from './seed';

const { values } = parseArgs({
  options: { db: { type: 'string', default: 'pg' }, n: { type: 'string' }, runs: { type: 'string', default: '40' } },
});
const usePg = values.db === 'pg';
const n = Number(values.n ?? (usePg ? 1_000_000 : 100_000));
const runs = Number(values.runs);

let peakRss = 0;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-bench-leads-'));
const pg = usePg ? await freshPostgres() : null;
if (usePg && !pg) throw new Error('PostgreSQL is not reachable at 127.0.0.1:5432');
const database: Database = await openDatabase({ databaseUrl: pg?.url, dataDir });
const port = 31_000 + Math.floor(Math.random() * 10_000);
const config = loadConfig({
  DATA_DIR: dataDir,
  PORT: String(port),
  LOG_LEVEL: 'warn',
  AUTH_RATE_LIMIT_PER_MINUTE: '100000',
});
const app = await startApp(config, {
  database,
  keyring: new Keyring([generateDataKey('bench')]),
  log: createLogger('warn'),
});
const base = `http://127.0.0.1:${port}/api/v1`;

try {
  const signup = await fetch(`${base}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Bench Owner',
      email: 'owner@bench.example',
      phone: '+60123456789',
      password: 'bench-password-123',
      companyName: 'Bench',
    }),
  });
  const { user, workspace } = await signup.json();
  const cookie = signup.headers.get('set-cookie')!.split(';')[0]!;
  const session = await (await fetch(`${base}/auth/session`, { headers: { cookie } })).json();
  const headers = { cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' };
  const pipelines = await (await fetch(`${base}/workspaces/${workspace.id}/pipelines`, { headers })).json();
  const pipeline = pipelines.items[0];
  const stageIds: string[] = pipeline.stages.map((s: { id: string }) => s.id);
  const ownerIds = [user.id, ...Array.from({ length: 9 }, (_, i) => `00000000-0000-7000-8000-00000000000${i}`)];
  await fetch(`${base}/workspaces/${workspace.id}/fields`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ entity: 'lead', label: 'Budget', key: 'budget', type: 'number' }),
  });

  console.log(`seeding ${n.toLocaleString()} leads on ${database.kind}…`);
  const seedSeconds = await seedLeads(
    database,
    { workspaceId: workspace.id, pipelineId: pipeline.id, stageIds, ownerIds },
    n,
  );
  console.log(`seeded in ${seedSeconds.toFixed(1)} s`);

  const query = (body: unknown) =>
    fetch(`${base}/workspaces/${workspace.id}/leads/query`, { method: 'POST', headers, body: JSON.stringify(body) });
  async function time(label: string, makeBody: (i: number) => unknown) {
    const samples: number[] = [];
    let last: { items: unknown[]; count: unknown } | null = null;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const res = await query(makeBody(i));
      last = await res.json();
      if (res.status !== 200) throw new Error(`${label}: ${res.status} ${JSON.stringify(last)}`);
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    return {
      label,
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
      rows: last?.items.length ?? 0,
      count: last?.count,
    };
  }

  const from = new Date(Date.now() - 180 * 24 * 3600_000).toISOString();
  const to = new Date(Date.now() - 30 * 24 * 3600_000).toISOString();
  const filtered = {
    filters: [
      { field: 'stage_id', op: 'eq', value: stageIds[1] },
      { field: 'owner_id', op: 'eq', value: user.id },
      { field: 'created_at', op: 'between', value: [from, to] },
      { field: 'custom.budget', op: 'gt', value: 20_000 },
    ],
    sort: { field: 'created_at', direction: 'desc' },
    limit: 50,
  };
  // Cursors 20 pages deep, to time "any later page".
  const cursors: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page = await (await query({ limit: 50, cursor, count: 'none' })).json();
    cursor = page.nextCursor;
    if (!cursor) break;
    cursors.push(cursor);
  }
  // Pages are asked for without a count and the count separately, as the web app does, so a page never waits.
  const results = [
    await time('first page, default view', () => ({ limit: 50, count: 'none' })),
    await time('count of the default view ("auto": exact to 10,000)', () => ({ limit: 1, count: 'auto' })),
    await time('stage + owner + date range + custom field, sorted', () => ({ ...filtered, count: 'none' })),
    await time('count of that filter ("auto")', () => ({ ...filtered, limit: 1, count: 'auto' })),
    await time('page 2–20 of the default view', (i) => ({
      limit: 50,
      cursor: cursors[i % cursors.length],
      count: 'none',
    })),
    await time('sorted by value (nullable), first page', () => ({
      limit: 50,
      sort: { field: 'value', direction: 'desc' },
      count: 'none',
    })),
    await time('search name fragment "rahman"', () => ({ q: 'rahman', limit: 50, count: 'none' })),
    await time('search email fragment "aisha.tan.12"', () => ({ q: 'aisha.tan.12', limit: 50, count: 'none' })),
    await time('search phone fragment "95028"', () => ({ q: '95028', limit: 50, count: 'none' })),
    await time('count of search "rahman" ("auto")', () => ({ q: 'rahman', limit: 1, count: 'auto' })),
    await time('exact count of everything (on request)', () => ({ limit: 1, count: 'exact' })),
  ];

  console.log(
    `\n${database.kind === 'postgres' ? 'PostgreSQL 15' : 'PGlite'}, ${n.toLocaleString()} leads, ${runs} runs each\n`,
  );
  console.log('| query | median ms | p95 ms | rows | count |');
  console.log('|---|---|---|---|---|');
  for (const r of results)
    console.log(`| ${r.label} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${r.rows} | ${JSON.stringify(r.count)} |`);
  console.log(`\nseed: ${seedSeconds.toFixed(1)} s; peak RSS of the process: ${Math.round(peakRss / 1024 / 1024)} MB`);
} finally {
  clearInterval(rssTimer);
  await app.stop();
  await database.close();
  await pg?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
