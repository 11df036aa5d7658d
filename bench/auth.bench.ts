/**
 * Sign-in and authenticated-request benchmark: `npx tsx bench/auth.bench.ts`.
 * Starts the real server (child process) on PGlite and on PostgreSQL, and reports sign-in latency (argon2id bound),
 * session-authenticated API throughput, and a bare `/healthz` baseline from the same server in the same run.
 */
import { fmt, freshPostgres, load, type ServerHandle, startServer, timeSequential } from './lib';

async function measure(label: string, server: ServerHandle) {
  const email = `bench.${Date.now()}@example.com`;
  const password = 'a-long-benchmark-password';
  const signup = await fetch(`${server.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench', email, phone: '+60123456789', password, companyName: 'Bench Co' }),
  });
  if (signup.status !== 201) throw new Error(`signup failed: ${await signup.text()}`);
  const workspaceId = (await signup.json()).workspace.id as string;

  let cookie = '';
  const signIn = await timeSequential(30, async () => {
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) throw new Error(`login failed ${res.status}`);
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  });
  const headers = { cookie };
  const baseline = await load({ url: `${server.url}/healthz` });
  const session = await load({ url: `${server.url}/api/v1/auth/session`, headers });
  const members = await load({ url: `${server.url}/api/v1/workspaces/${workspaceId}/members`, headers });
  return { label, signIn, baseline, session, members, rss: server.peakRssMb() };
}

const rows: Awaited<ReturnType<typeof measure>>[] = [];
const pglite = await startServer({});
try {
  rows.push(await measure('PGlite', pglite));
} finally {
  await pglite.stop();
}
const pgdb = await freshPostgres();
if (pgdb) {
  const server = await startServer({ DATABASE_URL: pgdb.url });
  try {
    rows.push(await measure('PostgreSQL 15', server));
  } finally {
    await server.stop();
    await pgdb.drop();
  }
}

console.log(
  '\n| database | sign-in p50 / p95 (ms) | GET /healthz req/s (p99 ms) | GET /auth/session req/s (p50 / p99 ms) | GET members req/s (p50 / p99 ms) | peak RSS MB |',
);
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.label} | ${fmt(r.signIn.p50)} / ${fmt(r.signIn.p95)} | ${r.baseline.rps} (${r.baseline.p99}) | ${r.session.rps} (${r.session.p50} / ${r.session.p99}) | ${r.members.rps} (${r.members.p50} / ${r.members.p99}) | ${r.rss} |`,
  );
  if (r.session.non2xx || r.members.non2xx) console.log(`  (non-2xx answers: ${r.session.non2xx + r.members.non2xx})`);
}
