/**
 * CSV import and export at scale: `npx tsx bench/import-export.bench.ts [--db pg|pglite] [--n 1000000]`
 * (defaults: PostgreSQL with 1,000,000 rows; PGlite with 100,000).
 *
 * Everything is measured in one run, on one machine, against the real server in a child process:
 * 1. A realistic CSV file (9 columns) is generated on disk, streamed, together with the rows an import of it stores.
 * 2. Baseline: a raw `COPY` of exactly those rows (contacts, contact identities, leads) into the same tables, with
 *    the same indexes, of a fresh workspace; then the tables are emptied again, so the import starts from the same
 *    state.
 * 3. Import through the product path: `POST /imports` (upload, timed on its own), `POST /imports/:id/start`, then the
 *    job runs in the server's worker (the same process, role `all`) until `GET /operations/:id` says succeeded. The
 *    server is a fresh process; its RSS is sampled every 100 ms.
 * 4. Export of all leads through `GET /leads/export?format=csv` and `format=jsonl`, each from a fresh server process,
 *    read from a real socket and counted (never held); RSS sampled every 100 ms.
 * BENCH_KEEP=1 keeps the database and the generated files (to look at plans afterwards).
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openDatabase } from '../src/db/client';
import { searchTextOf } from '../src/domains/contacts/identity';
import { newId } from '../src/lib/ids';
import { toE164 } from '../src/lib/phone';
import { freshPostgres, type ServerHandle, startServer } from './lib';
import { copyCell, FIRST_NAMES as FIRST, LAST_NAMES as LAST, rng, TAGS } from './seed';

const { values } = parseArgs({ options: { db: { type: 'string', default: 'pg' }, n: { type: 'string' } } });
const usePg = values.db === 'pg';
const N = Number(values.n ?? (usePg ? 1_000_000 : 100_000));
const TARGET = { importRatio: 0.25, importRssMb: 300, exportRowsPerSec: 100_000, exportRssMb: 200 };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lb-bench-io-'));
const dataDir = path.join(tmp, 'data');
const pgDb = usePg ? await freshPostgres() : null;
if (usePg && !pgDb) throw new Error('PostgreSQL is not reachable at 127.0.0.1:5432');
const serverEnv: Record<string, string> = { DATA_DIR: dataDir, ...(pgDb ? { DATABASE_URL: pgDb.url } : {}) };

// ---------------------------------------------------------------------------------------------------------------
// Server processes and their memory

interface Sampled {
  server: ServerHandle;
  api: string;
  /** RSS of the started server before any work (the floor under every peak). */
  idleMb: number;
  peakMb: () => number;
  stop: () => Promise<void>;
}

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function server(): Promise<Sampled> {
  const s = await startServer(serverEnv);
  await sleep(1000);
  const idle = rssMb(s.pid);
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(s.pid));
  }, 100);
  return {
    server: s,
    api: `${s.url}/api/v1`,
    idleMb: Math.round(idle),
    peakMb: () => Math.round(peak),
    stop: async () => {
      clearInterval(timer);
      await s.stop();
    },
  };
}

let cookie = '';
let csrf = '';
const headers = () => ({ cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' });
// biome-ignore lint/suspicious/noExplicitAny: JSON from the API, checked where it is used
async function call<T = any>(api: string, method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${api}${url}`, {
    method,
    headers: headers(),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

async function signup(api: string, email: string, company: string) {
  const res = await fetch(`${api}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Bench Owner',
      email,
      phone: '+60123456789',
      password: 'bench-password-123',
      companyName: company,
    }),
  });
  if (!res.ok) throw new Error(`signup: ${res.status} ${await res.text()}`);
  const { workspace } = await res.json();
  const c = res.headers.get('set-cookie')!.split(';')[0]!;
  return { workspaceId: workspace.id as string, cookie: c };
}

// ---------------------------------------------------------------------------------------------------------------
// The data: one CSV file and, row for row, what an import of it stores (as COPY text)

