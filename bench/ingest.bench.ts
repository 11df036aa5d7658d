/**
 * Lead Ads ingest benchmark (issue 5): `npm run bench:ingest` (= `npx tsx bench/ingest.bench.ts`).
 * Options: `--db postgres|pglite|both` (default both), `--repeat 3`, `--duration 10` (s per load run),
 * `--connections 50`, `--latency-seconds 30`, `--latency-rate 200`, `--skip-latency` (no (d)), `--latency-only`
 * (only (d)), `--cpu-prof DIR` (a V8 CPU profile of the server, written into DIR, which must exist).
 *
 * For each database kind, in one run on this machine:
 *  (a) baseline: bench/ingest-baseline.ts in its own process (verify X-Hub-Signature-256, insert the raw body);
 *  (b) the real server (`npm start`'s process) on POST /webhooks/meta;
 *      both driven by autocannon at the same concurrency with distinct signed leadgen bodies (one leadgen id per
 *      request, so nothing is deduplicated away), alternating a, b, a, b… `--repeat` times; medians reported;
 *  (c) the real server at a fixed 1,000 webhooks/s (autocannon overallRate): p50/p99 acknowledgement latency;
 *  (d) webhook to lead: the Meta simulator creates leads at a steady rate and delivers them to the server, which
 *      fetches each lead from the simulator; the latency from the simulator sending the webhook to the lead being
 *      listed by the API (polled every 100 ms), and to the lead's `createdAt` (when the capture transaction ran).
 * In (a)–(c) the webhooks name a Page no workspace has connected: the server stores each body, answers, and its
 * `meta.inbound` drain reads and marks it, but no Graph fetch follows (that whole path is (d)).
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startSimulator } from '../sim';
import { freshPostgres, percentile, type ServerHandle, startServer } from './lib';

const { values: opts } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    repeat: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'latency-seconds': { type: 'string', default: '30' },
    'latency-rate': { type: 'string', default: '200' },
    'latency-wait': { type: 'string', default: '120' },
    /** Only (d), the webhook-to-lead run. */
    'latency-only': { type: 'boolean', default: false },
    /** Skip (d), the slow webhook-to-lead run (its columns read n/a). */
    'skip-latency': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of the server into this directory (bench/cpu-profile.mjs). */
    'cpu-prof': { type: 'string' },
  },
});
const REPEAT = Number(opts.repeat);
const DURATION = Number(opts.duration);
const CONNECTIONS = Number(opts.connections);
const LAT_SECONDS = Number(opts['latency-seconds']);
const LAT_RATE = Number(opts['latency-rate']);
const FIXED_RATE = 1000;
/** How long (d) waits, after the last lead is created, for every lead to be listed. */
const WAIT_SECONDS = Number(opts['latency-wait']);

const APP_ID = '900000000000099';
const SECRET = 'leadsboost-bench-app-secret-0099';
/** A Page no workspace connects (a–c). */
const UNKNOWN_PAGE = '100000000009999';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load1 = () => os.loadavg()[0]!.toFixed(1);
const ms = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : 'not listed');
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

// Distinct leadgen ids across every run of this process.
let seq = 0;
const runBase = BigInt(Date.now()) * 1000n;

/** A leadgen webhook as Meta sends it (fixtures/meta/webhook-leadgen-single.json), with a new leadgen id. */
function leadgenBody(): string {
  const leadgenId = String(runBase + BigInt(++seq));
  const now = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    object: 'page',
    entry: [
      {
        id: UNKNOWN_PAGE,
        time: now,
        changes: [
          {
            field: 'leadgen',
            value: {
              ad_id: '120200000000000101',
              form_id: '200000000000001',
              leadgen_id: leadgenId,
              created_time: now - 2,
              page_id: UNKNOWN_PAGE,
              adgroup_id: '120200000000000101',
            },
          },
        ],
      },
    ],
  });
}

const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  load: string;
}

async function hammer(url: string, extra: Partial<autocannon.Options> = {}): Promise<LoadResult> {
  const load = load1();
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/meta',
        setupRequest: (req) => {
          const body = leadgenBody();
          return {
            ...req,
            body,
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) },
          };
        },
      },
    ],
    ...extra,
  });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
    load,
  };
}

