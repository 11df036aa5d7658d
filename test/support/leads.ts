import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { rowsOf } from '../../src/db/client';
import type { TestApp, TestClient } from './app';

/** Paths and small helpers for the leads, contacts, notes and tasks API. */
export const wsPath = (workspaceId: string) => `/api/v1/workspaces/${workspaceId}`;

export async function createLead(client: TestClient, workspaceId: string, body: Record<string, unknown>) {
  const res = await client.post(`${wsPath(workspaceId)}/leads`, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export async function queryLeads(client: TestClient, workspaceId: string, body: Record<string, unknown> = {}) {
  const res = await client.post(`${wsPath(workspaceId)}/leads/query`, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: any[]; nextCursor: string | null; count: { value: number; exact: boolean } | null };
}

/** The workspace's default pipeline and its stages by name. */
export async function defaultStages(t: TestApp, workspaceId: string) {
  const rows = rowsOf<{ id: string; name: string; pipeline_id: string }>(
    await t.c.db.execute(sql`
      select s.id, s.name, s.pipeline_id from stages s
      join pipelines p on p.workspace_id = s.workspace_id and p.id = s.pipeline_id and p.is_default
      where s.workspace_id = ${workspaceId} order by s.position`),
  );
  expect(rows.length).toBeGreaterThan(1);
  return {
    pipelineId: rows[0]!.pipeline_id,
    byName: Object.fromEntries(rows.map((r) => [r.name, r.id])) as Record<string, string>,
    ids: rows.map((r) => r.id),
  };
}

/** Counts rows of a table in one workspace, with an optional extra condition. */
export async function countRows(t: TestApp, table: string, workspaceId: string, where = sql`true`): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await t.c.db.execute(
      sql`select count(*)::int as n from ${sql.identifier(table)} where workspace_id = ${workspaceId} and ${where}`,
    ),
  );
  return Number(row!.n);
}

/** Stored XSS payloads: the API must hand them back as plain data, never rendered or altered. */
export const XSS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(document.cookie)>',
  "javascript:alert('x')",
  '<svg/onload=alert(1)>',
  '[click](javascript:alert(1))',
];
