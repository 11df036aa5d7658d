import { and, asc, eq, inArray, ne, type SQL, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, rowsOf } from '../../db/client';
import { leads, pipelines, stages } from '../../db/schema';

export type PipelineRow = typeof pipelines.$inferSelect;
export type StageRow = typeof stages.$inferSelect;

/** Queries for pipelines and their stages; every one takes `workspaceId` first (after the transaction for writes). */
export class PipelinesRepository {
  constructor(private readonly db: Db) {}

  async listPipelines(workspaceId: string, tx: DbOrTx = this.db): Promise<PipelineRow[]> {
    return tx
      .select()
      .from(pipelines)
      .where(eq(pipelines.workspaceId, workspaceId))
      .orderBy(asc(pipelines.position), asc(pipelines.id));
  }

  async listStages(workspaceId: string, pipelineId?: string, tx: DbOrTx = this.db): Promise<StageRow[]> {
    const conditions: SQL[] = [eq(stages.workspaceId, workspaceId)];
    if (pipelineId) conditions.push(eq(stages.pipelineId, pipelineId));
    return tx
      .select()
      .from(stages)
      .where(and(...conditions))
      .orderBy(asc(stages.pipelineId), asc(stages.position), asc(stages.id));
  }

  async getPipeline(workspaceId: string, pipelineId: string, tx: DbOrTx = this.db): Promise<PipelineRow | undefined> {
    const [row] = await tx
      .select()
      .from(pipelines)
      .where(and(eq(pipelines.workspaceId, workspaceId), eq(pipelines.id, pipelineId)))
      .limit(1);
    return row;
  }

  async getDefaultPipeline(workspaceId: string, tx: DbOrTx = this.db): Promise<PipelineRow | undefined> {
    const [row] = await tx
      .select()
      .from(pipelines)
      .where(and(eq(pipelines.workspaceId, workspaceId), eq(pipelines.isDefault, true)))
      .orderBy(asc(pipelines.position))
      .limit(1);
    return row;
  }

  /**
   * One stage. `lock: 'key share'` keeps it from being deleted until the caller's transaction ends (a lead being
   * placed in it); `lock: 'update'` is taken by whoever deletes or changes it.
   */
  async getStage(
    workspaceId: string,
    stageId: string,
    options: { tx?: DbOrTx; lock?: 'key share' | 'update' } = {},
  ): Promise<StageRow | undefined> {
    const query = (options.tx ?? this.db)
      .select()
      .from(stages)
      .where(and(eq(stages.workspaceId, workspaceId), eq(stages.id, stageId)))
      .limit(1);
    const [row] =
      options.lock === 'key share'
        ? await query.for('key share')
        : options.lock === 'update'
          ? await query.for('update')
          : await query;
    return row;
  }

  /** The first open stage of a pipeline, kept from deletion until the transaction ends. */
  async firstOpenStage(tx: DbOrTx, workspaceId: string, pipelineId: string): Promise<StageRow | undefined> {
    const [row] = await tx
      .select()
      .from(stages)
      .where(and(eq(stages.workspaceId, workspaceId), eq(stages.pipelineId, pipelineId), eq(stages.kind, 'open')))
      .orderBy(asc(stages.position), asc(stages.id))
      .limit(1)
      .for('key share');
    return row;
  }

  /** Serialises changes to which pipeline is the default (and pipeline deletion) within a workspace. */
  async lockPipelines(tx: DbOrTx, workspaceId: string): Promise<PipelineRow[]> {
    return tx
      .select()
      .from(pipelines)
      .where(eq(pipelines.workspaceId, workspaceId))
      .orderBy(asc(pipelines.position), asc(pipelines.id))
      .for('update');
  }

  /**
   * Serialises stage changes within one pipeline ("at least one open stage" holds under concurrency). `no key update`
   * (the default) leaves leads free to be placed in the stages meanwhile; `update` also waits for, and then blocks,
   * placements (for deleting the stages).
   */
  async lockStages(
    tx: DbOrTx,
    workspaceId: string,
    pipelineId: string,
    strength: 'no key update' | 'update' = 'no key update',
  ): Promise<StageRow[]> {
    return tx
      .select()
      .from(stages)
      .where(and(eq(stages.workspaceId, workspaceId), eq(stages.pipelineId, pipelineId)))
      .orderBy(asc(stages.position), asc(stages.id))
      .for(strength);
  }

  async insertPipeline(tx: DbOrTx, row: typeof pipelines.$inferInsert): Promise<PipelineRow> {
    const [created] = await tx.insert(pipelines).values(row).returning();
    return created!;
  }