/** Random ports can collide with another process's; a baseline that could not listen is started again elsewhere. */
async function startBaseline(
  env: Record<string, string>,
  attempts = 3,
): Promise<{ url: string; stop: () => Promise<void> }> {
  try {
    return await startBaselineOnce(env);
  } catch (error) {
    if (attempts <= 1) throw error;
    return startBaseline(env, attempts - 1);
  }
}

async function startBaselineOnce(env: Record<string, string>) {
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/ingest-baseline.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), APP_SECRET: SECRET, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  let ready = false;
  for (let i = 0; i < 600 && !ready && child.exitCode === null; i++) {
    try {
      ready = (await fetch(`${url}/readyz`)).ok;
    } catch {}
    if (!ready) await sleep(100);
  }
  if (!ready) {
    child.kill('SIGTERM');
    throw new Error(`the baseline (bench/ingest-baseline.ts) did not start (exit code ${child.exitCode})`);
  }
  return {
    url,
    stop: async () => {
      // A baseline that already died (its error is on stderr) must not hang the run.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of the API, read field by field.
type Json = any;

/** Cookie jar + CSRF echo over real HTTP, as the web app does. */
class Http {
  cookies = new Map<string, string>();
  csrf: string | null = null;
  constructor(private readonly base: string) {}
  async request(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: Json; location: string }> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${url}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const text = await res.text();
    let json: Json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, json, location: res.headers.get('location') ?? '' };
  }
  get = (url: string) => this.request('GET', url);
  post = (url: string, body: unknown = {}) => this.request('POST', url, body);
}

interface DbResult {
  label: string;
  baseline: LoadResult[];
  server: LoadResult[];
  fixed: LoadResult[];
  latency: {
    leads: number;
    visible: number;
    apiP50: number;
    apiP95: number;
    apiP99: number;
    storedP50: number;
    storedP95: number;
    load: string;
    seconds: number;
    waitedSeconds: number;
  } | null;
  rss: number;
}