const CITIES = [
  'Kuala Lumpur',
  'Petaling Jaya',
  'Shah Alam',
  'George Town',
  'Johor Bahru',
  'Ipoh',
  'Kota Kinabalu',
  'Kuching',
  'Melaka',
  'Seremban',
];
const CAMPAIGNS = [
  'Raya Promo 2026',
  'CNY Sale',
  'Year End Clearance',
  'Brand Awareness',
  'Retargeting Q3',
  'Webinar Signups, KL',
];
const CSV_HEADER = ['name', 'email', 'phone', 'city', 'campaign', 'budget', 'stage', 'tags', 'created_at'];
const MAPPING = {
  '0': 'name',
  '1': 'email',
  '2': 'phone',
  '3': 'city',
  '4': 'campaign_name',
  '5': 'custom.budget',
  '6': 'stage',
  '7': 'tags',
  '8': 'created_at',
};

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const copyLine = (cells: (string | number | null)[]) => `${cells.map(copyCell).join('\t')}\n`;

interface Target {
  workspaceId: string;
  pipelineId: string;
  stages: { id: string; name: string }[];
}

/** Writes leads.csv and contacts/identities/leads COPY files of the same N rows; constant memory. */
async function generate(target: Target) {
  const files = {
    csv: path.join(tmp, 'leads.csv'),
    contacts: path.join(tmp, 'contacts.copy'),
    identities: path.join(tmp, 'identities.copy'),
    leads: path.join(tmp, 'leads.copy'),
  };
  const out = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, createWriteStream(f)])) as Record<
    keyof typeof files,
    ReturnType<typeof createWriteStream>
  >;
  const buf: Record<keyof typeof files, string[]> = {
    csv: [CSV_HEADER.join(',') + '\n'],
    contacts: [],
    identities: [],
    leads: [],
  };
  const flush = async () => {
    await Promise.all(
      (Object.keys(out) as (keyof typeof files)[]).map(
        (k) =>
          new Promise<void>((resolve) => {
            const text = buf[k].join('');
            buf[k] = [];
            if (out[k].write(text)) resolve();
            else out[k].once('drain', resolve);
          }),
      ),
    );
  };
  const r = rng(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const now = new Date().toISOString();
  const twoYears = 2 * 365 * 24 * 3600_000;
  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    // 1% of names need quoting in the CSV.
    const name = r() < 0.01 ? `${last}, ${first}` : `${first} ${last}`;
    const emailShown = `${first}.${last}.${i}@Example.com`.replace(/\s+/g, '');
    const email = emailShown.toLowerCase();
    const local = String(1_000_000 + ((i * 7919) % 8_999_999));
    const hasPhone = r() < 0.9;
    const phoneShown = hasPhone ? `012-${local.slice(0, 3)} ${local.slice(3)}` : '';
    const phone = hasPhone ? `+6012${local}` : null;
    if (i < 200 && phone && toE164(phoneShown, 'MY') !== phone) throw new Error(`phone ${phoneShown} → ${phone}?`);
    const city = pick(CITIES);
    const campaign = pick(CAMPAIGNS);
    const budget = Math.round(r() * 50_000);
    const stage = pick(target.stages);
    const tags = r() < 0.4 ? [...new Set([pick(TAGS), ...(r() < 0.3 ? [pick(TAGS)] : [])])] : [];
    const created = new Date(Date.parse(now) - Math.floor(r() * twoYears)).toISOString();
    buf.csv.push(
      `${[name, emailShown, phoneShown, city, campaign, String(budget), stage.name, tags.join(';'), created].map(csvCell).join(',')}\n`,
    );
    const contactId = newId();
    const leadId = newId();
    const ws = target.workspaceId;
    buf.contacts.push(copyLine([ws, contactId, name, email, phone, 'f', city, created, now]));
    buf.identities.push(copyLine([ws, 'email', email, contactId]));
    if (phone) buf.identities.push(copyLine([ws, 'phone', phone, contactId]));
    buf.leads.push(
      copyLine([
        ws,
        leadId,
        contactId,
        name,
        email,
        phone,
        searchTextOf(name, email, phone),
        'import',
        campaign,
        target.pipelineId,
        stage.id,
        JSON.stringify({ budget }),
        `{${tags.join(',')}}`,
        created,
        now,
        created,
      ]),
    );
    if (buf.csv.length >= 5000) await flush();
  }
  await flush();
  await Promise.all(Object.values(out).map((s) => new Promise((resolve) => s.end(resolve))));
  return { files, seconds: (Date.now() - t0) / 1000, csvBytes: statSync(files.csv).size };
}

