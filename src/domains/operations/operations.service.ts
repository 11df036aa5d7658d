import type { Db, DbOrTx } from '../../db/client';
import { notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { WorkspaceAccess } from '../auth/principal';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import type { OperationKind, OperationRow, OperationStatus, OperationsRepository } from './operations.repository';

/** `Operation` of the API contract. */
export interface OperationView {
  id: string;
  kind: OperationKind;
  status: OperationStatus;
  total: number | null;
  processed: number;
  details: Record<string, unknown>;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const view = (row: OperationRow): OperationView => ({
  id: row.id,
  kind: row.kind,
  status: row.status,
  total: row.total,
  processed: row.processed,
  details: row.details,
  error: row.error,
  createdAt: row.createdAt,
  finishedAt: row.finishedAt,
});

/**
 * Long-running work (imports, exports, bulk actions) with progress the web app polls at `GET /operations/:id`.
 *
 * Helpers for the domains that run such work (every one scoped by `workspaceId`):
 * - `create(tx, workspaceId, {kind, total?, details, createdBy})` → `OperationView` (status `pending`), inside the
 *   caller's transaction so the operation exists exactly when the job that will run it does.
 * - `progress(workspaceId, id, {processed, total?, details?})` → marks it `running`, sets `processed` (and `total`),
 *   merges `details` (top-level keys; send only what changed).
 * - `finish(workspaceId, id, {status: 'succeeded'|'failed', error?, details?})` → sets the outcome and `finishedAt`.
 * - `get(workspaceId, id)` → `OperationView | undefined` (no permission check: for jobs and services).
 * `progress` and `finish` take an optional transaction last and throw `not_found` for an unknown id.
 */
export class OperationsService {
  constructor(readonly deps: { db: Db; repo: OperationsRepository; workspaces: WorkspacesService }) {}

  async create(
    tx: DbOrTx,
    workspaceId: string,
    input: { kind: OperationKind; total?: number | null; details?: Record<string, unknown>; createdBy: string | null },
  ): Promise<OperationView> {
    const row = await this.deps.repo.insert(tx, {
      workspaceId,
      id: newId(),
      kind: input.kind,
      status: 'pending',
      total: input.total ?? null,
      processed: 0,
      details: input.details ?? {},
      createdBy: input.createdBy,
    });
    return view(row);
  }

  async progress(
    workspaceId: string,
    id: string,
    input: { processed: number; total?: number | null; details?: Record<string, unknown> },
    tx?: DbOrTx,
  ): Promise<OperationView> {
    const row = await this.deps.repo.update(
      workspaceId,
      id,
      {
        status: 'running',
        processed: input.processed,
        ...(input.total !== undefined ? { total: input.total } : {}),
        details: input.details,
      },
      tx,
    );
    if (!row) throw notFound('This operation');
    return view(row);
  }

  async finish(
    workspaceId: string,
    id: string,
    input: {
      status: 'succeeded' | 'failed';
      error?: string | null;
      details?: Record<string, unknown>;
      processed?: number;
    },
    tx?: DbOrTx,
  ): Promise<OperationView> {
    const row = await this.deps.repo.update(
      workspaceId,
      id,
      {
        status: input.status,
        error: input.error ?? null,
        finishedAt: new Date(),
        details: input.details,
        ...(input.processed !== undefined ? { processed: input.processed } : {}),
      },
      tx,
    );
    if (!row) throw notFound('This operation');
    return view(row);
  }

  async get(workspaceId: string, id: string, tx?: DbOrTx): Promise<OperationView | undefined> {
    const row = await this.deps.repo.get(workspaceId, id, tx);
    return row && view(row);
  }

  /** `GET /operations`: newest first; any member who can read leads sees the workspace's operations. */
  async list(access: WorkspaceAccess, options: { kind?: OperationKind; limit?: number }): Promise<OperationView[]> {
    this.deps.workspaces.assertCan(access, 'leads.read');
    return (await this.deps.repo.list(access.workspaceId, { kind: options.kind, limit: options.limit ?? 20 })).map(
      view,
    );
  }

  async show(access: WorkspaceAccess, id: string): Promise<OperationView> {
    this.deps.workspaces.assertCan(access, 'leads.read');
    const found = await this.get(access.workspaceId, id);
    if (!found) throw notFound('This operation');
    return found;
  }
}
