import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/db/client';
import { newId } from '../../src/lib/ids';
import type { Res, TestApp, TestClient } from './app';

/** A multipart/form-data body with one file part, built by hand (what a browser sends). */
export function multipartFile(content: Buffer | string, filename = 'leads.csv', field = 'file') {
  const boundary = `----lbtest${randomBytes(8).toString('hex')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`;
  const body = Buffer.concat([
    Buffer.from(head),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function uploadCsv(
  client: TestClient,
  workspaceId: string,
  content: Buffer | string,
  filename = 'leads.csv',
): Promise<Res> {
  const { body, contentType } = multipartFile(content, filename);
  return client.request('POST', `/api/v1/workspaces/${workspaceId}/imports`, body, { 'content-type': contentType });
}

/** The workspace's default pipeline and its stages (a pipeline is made when the workspace has none yet). */
export async function ensurePipeline(
  t: TestApp,
  workspaceId: string,
): Promise<{ pipelineId: string; stageIds: string[] }> {
  const existing = rowsOf<{ id: string }>(
    await t.c.db.execute(
      sql`select id from pipelines where workspace_id = ${workspaceId} order by is_default desc, position limit 1`,
    ),
  );
  let pipelineId = existing[0]?.id;
  if (!pipelineId) {
    pipelineId = newId();
    await t.c.db.execute(
      sql`insert into pipelines (workspace_id, id, name, position, is_default) values (${workspaceId}, ${pipelineId}, 'Sales', 0, true)`,
    );
    for (const [i, name] of ['New', 'Contacted', 'Qualified'].entries()) {
      await t.c.db.execute(
        sql`insert into stages (workspace_id, id, pipeline_id, name, position) values (${workspaceId}, ${newId()}, ${pipelineId}, ${name}, ${i})`,
      );
    }
  }
  const stageIds = rowsOf<{ id: string }>(
    await t.c.db.execute(
      sql`select id from stages where workspace_id = ${workspaceId} and pipeline_id = ${pipelineId} order by position`,
    ),
  ).map((r) => r.id);
  return { pipelineId, stageIds };
}

export async function count(t: TestApp, query: ReturnType<typeof sql>): Promise<number> {
  return Number(rowsOf<{ n: number | string }>(await t.c.db.execute(query))[0]!.n);
}

export async function operationOf(t: TestApp, workspaceId: string, operationId: string) {
  return rowsOf<{
    status: string;
    total: number | null;
    processed: number;
    details: Record<string, any>;
    error: string | null;
  }>(
    await t.c.db.execute(
      sql`select status, total, processed, details, error from operations where workspace_id = ${workspaceId} and id = ${operationId}`,
    ),
  )[0]!;
}
