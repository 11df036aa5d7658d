import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

/** Shared pieces of the benchmarks: a real server in a child process, a fresh database, latency summaries. */

export interface ServerHandle {
  url: string;
  pid: number;
  peakRssMb: () => number;
  stop: () => Promise<void>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let serverArgs: string[] | undefined;

/**
 * The arguments `npm start` gives node (`[V8 flags…] dist/leadsboost.mjs start`, from package.json), after building
 * dist/ from the current sources once per benchmark run: a benchmark measures exactly the process `npm start` runs.
 */
function npmStartArgs(): string[] {
  if (serverArgs) return serverArgs;
  const built = spawnSync(process.execPath, [path.join(root, 'scripts/build-server.mjs'), '--quiet'], {
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('could not build the server (scripts/build-server.mjs)');
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [bin, ...args] = pkg.scripts.start.trim().split(/\s+/);
  if (bin !== 'node' || !args.includes('start'))
    throw new Error(`expected "node … start" as the start script, found "${pkg.scripts.start}"`);
  serverArgs = args;
  return args;
}

export async function startServer(env: Record<string, string>): Promise<ServerHandle> {
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'lb-bench-'));
  const child: ChildProcess = spawn(process.execPath, npmStartArgs(), {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb / 1024);
    } catch {}
  }, 200);
  return {
    url,
    pid: child.pid!,
    peakRssMb: () => Math.round(peak),
    stop: async () => {
      clearInterval(sampler);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      if (!env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new database on the PostgreSQL server, or null when none is reachable. */
export async function freshPostgres(
  serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
) {
  const name = `lb_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function timeSequential(n: number, fn: () => Promise<void>) {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), n };
}

export async function load(opts: autocannon.Options) {
  const result = await autocannon({ duration: 8, connections: 10, ...opts });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

export const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
