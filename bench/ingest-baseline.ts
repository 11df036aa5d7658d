/**
 * The ingest benchmark's baseline (bench/ingest.bench.ts): the least a webhook receiver can do durably. A bare Fastify
 * server that verifies `X-Hub-Signature-256` over the raw body and inserts the raw body into one table, nothing else
 * (no queue, no parsing beyond the signature). Run as its own process, like the real server:
 *
 *   PORT=4300 APP_SECRET=… DATABASE_URL=postgres://… node --import tsx bench/ingest-baseline.ts
 *   PORT=4300 APP_SECRET=… DATA_DIR=/tmp/x node --import tsx bench/ingest-baseline.ts   (PGlite)
 *
 * `GET /readyz` answers once the table exists.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import Fastify from 'fastify';
import pg from 'pg';

const port = Number(process.env.PORT ?? 4300);
const secret = process.env.APP_SECRET ?? '';
if (!secret) throw new Error('APP_SECRET is required');

const TABLE = `create table if not exists baseline_events (
  id uuid primary key,
  received_at timestamptz not null default now(),
  body text not null
)`;

let insert: (id: string, body: string) => Promise<unknown>;
let close: () => Promise<void>;
if (process.env.DATABASE_URL) {
  // The same pool size the server uses (src/db/client.ts).
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  await pool.query(TABLE);
  insert = (id, body) => pool.query('insert into baseline_events (id, body) values ($1, $2)', [id, body]);
  close = () => pool.end();
} else {
  const dir = path.resolve(process.env.DATA_DIR ?? '.', 'baseline-pglite');
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  await db.exec(TABLE);
  insert = (id, body) => db.query('insert into baseline_events (id, body) values ($1, $2)', [id, body]);
  close = () => db.close();
}

const verify = (raw: Buffer, header: unknown): boolean => {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice(7), 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
};

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.get('/readyz', async () => ({ ok: true }));
app.post('/webhooks/meta', async (req, reply) => {
  const raw = req.body as Buffer;
  if (!Buffer.isBuffer(raw) || !verify(raw, req.headers['x-hub-signature-256'])) return reply.code(401).send();
  await insert(randomUUID(), raw.toString('utf8'));
  return reply.type('text/plain; charset=utf-8').send('EVENT_RECEIVED');
});
await app.listen({ port, host: '127.0.0.1' });

const shutdown = () => {
  app
    .close()
    .then(close)
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