  async insertStages(tx: DbOrTx, rows: (typeof stages.$inferInsert)[]): Promise<StageRow[]> {
    if (rows.length === 0) return [];
    return tx.insert(stages).values(rows).returning();
  }

  async updatePipeline(
    tx: DbOrTx,
    workspaceId: string,
    pipelineId: string,
    patch: Partial<Pick<PipelineRow, 'name' | 'isDefault' | 'position'>>,
  ): Promise<void> {
    await tx
      .update(pipelines)
      .set(patch)
      .where(and(eq(pipelines.workspaceId, workspaceId), eq(pipelines.id, pipelineId)));
  }

  async clearDefaultExcept(tx: DbOrTx, workspaceId: string, pipelineId: string): Promise<void> {
    await tx
      .update(pipelines)
      .set({ isDefault: false })
      .where(and(eq(pipelines.workspaceId, workspaceId), ne(pipelines.id, pipelineId), eq(pipelines.isDefault, true)));
  }

  async updateStage(
    tx: DbOrTx,
    workspaceId: string,
    stageId: string,
    patch: Partial<Pick<StageRow, 'name' | 'kind' | 'color' | 'position'>>,
  ): Promise<StageRow> {
    const [row] = await tx
      .update(stages)
      .set(patch)
      .where(and(eq(stages.workspaceId, workspaceId), eq(stages.id, stageId)))
      .returning();
    return row!;
  }

  /** Rewrites the positions of a pipeline's stages to the order given (0, 1, 2 …). */
  async setStagePositions(tx: DbOrTx, workspaceId: string, stageIds: string[]): Promise<void> {
    if (stageIds.length === 0) return;
    const cases = sql.join(
      stageIds.map((id, i) => sql`when ${id}::uuid then ${i}::int`),
      sql` `,
    );
    await tx
      .update(stages)
      .set({ position: sql`case ${stages.id} ${cases} end` })
      .where(and(eq(stages.workspaceId, workspaceId), inArray(stages.id, stageIds)));
  }

  async deletePipeline(tx: DbOrTx, workspaceId: string, pipelineId: string): Promise<void> {
    await tx.delete(stages).where(and(eq(stages.workspaceId, workspaceId), eq(stages.pipelineId, pipelineId)));
    await tx.delete(pipelines).where(and(eq(pipelines.workspaceId, workspaceId), eq(pipelines.id, pipelineId)));
  }

  async deleteStage(tx: DbOrTx, workspaceId: string, stageId: string): Promise<void> {
    await tx.delete(stages).where(and(eq(stages.workspaceId, workspaceId), eq(stages.id, stageId)));
  }

  async countLeads(tx: DbOrTx, workspaceId: string, where: { stageId?: string; pipelineId?: string }): Promise<number> {
    const conditions: SQL[] = [eq(leads.workspaceId, workspaceId)];
    if (where.stageId) conditions.push(eq(leads.stageId, where.stageId));
    if (where.pipelineId) conditions.push(eq(leads.pipelineId, where.pipelineId));
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(leads)
      .where(and(...conditions));
    return row?.n ?? 0;
  }

  /** Moves every lead of a stage to another (possibly in another pipeline); returns how many moved. */
  async moveLeads(
    tx: DbOrTx,
    workspaceId: string,
    fromStageId: string,
    to: { pipelineId: string; stageId: string },
  ): Promise<number> {
    const now = new Date();
    const moved = await tx
      .update(leads)
      .set({ pipelineId: to.pipelineId, stageId: to.stageId, stageChangedAt: now, updatedAt: now })
      .where(and(eq(leads.workspaceId, workspaceId), eq(leads.stageId, fromStageId)))
      .returning({ id: leads.id });
    return moved.length;
  }

  /** Count and total value per stage of the leads matching `where` (already scoped to the workspace). */
  async summary(
    workspaceId: string,
    pipelineId: string,
    where: SQL,
  ): Promise<{ stageId: string; count: number; value: number | null }[]> {
    const rows = await this.db.execute(sql`
      select ${leads.stageId} as stage_id, count(*)::int as count, sum(${leads.value})::float8 as value
      from ${leads}
      where ${leads.workspaceId} = ${workspaceId} and ${leads.pipelineId} = ${pipelineId} and ${where}
      group by ${leads.stageId}`);
    return rowsOf<{ stage_id: string; count: number; value: number | string | null }>(rows).map((r) => ({
      stageId: r.stage_id,
      count: Number(r.count),
      value: r.value === null ? null : Number(r.value),
    }));
  }
}
