import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, rowsOf } from '../../db/client';
import { authTokens, loginThrottle, sessions, users } from '../../db/schema';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;

/** Queries for accounts, sessions, single-use tokens and sign-in throttling. Users are global (not per workspace). */
export class AuthRepository {
  constructor(private readonly db: Db) {}

  async insertUser(tx: DbOrTx, user: typeof users.$inferInsert): Promise<UserRow> {
    const [row] = await tx.insert(users).values(user).returning();
    return row!;
  }

  async findUserByEmail(email: string, tx: DbOrTx = this.db): Promise<UserRow | undefined> {
    const [row] = await tx.select().from(users).where(eq(users.email, email)).limit(1);
    return row;
  }

  async findUserById(id: string, tx: DbOrTx = this.db): Promise<UserRow | undefined> {
    const [row] = await tx.select().from(users).where(eq(users.id, id)).limit(1);
    return row;
  }

  async updateUser(id: string, patch: Partial<typeof users.$inferInsert>, tx: DbOrTx = this.db): Promise<UserRow> {
    const [row] = await tx
      .update(users)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(users.id, id))
      .returning();
    return row!;
  }

  async insertSession(session: typeof sessions.$inferInsert, tx: DbOrTx = this.db): Promise<SessionRow> {
    const [row] = await tx.insert(sessions).values(session).returning();
    return row!;
  }

  /** A live session and its user in one query: this runs on every cookie-authenticated request. */
  async findLiveSessionWithUser(tokenHash: string): Promise<{ session: SessionRow; user: UserRow } | undefined> {
    const [row] = await this.db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())))
      .limit(1);
    return row;
  }

  async touchSession(id: string, at: Date): Promise<void> {
    await this.db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id));
  }

  async listLiveSessions(userId: string, idleSince: Date): Promise<SessionRow[]> {
    return this.db
      .select()
      .from(sessions)
      .where(
        and(
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, new Date()),
          gt(sessions.lastSeenAt, idleSince),
        ),
      )
      .orderBy(desc(sessions.lastSeenAt));
  }

  async revokeSession(userId: string, sessionId: string, tx: DbOrTx = this.db): Promise<boolean> {
    const rows = await tx
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(and(eq(sessions.userId, userId), eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    return rows.length > 0;
  }

  /** Ends every session of a user, except `keepSessionId` when given. */
  async revokeAllSessions(userId: string, keepSessionId?: string, tx: DbOrTx = this.db): Promise<number> {
    const conditions = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
    if (keepSessionId) conditions.push(ne(sessions.id, keepSessionId));
    const rows = await tx
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(and(...conditions))
      .returning({ id: sessions.id });
    return rows.length;
  }

  async insertToken(token: typeof authTokens.$inferInsert): Promise<void> {
    await this.db.insert(authTokens).values(token);
  }

  /** Marks a single-use token used and returns it, or nothing when it is unknown, used or expired. */
  async consumeToken(tx: DbOrTx, kind: 'reset_password', tokenHash: string) {
    const [row] = await tx
      .update(authTokens)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(authTokens.kind, kind),
          eq(authTokens.tokenHash, tokenHash),
          isNull(authTokens.usedAt),
          gt(authTokens.expiresAt, new Date()),
        ),
      )
      .returning();
    return row;
  }

  async getThrottle(key: string) {
    const [row] = await this.db.select().from(loginThrottle).where(eq(loginThrottle.key, key)).limit(1);
    return row;
  }

  async saveThrottle(row: typeof loginThrottle.$inferInsert): Promise<void> {
    await this.db
      .insert(loginThrottle)
      .values(row)
      .onConflictDoUpdate({
        target: loginThrottle.key,
        set: { failures: row.failures, windowStartedAt: row.windowStartedAt, lockedUntil: row.lockedUntil ?? null },
      });
  }

  /**
   * Counts one failure in a single statement, so that concurrent failures never overwrite each other's count, and
   * returns the count in the current window (a window that began before `windowStart` restarts at 1).
   */
  async incrementThrottle(key: string, now: Date, windowStart: Date): Promise<number> {
    const since = windowStart.toISOString();
    const rows = rowsOf<{ failures: number }>(
      await this.db.execute(sql`insert into login_throttle as t (key, failures, window_started_at, locked_until)
        values (${key}, 1, ${now.toISOString()}::timestamptz, null)
        on conflict (key) do update set
          failures = case when t.window_started_at > ${since}::timestamptz then t.failures + 1 else 1 end,
          window_started_at = case when t.window_started_at > ${since}::timestamptz then t.window_started_at
            else excluded.window_started_at end
        returning failures`),
    );
    return Number(rows[0]!.failures);
  }

  /** Locks a key until `until`, never shortening a longer lock set meanwhile by a concurrent failure. */
  async extendThrottleLock(key: string, until: Date): Promise<void> {
    const at = until.toISOString();
    await this.db.execute(sql`update login_throttle
      set locked_until = greatest(coalesce(locked_until, ${at}::timestamptz), ${at}::timestamptz) where key = ${key}`);
  }

  async clearThrottle(key: string): Promise<void> {
    await this.db.delete(loginThrottle).where(eq(loginThrottle.key, key));
  }

  /** For `/readyz`-style checks and tests: how many users exist. */
  async countUsers(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(users);
    return row?.n ?? 0;
  }
}
