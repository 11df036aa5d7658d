import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { operations } from '../../db/schema';

export type OperationRow = typeof operations.$inferSelect;
export type OperationKind = OperationRow['kind'];
export type OperationStatus = OperationRow['status'];

/** Queries for operations (imports, exports, bulk actions); every one takes `workspaceId` first. */
export class OperationsRepository {
  constructor(private readonly db: Db) {}

  async insert(tx: DbOrTx, row: typeof operations.$inferInsert): Promise<OperationRow> {
    const [created] = await tx.insert(operations).values(row).returning();
    return created!;
  }

  async get(workspaceId: string, operationId: string, tx: DbOrTx = this.db): Promise<OperationRow | undefined> {
    const [row] = await tx
      .select()
      .from(operations)
      .where(and(eq(operations.workspaceId, workspaceId), eq(operations.id, operationId)))
      .limit(1);
    return row;
  }

  async list(workspaceId: string, options: { kind?: OperationKind; limit: number }): Promise<OperationRow[]> {
    const conditions: SQL[] = [eq(operations.workspaceId, workspaceId)];
    if (options.kind) conditions.push(eq(operations.kind, options.kind));
    return this.db
      .select()
      .from(operations)
      .where(and(...conditions))
      .orderBy(desc(operations.createdAt), desc(operations.id))
      .limit(options.limit);
  }

  /**
   * Updates progress or the outcome. `details` is merged into the stored object (top-level keys), so callers send only
   * what changed. Returns undefined when the operation does not exist.
   */
  async update(
    workspaceId: string,
    operationId: string,
    patch: {
      status?: OperationStatus;
      processed?: number;
      total?: number | null;
      error?: string | null;
      finishedAt?: Date | null;
      details?: Record<string, unknown>;
    },
    tx: DbOrTx = this.db,
  ): Promise<OperationRow | undefined> {
    const { details, ...rest } = patch;
    const [row] = await tx
      .update(operations)
      .set({
        ...rest,
        ...(details ? { details: sql`${operations.details} || ${JSON.stringify(details)}::jsonb` } : {}),
      })
      .where(and(eq(operations.workspaceId, workspaceId), eq(operations.id, operationId)))
      .returning();
    return row;
  }
}
