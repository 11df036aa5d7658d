import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, rowsOf } from '../../db/client';
import { memberships, type Role, routingRules } from '../../db/schema';

export type RoutingRuleRow = typeof routingRules.$inferSelect;

export interface RoutingMemberRow {
  userId: string;
  name: string;
  role: Role;
  available: boolean;
  capacity: number | null;
  openLeads: number;
}

/** Queries for routing rules and the routing side of memberships; every one takes `workspaceId` first. */
export class RoutingRepository {
  constructor(private readonly db: Db) {}

  async listRules(
    workspaceId: string,
    options: { enabledOnly?: boolean; tx?: DbOrTx } = {},
  ): Promise<RoutingRuleRow[]> {
    const where = options.enabledOnly
      ? and(eq(routingRules.workspaceId, workspaceId), eq(routingRules.enabled, true))
      : eq(routingRules.workspaceId, workspaceId);
    return (options.tx ?? this.db)
      .select()
      .from(routingRules)
      .where(where)
      .orderBy(asc(routingRules.position), asc(routingRules.id));
  }

  async getRule(workspaceId: string, ruleId: string, tx: DbOrTx = this.db): Promise<RoutingRuleRow | undefined> {
    const [row] = await tx
      .select()
      .from(routingRules)
      .where(and(eq(routingRules.workspaceId, workspaceId), eq(routingRules.id, ruleId)))
      .limit(1);
    return row;
  }

  /** The rule's rotation state under a row lock: concurrent captures on one rule take turns, so each sees the last pick. */
  async lockRotation(
    tx: DbOrTx,
    workspaceId: string,
    ruleId: string,
  ): Promise<{ lastUserId: string | null } | undefined> {
    const [row] = await tx
      .select({ lastUserId: routingRules.lastUserId })
      .from(routingRules)
      .where(and(eq(routingRules.workspaceId, workspaceId), eq(routingRules.id, ruleId)))
      .for('update');
    return row;
  }

  async setLastUser(tx: DbOrTx, workspaceId: string, ruleId: string, userId: string): Promise<void> {
    await tx
      .update(routingRules)
      .set({ lastUserId: userId })
      .where(and(eq(routingRules.workspaceId, workspaceId), eq(routingRules.id, ruleId)));
  }

  /** Serialises rule creation and reordering within a workspace. */
  async lockRules(tx: DbOrTx, workspaceId: string): Promise<RoutingRuleRow[]> {
    return tx
      .select()
      .from(routingRules)
      .where(eq(routingRules.workspaceId, workspaceId))
      .orderBy(asc(routingRules.position), asc(routingRules.id))
      .for('update');
  }

  async insertRule(tx: DbOrTx, row: typeof routingRules.$inferInsert): Promise<RoutingRuleRow> {
    const [created] = await tx.insert(routingRules).values(row).returning();
    return created!;
  }

  async updateRule(
    tx: DbOrTx,
    workspaceId: string,
    ruleId: string,
    patch: Partial<Pick<RoutingRuleRow, 'name' | 'enabled' | 'conditions' | 'assign' | 'lastUserId'>>,
  ): Promise<RoutingRuleRow> {
    const [row] = await tx
      .update(routingRules)
      .set(patch)
      .where(and(eq(routingRules.workspaceId, workspaceId), eq(routingRules.id, ruleId)))
      .returning();
    return row!;
  }

  async deleteRule(tx: DbOrTx, workspaceId: string, ruleId: string): Promise<void> {
    await tx.delete(routingRules).where(and(eq(routingRules.workspaceId, workspaceId), eq(routingRules.id, ruleId)));
  }

  async setPositions(tx: DbOrTx, workspaceId: string, ruleIds: string[]): Promise<void> {
    if (ruleIds.length === 0) return;
    const cases = sql.join(
      ruleIds.map((id, i) => sql`when ${id}::uuid then ${i}::int`),
      sql` `,
    );
    await tx
      .update(routingRules)
      .set({ position: sql`case ${routingRules.id} ${cases} end` })
      .where(and(eq(routingRules.workspaceId, workspaceId), inArray(routingRules.id, ruleIds)));
  }

  /**
   * Members with their routing settings and open leads (leads they own in an `open` stage), optionally only the
   * given users. Ordered by name.
   */
  async members(workspaceId: string, options: { userIds?: string[]; tx?: DbOrTx } = {}): Promise<RoutingMemberRow[]> {
    if (options.userIds && options.userIds.length === 0) return [];
    const only = options.userIds
      ? sql`and m.user_id in (${sql.join(
          options.userIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`
      : sql``;
    const result = await (options.tx ?? this.db).execute(sql`
      select m.user_id, u.name, m.role, m.available, m.capacity,
        (select count(*) from leads l
          join stages s on s.workspace_id = l.workspace_id and s.id = l.stage_id
          where l.workspace_id = m.workspace_id and l.owner_id = m.user_id and s.kind = 'open')::int as open_leads
      from memberships m
      join users u on u.id = m.user_id
      where m.workspace_id = ${workspaceId} ${only}
      order by u.name, m.user_id`);
    return rowsOf<{
      user_id: string;
      name: string;
      role: Role;
      available: boolean;
      capacity: number | null;
      open_leads: number;
    }>(result).map((r) => ({
      userId: r.user_id,
      name: r.name,
      role: r.role,
      available: r.available,
      capacity: r.capacity === null ? null : Number(r.capacity),
      openLeads: Number(r.open_leads),
    }));
  }

  async updateMember(
    tx: DbOrTx,
    workspaceId: string,
    userId: string,
    patch: { available?: boolean; capacity?: number | null },
  ): Promise<boolean> {
    const rows = await tx
      .update(memberships)
      .set(patch)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
      .returning({ userId: memberships.userId });
    return rows.length > 0;
  }
}
