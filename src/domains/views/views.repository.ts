import { and, asc, eq, or } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { savedViews } from '../../db/schema';

export type SavedViewRow = typeof savedViews.$inferSelect;

/** Queries for saved leads views; every one takes `workspaceId` first. */
export class ViewsRepository {
  constructor(private readonly db: Db) {}

  /** The user's own views and every shared one, by name. */
  async listVisible(workspaceId: string, userId: string | null): Promise<SavedViewRow[]> {
    const visible = userId
      ? or(eq(savedViews.ownerId, userId), eq(savedViews.shared, true))
      : eq(savedViews.shared, true);
    return this.db
      .select()
      .from(savedViews)
      .where(and(eq(savedViews.workspaceId, workspaceId), visible))
      .orderBy(asc(savedViews.name), asc(savedViews.id));
  }

  async get(workspaceId: string, viewId: string, tx: DbOrTx = this.db): Promise<SavedViewRow | undefined> {
    const [row] = await tx
      .select()
      .from(savedViews)
      .where(and(eq(savedViews.workspaceId, workspaceId), eq(savedViews.id, viewId)))
      .limit(1);
    return row;
  }

  async insert(tx: DbOrTx, row: typeof savedViews.$inferInsert): Promise<SavedViewRow> {
    const [created] = await tx.insert(savedViews).values(row).returning();
    return created!;
  }

  async update(
    tx: DbOrTx,
    workspaceId: string,
    viewId: string,
    patch: Partial<Pick<SavedViewRow, 'name' | 'shared' | 'query' | 'columns' | 'updatedAt'>>,
  ): Promise<SavedViewRow> {
    const [row] = await tx
      .update(savedViews)
      .set(patch)
      .where(and(eq(savedViews.workspaceId, workspaceId), eq(savedViews.id, viewId)))
      .returning();
    return row!;
  }

  async delete(tx: DbOrTx, workspaceId: string, viewId: string): Promise<void> {
    await tx.delete(savedViews).where(and(eq(savedViews.workspaceId, workspaceId), eq(savedViews.id, viewId)));
  }
}
