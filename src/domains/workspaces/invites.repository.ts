import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { invites, users, workspaces } from '../../db/schema';

export type InviteRow = typeof invites.$inferSelect;

export class InvitesRepository {
  constructor(private readonly db: Db) {}

  async insert(tx: DbOrTx, row: typeof invites.$inferInsert): Promise<InviteRow> {
    const [invite] = await tx.insert(invites).values(row).returning();
    return invite!;
  }

  async get(workspaceId: string, inviteId: string, tx: DbOrTx = this.db): Promise<InviteRow | undefined> {
    const [row] = await tx
      .select()
      .from(invites)
      .where(and(eq(invites.workspaceId, workspaceId), eq(invites.id, inviteId)))
      .limit(1);
    return row;
  }

  async list(workspaceId: string) {
    return this.db
      .select({ invite: invites, inviterName: users.name })
      .from(invites)
      .leftJoin(users, eq(users.id, invites.invitedBy))
      .where(eq(invites.workspaceId, workspaceId))
      .orderBy(desc(invites.createdAt))
      .limit(500);
  }

  /** Open invitations to one address (pending: not accepted, revoked or expired). */
  async pendingFor(tx: DbOrTx, workspaceId: string, email: string): Promise<InviteRow[]> {
    return tx
      .select()
      .from(invites)
      .where(
        and(
          eq(invites.workspaceId, workspaceId),
          eq(invites.email, email),
          isNull(invites.acceptedAt),
          isNull(invites.revokedAt),
          gt(invites.expiresAt, new Date()),
        ),
      );
  }

  async setTokenHash(workspaceId: string, inviteId: string, tokenHash: string): Promise<void> {
    await this.db
      .update(invites)
      .set({ tokenHash })
      .where(and(eq(invites.workspaceId, workspaceId), eq(invites.id, inviteId)));
  }

  async revoke(tx: DbOrTx, workspaceId: string, inviteId: string): Promise<boolean> {
    const rows = await tx
      .update(invites)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(invites.workspaceId, workspaceId),
          eq(invites.id, inviteId),
          isNull(invites.acceptedAt),
          isNull(invites.revokedAt),
        ),
      )
      .returning({ id: invites.id });
    return rows.length > 0;
  }

  async markAccepted(tx: DbOrTx, workspaceId: string, inviteId: string, userId: string): Promise<void> {
    await tx
      .update(invites)
      .set({ acceptedAt: new Date(), acceptedBy: userId })
      .where(and(eq(invites.workspaceId, workspaceId), eq(invites.id, inviteId)));
  }

  /**
   * The one lookup that does not start from a workspace: the invitee holds only the link's secret token, whose hash
   * is unique and unguessable.
   */
  async findUsableByTokenHash(tokenHash: string) {
    const [row] = await this.db
      .select({ invite: invites, workspaceName: workspaces.name, inviterName: users.name })
      .from(invites)
      .innerJoin(workspaces, eq(workspaces.id, invites.workspaceId))
      .leftJoin(users, eq(users.id, invites.invitedBy))
      .where(
        and(
          eq(invites.tokenHash, tokenHash),
          isNull(invites.acceptedAt),
          isNull(invites.revokedAt),
          gt(invites.expiresAt, new Date()),
        ),
      )
      .limit(1);
    return row;
  }
}
