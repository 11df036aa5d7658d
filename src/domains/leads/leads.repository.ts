import { and, eq, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, rowsOf } from '../../db/client';
import { leads, memberships, operations, users } from '../../db/schema';
import type { CompiledQuery } from './lead-query';

export type LeadRow = typeof leads.$inferSelect;
export type LeadInsert = typeof leads.$inferInsert;
export type OperationRow = typeof operations.$inferSelect;

/** The count answer when `auto` stops counting: "10,000+". */
export const COUNT_CAP = 10_000;

/** Queries of leads; every one takes `workspaceId` first and, where it matters, the owner a caller is limited to. */
export class LeadsRepository {
  constructor(private readonly db: Db) {}

  async get(
    workspaceId: string,
    leadId: string,
    options: { ownerScope?: string; tx?: DbOrTx; forUpdate?: boolean } = {},
  ): Promise<LeadRow | undefined> {
    const conditions: SQL[] = [eq(leads.workspaceId, workspaceId), eq(leads.id, leadId)];
    if (options.ownerScope) conditions.push(eq(leads.ownerId, options.ownerScope));
    const query = (options.tx ?? this.db)
      .select()
      .from(leads)
      .where(and(...conditions))
      .limit(1);
    const [row] = options.forUpdate ? await query.for('update') : await query;
    return row;
  }

  async insert(tx: DbOrTx, row: LeadInsert): Promise<LeadRow> {
    const [lead] = await tx.insert(leads).values(row).returning();
    return lead!;
  }

  async update(tx: DbOrTx, workspaceId: string, leadId: string, patch: Partial<LeadInsert>): Promise<LeadRow> {
    const [lead] = await tx
      .update(leads)
      .set(patch)
      .where(and(eq(leads.workspaceId, workspaceId), eq(leads.id, leadId)))
      .returning();
    return lead!;
  }

  async delete(tx: DbOrTx, workspaceId: string, leadIds: string[]): Promise<void> {
    if (leadIds.length === 0) return;
    await tx.delete(leads).where(and(eq(leads.workspaceId, workspaceId), inArray(leads.id, leadIds)));
  }

  async findByExternalId(
    tx: DbOrTx,
    workspaceId: string,
    source: string,
    externalId: string,
  ): Promise<LeadRow | undefined> {
    const [row] = await tx
      .select()
      .from(leads)
      .where(
        and(
          eq(leads.workspaceId, workspaceId),
          eq(leads.source, source as LeadRow['source']),
          eq(leads.externalId, externalId),
        ),
      )
      .limit(1);
    return row;
  }

  /** External id → lead id, for those of these external ids that already have a lead. */
  async idsByExternalIds(
    tx: DbOrTx,
    workspaceId: string,
    source: string,
    externalIds: string[],
  ): Promise<Map<string, string>> {
    if (externalIds.length === 0) return new Map();
    const rows = await tx
      .select({ id: leads.id, externalId: leads.externalId })
      .from(leads)
      .where(
        and(
          eq(leads.workspaceId, workspaceId),
          eq(leads.source, source as LeadRow['source']),
          inArray(leads.externalId, externalIds),
        ),
      );
    return new Map(rows.map((r) => [r.externalId!, r.id]));
  }

  async listByContact(workspaceId: string, contactId: string, options: { ownerScope?: string; tx?: DbOrTx } = {}) {
    const conditions: SQL[] = [eq(leads.workspaceId, workspaceId), eq(leads.contactId, contactId)];
    if (options.ownerScope) conditions.push(eq(leads.ownerId, options.ownerScope));
    return (options.tx ?? this.db)
      .select()
      .from(leads)
      .where(and(...conditions))
      .orderBy(sql`${leads.createdAt} desc`, sql`${leads.id} desc`)
      .limit(500);
  }

  /** The given leads (that exist) with their contact. */
  async contactsOf(tx: DbOrTx, workspaceId: string, leadIds: string[]): Promise<{ id: string; contactId: string }[]> {
    if (leadIds.length === 0) return [];
    return tx
      .select({ id: leads.id, contactId: leads.contactId })
      .from(leads)
      .where(and(eq(leads.workspaceId, workspaceId), inArray(leads.id, leadIds)));
  }

  async idsOfContact(tx: DbOrTx, workspaceId: string, contactId: string): Promise<string[]> {
    const rows = await tx
      .select({ id: leads.id })
      .from(leads)
      .where(and(eq(leads.workspaceId, workspaceId), eq(leads.contactId, contactId)));
    return rows.map((r) => r.id);
  }

  async moveToContact(tx: DbOrTx, workspaceId: string, leadIds: string[], contactId: string): Promise<void> {
    for (let i = 0; i < leadIds.length; i += 1000) {
      await tx
        .update(leads)
        .set({ contactId })
        .where(and(eq(leads.workspaceId, workspaceId), inArray(leads.id, leadIds.slice(i, i + 1000))));
    }
  }

  /** Keeps every lead's copy of its contact's name, email and phone (and the search text) in step with the contact. */
  async copyContact(
    tx: DbOrTx,
    workspaceId: string,
    contactId: string,
    copy: { name: string; email: string | null; phone: string | null; search: string },
  ): Promise<void> {
    await tx
      .update(leads)
      .set({ ...copy, updatedAt: new Date() })
      .where(
        and(
          eq(leads.workspaceId, workspaceId),
          eq(leads.contactId, contactId),
          sql`(${leads.name}, ${leads.email}, ${leads.phone}, ${leads.search}) is distinct from (${copy.name}, ${copy.email}, ${copy.phone}, ${copy.search})`,
        ),
      );
  }

