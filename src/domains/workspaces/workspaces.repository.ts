import { and, asc, eq, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, rowsOf } from '../../db/client';
import { memberships, type Role, users, workspaces } from '../../db/schema';

export type WorkspaceRow = typeof workspaces.$inferSelect;

/** Queries for workspaces and their memberships; every one but the per-user listing takes `workspaceId` first. */
export class WorkspacesRepository {
  constructor(private readonly db: Db) {}

  async insertWorkspace(tx: DbOrTx, row: typeof workspaces.$inferInsert): Promise<WorkspaceRow> {
    const [ws] = await tx.insert(workspaces).values(row).returning();
    return ws!;
  }

  async addMember(tx: DbOrTx, workspaceId: string, userId: string, role: Role): Promise<void> {
    await tx.insert(memberships).values({ workspaceId, userId, role });
  }

  async getWorkspace(workspaceId: string, tx: DbOrTx = this.db): Promise<WorkspaceRow | undefined> {
    const [row] = await tx.select().from(workspaces).where(eq(workspaces.id, workspaceId)).limit(1);
    return row;
  }

  async updateWorkspace(
    workspaceId: string,
    patch: Partial<Pick<WorkspaceRow, 'name' | 'defaultCountry' | 'timezone' | 'requireMfa'>>,
    tx: DbOrTx = this.db,
  ): Promise<WorkspaceRow> {
    const [row] = await tx
      .update(workspaces)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(workspaces.id, workspaceId))
      .returning();
    return row!;
  }

  /** A workspace and the user's role in it (undefined role: not a member), in one query: every request needs both. */
  async getWorkspaceAndRole(
    workspaceId: string,
    userId: string,
  ): Promise<{ workspace: WorkspaceRow; role: Role | null } | undefined> {
    const [row] = await this.db
      .select({ workspace: workspaces, role: memberships.role })
      .from(workspaces)
      .leftJoin(memberships, and(eq(memberships.workspaceId, workspaces.id), eq(memberships.userId, userId)))
      .where(eq(workspaces.id, workspaceId))
      .limit(1);
    return row;
  }

  async getRole(workspaceId: string, userId: string, tx: DbOrTx = this.db): Promise<Role | undefined> {
    const [row] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
      .limit(1);
    return row?.role;
  }

  /** The workspaces a person belongs to, with their role in each. */
  async listForUser(userId: string) {
    return this.db
      .select({ workspace: workspaces, role: memberships.role })
      .from(memberships)
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(workspaces.name), asc(workspaces.id));
  }

  async listMembers(workspaceId: string) {
    return this.db
      .select({
        userId: users.id,
        name: users.name,
        email: users.email,
        mfaEnabledAt: users.mfaEnabledAt,
        role: memberships.role,
        joinedAt: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.workspaceId, workspaceId))
      .orderBy(asc(users.name), asc(users.id));
  }

  async setRole(tx: DbOrTx, workspaceId: string, userId: string, role: Role): Promise<void> {
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  }

  async removeMember(tx: DbOrTx, workspaceId: string, userId: string): Promise<boolean> {
    const rows = await tx
      .delete(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
      .returning({ userId: memberships.userId });
    return rows.length > 0;
  }

  /** Counts owners under a row lock, so two concurrent demotions cannot leave a workspace ownerless. */
  async lockOwners(tx: DbOrTx, workspaceId: string): Promise<string[]> {
    const rows = await tx.execute(
      sql`select user_id from memberships where workspace_id = ${workspaceId} and role = 'owner' for update`,
    );
    return rowsOf<{ user_id: string }>(rows).map((r) => r.user_id);
  }
}
