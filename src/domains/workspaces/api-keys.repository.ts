import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { apiKeys, users } from '../../db/schema';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export class ApiKeysRepository {
  constructor(private readonly db: Db) {}

  async insert(tx: DbOrTx, row: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
    const [key] = await tx.insert(apiKeys).values(row).returning();
    return key!;
  }

  async list(workspaceId: string) {
    return this.db
      .select({ key: apiKeys, creatorName: users.name })
      .from(apiKeys)
      .leftJoin(users, eq(users.id, apiKeys.createdBy))
      .where(and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)))
      .orderBy(desc(apiKeys.createdAt));
  }

  async revoke(tx: DbOrTx, workspaceId: string, keyId: string): Promise<boolean> {
    const rows = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }

  /** Bearer lookup: the presented key is hashed; the hash is unique and unguessable, so no workspace is needed. */
  async findActiveByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
    const [row] = await this.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
      .limit(1);
    return row;
  }

  async touch(workspaceId: string, keyId: string, at: Date): Promise<void> {
    await this.db
      .update(apiKeys)
      .set({ lastUsedAt: at })
      .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, keyId)));
  }
}