  /** One page of a compiled query, with each row's sort value for the next cursor. */
  async page(compiled: CompiledQuery, limit: number) {
    return this.db
      .select({ ...getTableColumns(leads), sortValue: sql<unknown>`${compiled.cursorValueExpr}`.as('sort_value') })
      .from(leads)
      .where(compiled.where)
      .orderBy(...compiled.orderBy)
      .limit(limit);
  }

  /** Counts matches, stopping after `cap` when given (so a count over a million rows stays fast). */
  async count(where: SQL, cap?: number): Promise<number> {
    const inner = cap
      ? sql`select count(*)::int as n from (select 1 from ${leads} where ${where} limit ${cap}) capped`
      : sql`select count(*)::int as n from ${leads} where ${where}`;
    const [row] = rowsOf<{ n: number }>(await this.db.execute(inner));
    return Number(row?.n ?? 0);
  }

  /** Ids matching a query, in id order after `afterId`: how bulk actions walk a selection in chunks. */
  async idsAfter(tx: DbOrTx, where: SQL, afterId: string | null, limit: number): Promise<string[]> {
    const rows = await tx
      .select({ id: leads.id })
      .from(leads)
      .where(afterId ? and(where, sql`${leads.id} > ${afterId}`) : where)
      .orderBy(leads.id)
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /** Locks leads for a bulk change and returns what their timeline entries need. */
  async lockMany(tx: DbOrTx, workspaceId: string, leadIds: string[], ownerScope?: string) {
    if (leadIds.length === 0) return [];
    const conditions: SQL[] = [eq(leads.workspaceId, workspaceId), inArray(leads.id, leadIds)];
    if (ownerScope) conditions.push(eq(leads.ownerId, ownerScope));
    return tx
      .select({
        id: leads.id,
        contactId: leads.contactId,
        ownerId: leads.ownerId,
        stageId: leads.stageId,
        pipelineId: leads.pipelineId,
        tags: leads.tags,
      })
      .from(leads)
      .where(and(...conditions))
      .orderBy(leads.id)
      .for('update');
  }

  async setMany(tx: DbOrTx, workspaceId: string, leadIds: string[], patch: Partial<LeadInsert>): Promise<void> {
    if (leadIds.length === 0) return;
    await tx
      .update(leads)
      .set(patch)
      .where(and(eq(leads.workspaceId, workspaceId), inArray(leads.id, leadIds)));
  }

  async setTags(tx: DbOrTx, workspaceId: string, leadId: string, tags: string[]): Promise<void> {
    await tx
      .update(leads)
      .set({ tags, updatedAt: new Date() })
      .where(and(eq(leads.workspaceId, workspaceId), eq(leads.id, leadId)));
  }

  /** Tags in use, most used first. */
  async tags(workspaceId: string, ownerScope?: string): Promise<{ name: string; count: number }[]> {
    const owner = ownerScope ? sql`and owner_id = ${ownerScope}` : sql``;
    return rowsOf<{ name: string; count: number }>(
      await this.db.execute(sql`
        select tag as name, count(*)::int as count
        from ${leads}, unnest(tags) as tag
        where workspace_id = ${workspaceId} ${owner}
        group by tag order by count(*) desc, tag asc limit 1000`),
    ).map((r) => ({ name: r.name, count: Number(r.count) }));
  }

  /** A member of the workspace, by user id (owners, assignees); undefined when they are not one. */
  async member(
    workspaceId: string,
    userId: string,
    tx: DbOrTx = this.db,
  ): Promise<{ id: string; name: string } | undefined> {
    const [row] = await tx
      .select({ id: users.id, name: users.name })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
      .limit(1);
    return row;
  }

  /** Sets each lead's tags in one statement: `[leadId, tags]` pairs. */
  async setTagsMany(tx: DbOrTx, workspaceId: string, pairs: [string, string[]][], now: Date): Promise<void> {
    if (pairs.length === 0) return;
    const values = sql.join(
      // One parameter per tag: drizzle would expand a JS array into a list, not one array value.
      pairs.map(
        ([id, tags]) =>
          sql`(${id}::uuid, array[${sql.join(
            tags.map((t) => sql`${t}`),
            sql`, `,
          )}]::text[])`,
      ),
      sql`, `,
    );
    await tx.execute(sql`
      update ${leads} set tags = v.tags, updated_at = ${now}
      from (values ${values}) as v(id, tags)
      where ${leads.workspaceId} = ${workspaceId} and ${leads.id} = v.id`);
  }

  async userName(userId: string): Promise<string | null> {
    const [row] = await this.db.select({ name: users.name }).from(users).where(eq(users.id, userId)).limit(1);
    return row?.name ?? null;
  }

  // Bulk operations (rows of the shared `operations` table, kind 'bulk')

  async insertOperation(tx: DbOrTx, row: typeof operations.$inferInsert): Promise<OperationRow> {
    const [op] = await tx.insert(operations).values(row).returning();
    return op!;
  }

  async getOperation(
    workspaceId: string,
    operationId: string,
    tx: DbOrTx = this.db,
  ): Promise<OperationRow | undefined> {
    const [op] = await tx
      .select()
      .from(operations)
      .where(and(eq(operations.workspaceId, workspaceId), eq(operations.id, operationId)))
      .limit(1);
    return op;
  }

  async updateOperation(
    tx: DbOrTx,
    workspaceId: string,
    operationId: string,
    patch: Partial<OperationRow>,
  ): Promise<void> {
    await tx
      .update(operations)
      .set(patch)
      .where(and(eq(operations.workspaceId, workspaceId), eq(operations.id, operationId)));
  }
}