const COPY_TABLES = [
  ['contacts', 'contacts', 'workspace_id, id, name, email, phone, phone_invalid, city, created_at, updated_at'],
  ['identities', 'contact_identities', 'workspace_id, kind, value, contact_id'],
  [
    'leads',
    'leads',
    'workspace_id, id, contact_id, name, email, phone, search, source, campaign_name, pipeline_id, stage_id, custom, tags, created_at, updated_at, stage_changed_at',
  ],
] as const;

/** The baseline: COPY of the generated rows, table by table, on one connection; then the tables are emptied. */
async function baselineCopy(
  files: Record<string, string>,
): Promise<{ seconds: number; perTable: Record<string, number> }> {
  const perTable: Record<string, number> = {};
  if (pgDb) {
    const client = new pg.Client({ connectionString: pgDb.url });
    await client.connect();
    try {
      for (const [key, table, cols] of COPY_TABLES) {
        const t0 = performance.now();
        await pipeline(
          createReadStream(files[key]!, { highWaterMark: 1024 * 1024 }),
          client.query(copyFrom(`COPY ${table} (${cols}) FROM STDIN`)),
        );
        perTable[table] = (performance.now() - t0) / 1000;
      }
      await client.query('TRUNCATE contacts, contact_identities, leads');
    } finally {
      await client.end();
    }
  } else {
    const database = await openDatabase({ dataDir });
    const lite = database.pglite!;
    try {
      for (const [key, table, cols] of COPY_TABLES) {
        const t0 = performance.now();
        // PGlite reads COPY input from a Blob: the file goes in slices of whole lines (~16 MB) to bound memory.
        const fh = await open(files[key]!);
        try {
          let carry = Buffer.alloc(0);
          const chunk = Buffer.alloc(16 * 1024 * 1024);
          for (;;) {
            const { bytesRead } = await fh.read(chunk, 0, chunk.length);
            const data = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
            const cut = bytesRead ? data.lastIndexOf(0x0a) + 1 : data.length;
            if (cut > 0)
              await lite.query(`COPY ${table} (${cols}) FROM '/dev/blob'`, [], {
                blob: new Blob([data.subarray(0, cut)]),
              });
            carry = Buffer.from(data.subarray(cut));
            if (!bytesRead) break;
          }
        } finally {
          await fh.close();
        }
        perTable[table] = (performance.now() - t0) / 1000;
      }
      await lite.exec('TRUNCATE contacts, contact_identities, leads');
    } finally {
      await database.close();
    }
  }
  return { seconds: Object.values(perTable).reduce((a, b) => a + b, 0), perTable };
}

