import { and, asc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { fieldDefinitions } from '../../db/schema';

export type FieldRow = typeof fieldDefinitions.$inferSelect;
export type FieldEntity = 'lead' | 'contact';

/** Queries for custom field definitions; every one takes `workspaceId` first (after the transaction for writes). */
export class FieldsRepository {
  constructor(private readonly db: Db) {}

  async list(
    workspaceId: string,
    options: { entity?: FieldEntity; includeArchived?: boolean; tx?: DbOrTx } = {},
  ): Promise<FieldRow[]> {
    const conditions: SQL[] = [eq(fieldDefinitions.workspaceId, workspaceId)];
    if (options.entity) conditions.push(eq(fieldDefinitions.entity, options.entity));
    if (!options.includeArchived) conditions.push(isNull(fieldDefinitions.archivedAt));
    return (options.tx ?? this.db)
      .select()
      .from(fieldDefinitions)
      .where(and(...conditions))
      .orderBy(asc(fieldDefinitions.entity), asc(fieldDefinitions.position), asc(fieldDefinitions.id));
  }

  async get(workspaceId: string, fieldId: string, tx: DbOrTx = this.db): Promise<FieldRow | undefined> {
    const [row] = await tx
      .select()
      .from(fieldDefinitions)
      .where(and(eq(fieldDefinitions.workspaceId, workspaceId), eq(fieldDefinitions.id, fieldId)))
      .limit(1);
    return row;
  }

  async findByKey(tx: DbOrTx, workspaceId: string, entity: FieldEntity, key: string): Promise<FieldRow | undefined> {
    const [row] = await tx
      .select()
      .from(fieldDefinitions)
      .where(
        and(
          eq(fieldDefinitions.workspaceId, workspaceId),
          eq(fieldDefinitions.entity, entity),
          eq(fieldDefinitions.key, key),
        ),
      )
      .limit(1);
    return row;
  }

  async nextPosition(tx: DbOrTx, workspaceId: string, entity: FieldEntity): Promise<number> {
    const [row] = await tx
      .select({ next: sql<number>`coalesce(max(${fieldDefinitions.position}) + 1, 0)::int` })
      .from(fieldDefinitions)
      .where(and(eq(fieldDefinitions.workspaceId, workspaceId), eq(fieldDefinitions.entity, entity)));
    return row?.next ?? 0;
  }

  /** Inserts unless the key is taken (then returns undefined): the unique index decides, even under concurrency. */
  async insert(tx: DbOrTx, row: typeof fieldDefinitions.$inferInsert): Promise<FieldRow | undefined> {
    const [created] = await tx.insert(fieldDefinitions).values(row).onConflictDoNothing().returning();
    return created;
  }

  async update(
    tx: DbOrTx,
    workspaceId: string,
    fieldId: string,
    patch: Partial<Pick<FieldRow, 'label' | 'required' | 'options' | 'archivedAt' | 'position'>>,
  ): Promise<FieldRow> {
    const [row] = await tx
      .update(fieldDefinitions)
      .set(patch)
      .where(and(eq(fieldDefinitions.workspaceId, workspaceId), eq(fieldDefinitions.id, fieldId)))
      .returning();
    return row!;
  }

  /** Rewrites positions to the order given (0, 1, 2 …). */
  async setPositions(tx: DbOrTx, workspaceId: string, fieldIds: string[]): Promise<void> {
    if (fieldIds.length === 0) return;
    const cases = sql.join(
      fieldIds.map((id, i) => sql`when ${id}::uuid then ${i}::int`),
      sql` `,
    );
    await tx
      .update(fieldDefinitions)
      .set({ position: sql`case ${fieldDefinitions.id} ${cases} end` })
      .where(and(eq(fieldDefinitions.workspaceId, workspaceId), inArray(fieldDefinitions.id, fieldIds)));
  }
}
