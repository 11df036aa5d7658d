import { createHash, randomInt } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Config } from '../../app/config';
import type { Db, DbOrTx } from '../../db/client';
import { consents, metaCaptures, metaConnections, metaDeletionRequests, metaForms, metaPages } from '../../db/schema';
import type { JobQueue } from '../../jobs/queue';
import { AppError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { type AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { metaDataDeletion } from './meta.jobs';
import { parseSignedRequest } from './signatures';

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const newConfirmationCode = () =>
  `LBDEL${Array.from({ length: 10 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('')}`;
const hashUserId = (fbUserId: string) => createHash('sha256').update(`meta-user:${fbUserId}`).digest('hex');

export interface DeletionStatus {
  status: 'received' | 'completed';
  requestedAt: Date;
  completedAt: Date | null;
  summary: Record<string, number>;
}

/**
 * Meta's callbacks about a Facebook user who removed our app (P33). The user is the staff member who connected a
 * workspace; what is theirs and came from Meta is the connection: their name and app-scoped id, their token and the
 * Page tokens obtained with it. Deauthorize removes the connection at once; a data-deletion request does the same in
 * a job and keeps a status record (confirmation code, counts, no Meta id in clear) for the public status page. Leads
 * the business collected stay the business's records, under its own erasure flow; disconnecting a Page (P12) is the
 * way to delete them.
 */
export class MetaDeletionService {
  constructor(private readonly deps: { db: Db; config: Config; queue: JobQueue; audit: AuditService }) {}

  /** Verifies the `signed_request`, records the request and queues the deletion. Wrongly signed → nothing changes. */
  async requestDataDeletion(signedRequest: string): Promise<{ url: string; confirmation_code: string }> {
    const payload = this.verify(signedRequest);
    const code = newConfirmationCode();
    await this.deps.db.transaction(async (tx) => {
      const targets = await this.connectionsOf(tx, payload.user_id);
      const id = newId();
      await tx.insert(metaDeletionRequests).values({
        id,
        confirmationCode: code,
        fbUserHash: hashUserId(payload.user_id),
        targets: targets.map((t) => ({ workspaceId: t.workspaceId, connectionId: t.id })),
      });
      await this.deps.queue.send(metaDataDeletion, { requestId: id }, { tx });
    });
    return { url: this.statusUrl(code), confirmation_code: code };
  }

  /** The deauthorize callback: the app was removed, so the connection and its tokens go now. */
  async deauthorize(signedRequest: string): Promise<{ connections: number }> {
    const payload = this.verify(signedRequest);
    return this.deps.db.transaction(async (tx) => {
      const targets = await this.connectionsOf(tx, payload.user_id);
      for (const t of targets) await this.forgetConnection(tx, t.workspaceId, t.id, 'meta.deauthorized');
      return { connections: targets.length };
    });
  }

  /** The `meta.data_deletion` job. Safe to run again: connections already gone are skipped. */
  async runDataDeletion(requestId: string): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      const [request] = await tx
        .select()
        .from(metaDeletionRequests)
        .where(eq(metaDeletionRequests.id, requestId))
        .for('update');
      if (!request || request.status === 'completed') return;
      const summary = { connections: 0, pages: 0, forms: 0 };
      for (const target of request.targets) {
        const removed = await this.forgetConnection(tx, target.workspaceId, target.connectionId, 'meta.data_deleted');
        summary.connections += removed.connections;
        summary.pages += removed.pages;
        summary.forms += removed.forms;
      }
      await tx
        .update(metaDeletionRequests)
        .set({ status: 'completed', summary, completedAt: new Date() })
        .where(eq(metaDeletionRequests.id, requestId));
    });
  }

  async status(code: string): Promise<DeletionStatus | null> {
    if (!/^[A-Z0-9]{6,32}$/.test(code)) return null;
    const [row] = await this.deps.db
      .select()
      .from(metaDeletionRequests)
      .where(eq(metaDeletionRequests.confirmationCode, code));
    if (!row) return null;
    return {
      status: row.status === 'completed' ? 'completed' : 'received',
      requestedAt: row.requestedAt,
      completedAt: row.completedAt,
      summary: row.summary,
    };
  }

  statusUrl(code: string): string {
    return `${this.deps.config.publicUrl}/privacy/deletion-status?code=${encodeURIComponent(code)}`;
  }

  /**
   * `expires` is not enforced: Meta may retry a callback after it, and running a deletion twice deletes nothing more.
   */
  private verify(signedRequest: string) {
    const payload = parseSignedRequest(signedRequest, this.deps.config.META_APP_SECRET);
    if (!payload)
      throw new AppError('invalid_signature', 'The signed_request is missing, malformed or wrongly signed.');
    return payload;
  }

  private connectionsOf(tx: DbOrTx, fbUserId: string) {
    return tx
      .select({ workspaceId: metaConnections.workspaceId, id: metaConnections.id })
      .from(metaConnections)
      .where(eq(metaConnections.fbUserId, fbUserId));
  }

  /**
   * Removes a connection with its Page rows (tokens), forms and capture records; withdraws the workspace's consent
   * to the connection (P31) and writes the audit entry. Leads stay.
   */
  private async forgetConnection(tx: DbOrTx, workspaceId: string, connectionId: string, action: string) {
    const pages = await tx
      .select({ id: metaPages.id })
      .from(metaPages)
      .where(and(eq(metaPages.workspaceId, workspaceId), eq(metaPages.connectionId, connectionId)));
    let forms = 0;
    for (const page of pages) {
      await tx
        .delete(metaCaptures)
        .where(and(eq(metaCaptures.workspaceId, workspaceId), eq(metaCaptures.pageRowId, page.id)));
      const removed = await tx
        .delete(metaForms)
        .where(and(eq(metaForms.workspaceId, workspaceId), eq(metaForms.pageRowId, page.id)))
        .returning({ id: metaForms.id });
      forms += removed.length;
    }
    await tx
      .delete(metaPages)
      .where(and(eq(metaPages.workspaceId, workspaceId), eq(metaPages.connectionId, connectionId)));
    const gone = await tx
      .delete(metaConnections)
      .where(and(eq(metaConnections.workspaceId, workspaceId), eq(metaConnections.id, connectionId)))
      .returning({ id: metaConnections.id });
    if (gone.length === 0) return { connections: 0, pages: 0, forms: 0 };
    await tx
      .update(consents)
      .set({ withdrawnAt: new Date() })
      .where(
        and(
          eq(consents.workspaceId, workspaceId),
          eq(consents.purpose, 'meta_connection'),
          isNull(consents.withdrawnAt),
        ),
      );
    await this.deps.audit.record(
      {
        workspaceId,
        actor: SYSTEM_ACTOR,
        action,
        target: { type: 'meta_connection', id: connectionId },
        metadata: { pages: pages.length, forms },
      },
      tx,
    );
    return { connections: 1, pages: pages.length, forms };
  }
}
