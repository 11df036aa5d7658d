import { leads } from '../../src/db/schema';
import { newId } from '../../src/lib/ids';
import type { TestApp } from './app';

/**
 * Inserts leads straight into the table, for tests of settings (boards, stage deletion, routing capacity) that need
 * leads to exist but are not about creating them.
 */
export async function seedLeads(
  t: TestApp,
  workspaceId: string,
  rows: Array<{
    pipelineId: string;
    stageId: string;
    ownerId?: string | null;
    value?: number | null;
    name?: string;
    source?: string;
  }>,
): Promise<string[]> {
  if (rows.length === 0) return [];
  const values = rows.map((r, i) => ({
    workspaceId,
    id: newId(),
    contactId: newId(),
    name: r.name ?? `Lead ${i + 1}`,
    search: (r.name ?? `lead ${i + 1}`).toLowerCase(),
    source: (r.source ?? 'manual') as 'manual',
    pipelineId: r.pipelineId,
    stageId: r.stageId,
    ownerId: r.ownerId ?? null,
    value: r.value ?? null,
  }));
  await t.c.db.insert(leads).values(values);
  return values.map((v) => v.id);
}
