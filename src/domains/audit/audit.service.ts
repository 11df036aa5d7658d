import type { Db, DbOrTx } from '../../db/client';
import { AppError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { chainHash, GENESIS_HASH } from './audit.chain';
import type { AuditFilter, AuditRepository, AuditRow } from './audit.repository';

/** Who did something, and from where (P5, P19). */
export interface Actor {
  type: 'user' | 'api_key' | 'system' | 'anonymous';
  id: string | null;
  sessionId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };

export interface AuditEvent {
  /** The workspace the event belongs to; null for account events (sign-in, password change). */
  workspaceId: string | null;
  actor: Actor;
  action: string;
  target?: { type: string; id: string };
  /** Never personal data: ids, roles, counts, field names. */
  metadata?: Record<string, unknown>;
}

export interface AuditEntryView {
  id: string;
  action: string;
  actor: { type: Actor['type']; id: string | null; name: string | null };
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  sessionId: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export interface ChainReport {
  chain: string;
  rows: number;
  ok: boolean;
  brokenAtSeq?: number;
  reason?: string;
}

export class AuditService {
  constructor(
    private readonly db: Db,
    private readonly repo: AuditRepository,
  ) {}

  /** Appends an event; pass the caller's transaction so the event commits (or not) with the change it records. */
  async record(event: AuditEvent, tx?: DbOrTx): Promise<void> {
    const row = {
      chain: event.workspaceId ? `ws:${event.workspaceId}` : 'account',
      id: newId(),
      workspaceId: event.workspaceId,
      actorType: event.actor.type,
      actorId: event.actor.id,
      action: event.action,
      targetType: event.target?.type ?? null,
      targetId: event.target?.id ?? null,
      ip: event.actor.ip ?? null,
      userAgent: event.actor.userAgent?.slice(0, 512) ?? null,
      sessionId: event.actor.sessionId ?? null,
      metadata: event.metadata ?? {},
      createdAt: new Date(),
    };
    if (tx) {
      await this.repo.append(tx, row);
    } else {
      await this.db.transaction(async (t) => {
        await this.repo.append(t, row);
      });
    }
  }

  async list(
    workspaceId: string,
    query: { action?: string; actorUserId?: string; from?: Date; to?: Date; cursor?: string; limit?: number },
  ): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 50;
    const filter: AuditFilter = {
      ...query,
      limit: limit + 1,
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
    };
    const rows = await this.repo.listForWorkspace(workspaceId, filter);
    const page = rows.slice(0, limit);
    const items = page.map(({ row, userName, keyName }) => ({
      id: row.id,
      action: row.action,
      actor: { type: row.actorType, id: row.actorId, name: userName ?? keyName ?? null },
      targetType: row.targetType,
      targetId: row.targetId,
      ip: row.ip,
      userAgent: row.userAgent,
      sessionId: row.sessionId,
      metadata: row.metadata,
      createdAt: row.createdAt,
    }));
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.row) : null };
  }

  actions(workspaceId: string): Promise<string[]> {
    return this.repo.distinctActions(workspaceId);
  }

  /**
   * Recomputes every chain; a row edited, removed or reordered outside the product shows up here, and so does a
   * chain whose newest rows (or all rows) were removed, because it no longer ends at its recorded head.
   */
  async verify(): Promise<ChainReport[]> {
    const reports: ChainReport[] = [];
    const heads = new Map((await this.repo.heads()).map((h) => [h.chain, h]));
    const chains = new Set([...(await this.repo.chains()), ...heads.keys()]);
    for (const chain of [...chains].sort()) {
      let prevHash = GENESIS_HASH;
      let expectedSeq = 1;
      let rows = 0;
      let report: ChainReport | null = null;
      for (;;) {
        const page = await this.repo.chainPage(chain, expectedSeq - 1, 1000);
        if (page.length === 0) break;
        for (const row of page) {
          rows++;
          const problem = checkRow(row, expectedSeq, prevHash);
          if (problem) {
            report = { chain, rows, ok: false, brokenAtSeq: row.seq, reason: problem };
            break;
          }
          prevHash = row.hash;
          expectedSeq++;
        }
        if (report) break;
      }
      const head = heads.get(chain);
      if (!report && (!head || head.seq !== expectedSeq - 1 || head.hash !== prevHash)) {
        report = {
          chain,
          rows,
          ok: false,
          brokenAtSeq: expectedSeq,
          reason: head
            ? `rows after ${expectedSeq - 1} are missing (the chain ended at ${head.seq})`
            : 'the chain has no recorded head',
        };
      }
      reports.push(report ?? { chain, rows, ok: true });
    }
    return reports;
  }
}

function checkRow(row: AuditRow, expectedSeq: number, prevHash: string): string | null {
  if (row.seq !== expectedSeq) return `row ${expectedSeq} is missing`;
  if (row.prevHash !== prevHash) return 'previous-hash link does not match';
  const { prevHash: _p, hash, ...fields } = row;
  if (chainHash(prevHash, fields) !== hash) return 'row content does not match its hash';
  return null;
}

function encodeCursor(row: AuditRow): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime())) throw new AppError('validation_failed', 'The cursor is not valid.');
  return { createdAt, id };
}