/** Streams the file as multipart/form-data to POST /imports (never held in memory). */
function upload(api: string, workspaceId: string, file: string): Promise<{ operationId: string }> {
  const boundary = `----lbbench${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="leads.csv"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = statSync(file).size;
  const url = new URL(`${api}/workspaces/${workspaceId}/imports`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: {
          cookie,
          'x-csrf-token': csrf,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + size + tail.length),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () =>
          res.statusCode === 201 ? resolve(JSON.parse(body)) : reject(new Error(`upload: ${res.statusCode} ${body}`)),
        );
      },
    );
    req.on('error', reject);
    req.write(head);
    const rs = createReadStream(file, { highWaterMark: 1024 * 1024 });
    rs.on('error', reject);
    rs.on('end', () => req.end(tail));
    rs.pipe(req, { end: false });
  });
}

/** GET the export over a socket, counting bytes and lines as they arrive. */
function download(url: string): Promise<{ bytes: number; lines: number; seconds: number; firstByteMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstByteMs = 0;
    let bytes = 0;
    let lines = 0;
    http
      .get(url, { headers: { cookie } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`export: ${res.statusCode}`));
        res.on('data', (chunk: Buffer) => {
          if (!bytes) firstByteMs = performance.now() - t0;
          bytes += chunk.length;
          let at = chunk.indexOf(0x0a);
          while (at !== -1) {
            lines++;
            at = chunk.indexOf(0x0a, at + 1);
          }
        });
        res.on('end', () => resolve({ bytes, lines, seconds: (performance.now() - t0) / 1000, firstByteMs }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const num = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

try {
  // Setup: the workspace that imports (owner signed in) and a second, fresh workspace for the baseline.
  let s = await server();
  const owner = await signup(s.api, 'owner@bench.example', 'Bench');
  cookie = owner.cookie;
  csrf = (await call(s.api, 'GET', '/auth/session')).csrfToken;
  const wsId = owner.workspaceId;
  const pipelines = await call(s.api, 'GET', `/workspaces/${wsId}/pipelines`);
  const stages = (pipelines.items[0].stages as { id: string; name: string }[]).map(({ id, name }) => ({ id, name }));
  await call(s.api, 'POST', `/workspaces/${wsId}/fields`, {
    entity: 'lead',
    label: 'Budget',
    key: 'budget',
    type: 'number',
  });
  const other = await signup(s.api, 'baseline@bench.example', 'Baseline');
  const otherPipelines = await fetch(`${s.api}/workspaces/${other.workspaceId}/pipelines`, {
    headers: { cookie: other.cookie },
  }).then((r) => r.json());
  const otherPipeline = otherPipelines.items[0];
  await s.stop();

  const load = () => os.loadavg()[0]!.toFixed(1);
  console.log(
    `${usePg ? 'PostgreSQL' : 'PGlite'}, ${num(N)} rows; load average ${load()} on ${os.cpus().length} cores`,
  );
  const byName = new Map(stages.map((st) => [st.name, st]));
  const gen = await generate({
    workspaceId: other.workspaceId,
    pipelineId: otherPipeline.id,
    // The baseline workspace's stages, by the same names as the importing workspace's.
    stages: (otherPipeline.stages as { id: string; name: string }[]).filter((st) => byName.has(st.name)),
  });
  console.log(
    `generated ${(gen.csvBytes / 1e6).toFixed(0)} MB of CSV and the COPY files in ${gen.seconds.toFixed(1)} s`,
  );

  // (a) Baseline.
  const base = await baselineCopy(gen.files);
  const baseRate = N / base.seconds;
  console.log(
    `baseline COPY: ${base.seconds.toFixed(1)} s (${Object.entries(base.perTable)
      .map(([t, sec]) => `${t} ${sec.toFixed(1)} s`)
      .join(', ')}), load ${load()}`,
  );

  // (b) Import through the product: a fresh server process, upload, start, the job until done.
  s = await server();
  const tUp = performance.now();
  const up = await upload(s.api, wsId, gen.files.csv);
  const uploadSeconds = (performance.now() - tUp) / 1000;
  const tStart = performance.now();
  await call(s.api, 'POST', `/workspaces/${wsId}/imports/${up.operationId}/start`, {
    mapping: MAPPING,
    upsertKey: 'email',
    defaults: {},
  });
  let op: { status: string; error: string | null; details: { created?: number; rejected?: number } };
  for (;;) {
    op = await call(s.api, 'GET', `/workspaces/${wsId}/operations/${up.operationId}`);
    if (op.status === 'succeeded' || op.status === 'failed') break;
    await sleep(100);
  }
  const importSeconds = (performance.now() - tStart) / 1000;
  const importRss = s.peakMb();
  const importIdle = s.idleMb;
  await s.stop();
  if (op.status !== 'succeeded') throw new Error(`import failed: ${op.error}`);
  if (op.details.created !== N)
    throw new Error(`import created ${op.details.created} of ${N} (rejected ${op.details.rejected})`);
  const importRate = N / importSeconds;
  console.log(
    `upload ${uploadSeconds.toFixed(1)} s; import ${importSeconds.toFixed(1)} s; peak RSS ${importRss} MB; load ${load()}`,
  );

  // (c) Export, CSV and JSON lines, each from a fresh server process.
  const exports: Record<string, { rate: number; rss: number; idle: number; mb: number; firstByteMs: number }> = {};
  for (const format of ['csv', 'jsonl'] as const) {
    s = await server();
    const got = await download(`${s.api}/workspaces/${wsId}/leads/export?format=${format}`);
    const rss = s.peakMb();
    const idle = s.idleMb;
    await s.stop();
    const rows = format === 'csv' ? got.lines - 1 : got.lines;
    if (rows !== N) throw new Error(`${format} export produced ${rows} rows, not ${N}`);
    exports[format] = { rate: N / got.seconds, rss, idle, mb: got.bytes / 1e6, firstByteMs: got.firstByteMs };
    console.log(
      `export ${format}: ${got.seconds.toFixed(1)} s, ${(got.bytes / 1e6).toFixed(0)} MB; peak RSS ${rss} MB; load ${load()}`,
    );
  }

  const ok = (pass: boolean) => (pass ? 'yes' : '**no**');
  const ratio = importRate / baseRate;
  console.log(
    `\n${usePg ? 'PostgreSQL 15' : 'PGlite 0.5'}, ${num(N)} rows, ${os.cpus().length} cores, load average now ${load()}\n`,
  );
  console.log('| measure | result | target | met |');
  console.log('|---|---|---|---|');
  console.log(
    `| baseline: raw COPY of the same rows (contacts + identities + leads) | ${num(baseRate)} rows/s | – | – |`,
  );
  console.log(`| import (upload → start → job done) | ${num(importRate)} rows/s | – | – |`);
  console.log(`| import ÷ baseline | ${(ratio * 100).toFixed(0)} % | ≥ 25 % | ${ok(ratio >= TARGET.importRatio)} |`);
  console.log(
    `| import, peak RSS of the server (idle: ${importIdle} MB) | ${importRss} MB | < ${TARGET.importRssMb} MB | ${ok(importRss < TARGET.importRssMb)} |`,
  );
  for (const [format, e] of Object.entries(exports)) {
    console.log(
      `| export ${format.toUpperCase()} (${e.mb.toFixed(0)} MB, first byte ${e.firstByteMs.toFixed(0)} ms) | ${num(e.rate)} rows/s | ≥ 100,000 rows/s | ${ok(e.rate >= TARGET.exportRowsPerSec)} |`,
    );
    console.log(
      `| export ${format.toUpperCase()}, peak RSS of the server (idle: ${e.idle} MB) | ${e.rss} MB | < ${TARGET.exportRssMb} MB | ${ok(e.rss < TARGET.exportRssMb)} |`,
    );
  }
  console.log(
    `\nupload of the ${(gen.csvBytes / 1e6).toFixed(0)} MB file (not in the import rate): ${uploadSeconds.toFixed(1)} s`,
  );
} finally {
  // BENCH_KEEP=1 keeps the database (to look at plans afterwards).
  if (process.env.BENCH_KEEP) console.log(`kept ${pgDb?.url ?? dataDir}`);
  else await pgDb?.drop();
  if (!process.env.BENCH_KEEP) rmSync(tmp, { recursive: true, force: true });
}