async function measureDb(kind: 'postgres' | 'pglite'): Promise<DbResult | null> {
  const pgdb = kind === 'postgres' ? await freshPostgres() : null;
  if (kind === 'postgres' && !pgdb) {
    console.log('PostgreSQL not reachable: skipped');
    return null;
  }
  const label = kind === 'postgres' ? 'PostgreSQL' : 'PGlite';
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-ingest-bench-'));
  const dbEnv: Record<string, string> = pgdb ? { DATABASE_URL: pgdb.url } : {};
  const sim = await startSimulator({ appId: APP_ID, appSecret: SECRET, fast: true, seed: 99 });
  let server: ServerHandle | null = null;
  const result: DbResult = { label, baseline: [], server: [], fixed: [], latency: null, rss: 0 };
  try {
    server = await startServer({
      ...dbEnv,
      ...(opts['cpu-prof']
        ? {
            NODE_OPTIONS: `--import ${path.join(root, 'bench/cpu-profile.mjs')}`,
            CPU_PROFILE_DIR: path.resolve(opts['cpu-prof']),
          }
        : {}),
      DATA_DIR: path.join(dataDir, 'server'),
      META_APP_ID: APP_ID,
      META_APP_SECRET: SECRET,
      META_VERIFY_TOKEN: 'bench',
      META_GRAPH_URL: sim.url,
      META_DIALOG_URL: sim.url,
    });
    if (!opts['latency-only']) await loadRuns(server, result, { ...dbEnv, DATA_DIR: dataDir });
    // (d) webhook to lead, through the whole path.
    if (!opts['skip-latency']) result.latency = await webhookToLead(server, sim, label);
    result.rss = server.peakRssMb();
  } finally {
    await server?.stop();
    await sim.close();
    await pgdb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return result;
}

async function loadRuns(server: ServerHandle, result: DbResult, env: Record<string, string>): Promise<void> {
  const { label } = result;
  // (a) and (b), alternating so that drift in the machine's load hits both alike.
  const baseline = await startBaseline(env);
  try {
    // Warm-up (JIT, pools), not counted.
    await hammer(baseline.url, { duration: 2 });
    await hammer(server.url, { duration: 2 });
    for (let i = 0; i < REPEAT; i++) {
      const b = await hammer(baseline.url);
      result.baseline.push(b);
      const s = await hammer(server.url);
      result.server.push(s);
      console.log(
        `${label} #${i + 1}: baseline ${b.rps}/s (p50 ${b.p50} p99 ${b.p99} ms, load ${b.load}); server ${s.rps}/s (p50 ${s.p50} p99 ${s.p99} ms, load ${s.load}, non-2xx ${s.non2xx}, errors ${s.errors})`,
      );
    }
  } finally {
    await baseline.stop();
  }
  // Let the server's drain catch up before the fixed-rate runs.
  await sleep(3000);
  // (c) fixed rate.
  for (let i = 0; i < REPEAT; i++) {
    const f = await hammer(server.url, { overallRate: FIXED_RATE });
    result.fixed.push(f);
    console.log(`${label} #${i + 1}: at ${FIXED_RATE}/s: ${f.rps}/s, p50 ${f.p50} p99 ${f.p99} ms (load ${f.load})`);
    await sleep(2000);
  }
}

async function webhookToLead(
  server: ServerHandle,
  sim: Awaited<ReturnType<typeof startSimulator>>,
  label: string,
): Promise<DbResult['latency']> {
  const http = new Http(server.url);
  const signup = await http.post('/api/v1/auth/signup', {
    name: 'Bench Owner',
    email: `bench.ingest.${Date.now()}@example.com`,
    phone: '+60123456789',
    password: 'a-long-benchmark-password',
    companyName: 'Bench Realty',
  });
  if (signup.status !== 201) throw new Error(`signup failed: ${JSON.stringify(signup.json)}`);
  const ws = `/api/v1/workspaces/${signup.json.workspace.id}`;
  http.csrf = (await http.get('/api/v1/auth/session')).json.csrfToken;

  const page = sim.createPage({ name: 'Bench Realty', instagram: true });
  const form = sim.createForm({ pageId: page.id, name: 'Quote request' });
  const ad = sim.createAd({ pageId: page.id, formId: form.id, name: 'Video A', campaignName: 'Bench' });
  const start = await http.post(`${ws}/meta/oauth/start`, {});
  const dialog = await fetch(start.json.url, { redirect: 'manual' });
  const callback = new URL(dialog.headers.get('location')!);
  const back = await http.get(`${callback.pathname}${callback.search}`);
  if (!back.location.includes('connected=1')) throw new Error(`Facebook Login failed: ${back.location}`);
  const pages = await http.post(`${ws}/meta/pages`, { pageIds: [page.id] });
  if (pages.status !== 200) throw new Error(`connect page failed: ${JSON.stringify(pages.json)}`);
  sim.configure({ webhookUrl: `${server.url}/webhooks/meta`, batchSize: 1, concurrency: 8 });
  await sleep(2000); // the connect's backfill job

  // The API poller: the newest leads every 100 ms; the first time a lead is listed is when it became visible.
  const seen = new Map<string, { at: number; createdAt: number }>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const t0 = Date.now();
      const res = await http.post(`${ws}/leads/query`, { limit: 100, count: 'none' });
      const at = Date.now();
      if (res.status === 200) {
        for (const l of res.json.items) {
          if (l.externalId && !seen.has(l.externalId))
            seen.set(l.externalId, { at, createdAt: Date.parse(l.createdAt) });
        }
      }
      await sleep(Math.max(0, 100 - (at - t0)));
    }
  })();

  const load = load1();
  const ids: string[] = [];
  const t0 = performance.now();
  const tickMs = 50;
  const total = LAT_RATE * LAT_SECONDS;
  while (ids.length < total) {
    // Steady rate: catch up with the schedule rather than drift when a tick runs late.
    const due = Math.min(total, Math.round(((performance.now() - t0) / 1000) * LAT_RATE) + 1);
    while (ids.length < due) ids.push(sim.createLead({ formId: form.id, adId: ad.id }).id);
    await sleep(tickMs);
  }
  const seconds = (performance.now() - t0) / 1000;
  const createdAt = Date.now();
  const deadline = createdAt + WAIT_SECONDS * 1000;
  while (Date.now() < deadline && ids.some((id) => !seen.has(id))) await sleep(200);
  polling = false;
  await poller;

  const sentAt = new Map<string, number>();
  for (const d of sim.deliveries()) {
    if (d.duplicateOf) continue;
    const at = d.attempts === 1 && d.lastAttemptAt ? Date.parse(d.lastAttemptAt) : Date.parse(d.createdAt);
    for (const id of d.leadgenIds) if (!sentAt.has(id)) sentAt.set(id, at);
  }
  // A lead not listed by the deadline counts as infinitely late, so the percentiles never flatter a backlog.
  const api: number[] = [];
  const stored: number[] = [];
  for (const id of ids) {
    const s = sentAt.get(id);
    const v = seen.get(id);
    api.push(s === undefined || !v ? Number.POSITIVE_INFINITY : v.at - s);
    stored.push(s === undefined || !v ? Number.POSITIVE_INFINITY : v.createdAt - s);
  }
  // Where the slow ones are: p50 / p95 per 5 s of sending (a warm-up spike and a steady backlog look different).
  const windows: string[] = [];
  const perWindow = LAT_RATE * 5;
  for (let i = 0; i < api.length; i += perWindow) {
    const w = api.slice(i, i + perWindow).sort((a, b) => a - b);
    windows.push(`${ms(percentile(w, 50))}/${ms(percentile(w, 95))}`);
  }
  api.sort((a, b) => a - b);
  stored.sort((a, b) => a - b);
  const r = {
    leads: ids.length,
    visible: api.filter(Number.isFinite).length,
    apiP50: percentile(api, 50),
    apiP95: percentile(api, 95),
    apiP99: percentile(api, 99),
    storedP50: percentile(stored, 50),
    storedP95: percentile(stored, 95),
    load,
    seconds,
    waitedSeconds: Math.round((Date.now() - createdAt) / 1000),
  };
  console.log(
    `${label}: webhook → lead at ${LAT_RATE}/s for ${seconds.toFixed(0)} s: ${r.visible}/${r.leads} listed ${r.waitedSeconds} s after the last was created; API p50 ${ms(r.apiP50)} p95 ${ms(r.apiP95)} p99 ${ms(r.apiP99)} ms; createdAt p50 ${ms(r.storedP50)} p95 ${ms(r.storedP95)} ms (load ${load})`,
  );
  console.log(`${label}: API p50/p95 ms per 5 s of sending: ${windows.join(', ')}`);
  return r;
}

