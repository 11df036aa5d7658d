/**
 * Shows the plans and timings of the leads queries straight from compileLeadQuery, without the HTTP layer:
 * `npx tsx bench/explain.ts [--n 1000000]` (PostgreSQL). Useful when changing indexes.
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { openDatabase, rowsOf } from '../src/db/client';
import { leads } from '../src/db/schema';
import { compileLeadQuery, type LeadQuery } from '../src/domains/leads/lead-query';
import { freshPostgres } from './lib';
import { seedLeads } from './seed';

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000000' } } });
const pg = (await freshPostgres())!;
const database = await openDatabase({ databaseUrl: pg.url, dataDir: 'unused' });
await database.migrate();
const workspaceId = uuidv7();
const pipelineId = uuidv7();
const stageIds = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()];
const ownerIds = Array.from({ length: 10 }, () => uuidv7());
await database.pool!.query(`insert into workspaces (id, name) values ($1, 'x')`, [workspaceId]);
console.log(
  'seed s',
  (await seedLeads(database, { workspaceId, pipelineId, stageIds, ownerIds }, Number(values.n))).toFixed(1),
);
const fields = [{ key: 'budget', label: 'Budget', type: 'number' as const, required: false, options: [] }];

async function explain(label: string, q: Partial<LeadQuery>, cursor?: string) {
  const query: LeadQuery = { filters: [], sort: { field: 'created_at', direction: 'desc' }, ...q };
  const c = compileLeadQuery(workspaceId, query, fields, { cursor });
  const stmt = sql`explain (analyze, buffers off) select ${leads.id}, ${c.sortExpr} as sort_value from ${leads} where ${c.where} order by ${sql.join(c.orderBy, sql`, `)} limit 51`;
  const plan = rowsOf<{ 'QUERY PLAN': string }>(await database.db.execute(stmt)).map((r) => r['QUERY PLAN']);
  console.log(
    `\n== ${label}\n${plan
      .filter((l) => /Scan|Execution Time|Sort|Limit|Bitmap/.test(l))
      .slice(0, 8)
      .join('\n')}`,
  );
}
const from = new Date(Date.now() - 180 * 86400_000).toISOString();
const to = new Date(Date.now() - 30 * 86400_000).toISOString();
await explain('default', {});
await explain('filtered', {
  filters: [
    { field: 'stage_id', op: 'eq', value: stageIds[1] },
    { field: 'owner_id', op: 'eq', value: ownerIds[0] },
    { field: 'created_at', op: 'between', value: [from, to] },
    { field: 'custom.budget', op: 'gt', value: 20000 },
  ],
});
await explain('search name', { q: 'rahman' });
await explain('search email', { q: 'aisha.tan.12' });
await explain('search phone', { q: '2345678' });
await explain('sort value', { sort: { field: 'value', direction: 'desc' } });
const t0 = performance.now();
await database.pool!.query(`select count(*) from (select 1 from leads where workspace_id = $1 limit 10001) t`, [
  workspaceId,
]);
console.log('\ncapped count ms', (performance.now() - t0).toFixed(1));
await database.close();
await pg.drop();
