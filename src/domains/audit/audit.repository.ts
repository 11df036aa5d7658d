import { and, asc, desc, eq, gt, gte, inArray, lt, lte, or } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { apiKeys, auditChainHeads, auditLog, memberships, users } from '../../db/schema';
import { type ChainedFields, chainHash, GENESIS_HASH } from './audit.chain';

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditFilter {
  action?: string;
  actorUserId?: string;
  from?: Date;
  to?: Date;
  /** Keyset cursor: rows strictly older than this (createdAt, id). */
  before?: { createdAt: Date; id: string };
  limit: number;
}

/** Queries of the audit log. Appends take a per-chain lock so that two writers never fork the chain. */
export class AuditRepository {
  constructor(private readonly db: Db) {}

  async append(tx: DbOrTx, row: Omit<ChainedFields, 'seq'>): Promise<AuditRow> {
    // The head row is the chain's lock: concurrent writers to one chain queue here and never fork it.
    await tx.insert(auditChainHeads).values({ chain: row.chain, seq: 0, hash: GENESIS_HASH }).onConflictDoNothing();
    const [head] = await tx.select().from(auditChainHeads).where(eq(auditChainHeads.chain, row.chain)).for('update');
    const seq = head!.seq + 1;
    const prevHash = head!.hash;
    const full: ChainedFields = { ...row, seq };
    const values: typeof auditLog.$inferInsert = {
      ...full,
      actorType: full.actorType as AuditRow['actorType'],
      prevHash,
      hash: chainHash(prevHash, full),
    };
    const [inserted] = await tx.insert(auditLog).values(values).returning();
    await tx.update(auditChainHeads).set({ seq, hash: values.hash }).where(eq(auditChainHeads.chain, row.chain));
    return inserted!;
  }

  async heads(): Promise<{ chain: string; seq: number; hash: string }[]> {
    return this.db.select().from(auditChainHeads);
  }

  /** A workspace's own events plus the account events (sign-ins) of its current members. */
  async listForWorkspace(workspaceId: string, filter: AuditFilter) {
    const members = this.db
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(eq(memberships.workspaceId, workspaceId));
    const conditions = [
      or(eq(auditLog.workspaceId, workspaceId), and(eq(auditLog.chain, 'account'), inArray(auditLog.actorId, members))),
    ];
    if (filter.action) conditions.push(eq(auditLog.action, filter.action));
    if (filter.actorUserId) conditions.push(eq(auditLog.actorId, filter.actorUserId));
    if (filter.from) conditions.push(gte(auditLog.createdAt, filter.from));
    if (filter.to) conditions.push(lte(auditLog.createdAt, filter.to));
    if (filter.before) {
      const { createdAt, id } = filter.before;
      conditions.push(
        or(lt(auditLog.createdAt, createdAt), and(eq(auditLog.createdAt, createdAt), lt(auditLog.id, id))),
      );
    }
    return this.db
      .select({
        row: auditLog,
        userName: users.name,
        keyName: apiKeys.name,
      })
      .from(auditLog)
      .leftJoin(users, and(eq(auditLog.actorType, 'user'), eq(users.id, auditLog.actorId)))
      .leftJoin(
        apiKeys,
        and(eq(auditLog.actorType, 'api_key'), eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, auditLog.actorId)),
      )
      .where(and(...conditions))
      .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(filter.limit);
  }

  async distinctActions(workspaceId: string): Promise<string[]> {
    const rows = await this.db
      .selectDistinct({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.workspaceId, workspaceId))
      .orderBy(asc(auditLog.action));
    return rows.map((r) => r.action);
  }

  async chains(): Promise<string[]> {
    const rows = await this.db.selectDistinct({ chain: auditLog.chain }).from(auditLog);
    return rows.map((r) => r.chain);
  }

  /** One chain in order, a page at a time (the verifier streams through it). */
  async chainPage(chain: string, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return this.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.chain, chain), gt(auditLog.seq, afterSeq)))
      .orderBy(asc(auditLog.seq))
      .limit(limit);
  }
}