const kinds: ('postgres' | 'pglite')[] =
  opts.db === 'both' ? ['postgres', 'pglite'] : [opts.db === 'pglite' ? 'pglite' : 'postgres'];
const results: DbResult[] = [];
for (const kind of kinds) {
  const r = await measureDb(kind);
  if (r) results.push(r);
}

/** A median for the table, or n/a for a part that did not run (`--latency-only`). */
const cell = (xs: number[]) => (xs.length ? median(xs) : 'n/a');
const range = (xs: string[]) => {
  const n = xs.map(Number).sort((a, b) => a - b);
  return n.length ? `${n[0]}–${n.at(-1)}` : 'n/a';
};
console.log(
  `\n${CONNECTIONS} connections, ${DURATION} s per run, median of ${REPEAT} runs; ${new Date().toISOString().slice(0, 10)}\n`,
);
console.log(
  '| database | baseline acks/s (p50 / p99 ms) | server acks/s (p50 / p99 ms) | server ÷ baseline | p50 / p99 ms at 1,000/s | webhook → lead in API p50 / p95 ms | → createdAt p50 / p95 ms | peak RSS MB | load |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const b = cell(r.baseline.map((x) => x.rps));
  const s = cell(r.server.map((x) => x.rps));
  const l = r.latency;
  console.log(
    `| ${r.label} | ${b} (${cell(r.baseline.map((x) => x.p50))} / ${cell(r.baseline.map((x) => x.p99))}) | ${s} (${cell(r.server.map((x) => x.p50))} / ${cell(r.server.map((x) => x.p99))}) | ${typeof s === 'number' && typeof b === 'number' ? `${Math.round((100 * s) / b)} %` : 'n/a'} | ${cell(r.fixed.map((x) => x.p50))} / ${cell(r.fixed.map((x) => x.p99))} | ${l ? `${ms(l.apiP50)} / ${ms(l.apiP95)} (${l.visible}/${l.leads} listed)` : 'n/a'} | ${l ? `${ms(l.storedP50)} / ${ms(l.storedP95)}` : 'n/a'} | ${r.rss} | ${range([...r.baseline, ...r.server, ...r.fixed].map((x) => x.load))} |`,
  );
  const bad = [...r.server, ...r.fixed].reduce((a, x) => a + x.non2xx + x.errors, 0);
  if (bad) console.log(`  (${r.label}: ${bad} non-2xx answers or errors from the server)`);
}
