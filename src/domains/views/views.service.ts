import type { Db, DbOrTx } from '../../db/client';
import { AppError, forbidden, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { AuditService } from '../audit/audit.service';
import type { WorkspaceAccess } from '../auth/principal';
import type { FieldsService } from '../fields/fields.service';
import { compileLeadQuery, type LeadQuery, leadQuerySchema } from '../leads/lead-query';
import type { WorkspacesService } from '../workspaces/workspaces.service';
import type { SavedViewRow, ViewsRepository } from './views.repository';

export interface SavedViewView {
  id: string;
  name: string;
  shared: boolean;
  ownerId: string;
  query: LeadQuery;
  columns: string[];
  createdAt: Date;
}

export interface SavedViewInput {
  name: string;
  shared?: boolean;
  query: LeadQuery;
  columns?: string[];
}

const view = (row: SavedViewRow): SavedViewView => ({
  id: row.id,
  name: row.name,
  shared: row.shared,
  ownerId: row.ownerId,
  // Stored queries were validated on save; parsing again fills defaults added since.
  query: leadQuerySchema.parse(row.query),
  columns: row.columns,
  createdAt: row.createdAt,
});

/**
 * Saved leads views: a LeadQuery and the columns to show, private to their owner or shared with the workspace.
 * Everyone who reads leads may keep views; a shared view is changed by its owner or by `settings.manage`. A view only
 * stores a query: who sees which leads is decided when it runs.
 */
export class ViewsService {
  constructor(
    readonly deps: {
      db: Db;
      repo: ViewsRepository;
      audit: AuditService;
      workspaces: WorkspacesService;
      fields: FieldsService;
    },
  ) {}

  async list(access: WorkspaceAccess): Promise<SavedViewView[]> {
    this.deps.workspaces.assertCan(access, 'leads.read');
    return (await this.deps.repo.listVisible(access.workspaceId, personOf(access))).map(view);
  }

  async create(access: WorkspaceAccess, input: SavedViewInput): Promise<SavedViewView> {
    this.deps.workspaces.assertCan(access, 'leads.read');
    const ownerId = personOf(access);
    if (!ownerId) throw forbidden('Saved views belong to a person; this API key was not created by one.');
    await this.checkQuery(access.workspaceId, input.query);
    return this.deps.db.transaction(async (tx) => {
      const row = await this.deps.repo.insert(tx, {
        workspaceId: access.workspaceId,
        id: newId(),
        name: input.name.trim(),
        ownerId,
        shared: input.shared ?? false,
        query: input.query,
        columns: input.columns ?? [],
      });
      if (row.shared) await this.audit(access, tx, 'view.created', row.id, { shared: true });
      return view(row);
    });
  }

  async update(access: WorkspaceAccess, viewId: string, patch: Partial<SavedViewInput>): Promise<SavedViewView> {
    this.deps.workspaces.assertCan(access, 'leads.read');
    return this.deps.db.transaction(async (tx) => {
      const existing = await this.editable(access, viewId, tx);
      if (!Object.values(patch).some((v) => v !== undefined))
        throw new AppError('validation_failed', 'Nothing to change');
      if (patch.query) await this.checkQuery(access.workspaceId, patch.query, tx);
      // Only the owner decides who else sees their view.
      if (patch.shared !== undefined && patch.shared !== existing.shared && existing.ownerId !== personOf(access)) {
        throw forbidden('Only the owner of a view can share or unshare it.');
      }
      const changes: Parameters<ViewsRepository['update']>[3] = { updatedAt: new Date() };
      if (patch.name !== undefined) changes.name = patch.name.trim();
      if (patch.shared !== undefined) changes.shared = patch.shared;
      if (patch.query !== undefined) changes.query = patch.query;
      if (patch.columns !== undefined) changes.columns = patch.columns;
      const row = await this.deps.repo.update(tx, access.workspaceId, viewId, changes);
      if (existing.shared || row.shared) {
        await this.audit(access, tx, 'view.updated', viewId, {
          changed: Object.keys(changes).filter((k) => k !== 'updatedAt'),
        });
      }
      return view(row);
    });
  }

  async remove(access: WorkspaceAccess, viewId: string): Promise<void> {
    this.deps.workspaces.assertCan(access, 'leads.read');
    await this.deps.db.transaction(async (tx) => {
      const existing = await this.editable(access, viewId, tx);
      await this.deps.repo.delete(tx, access.workspaceId, viewId);
      if (existing.shared) await this.audit(access, tx, 'view.deleted', viewId, { name: existing.name });
    });
  }

  /** A view the caller may change: their own, or a shared one with `settings.manage`. Others' private views are 404. */
  private async editable(access: WorkspaceAccess, viewId: string, tx: DbOrTx): Promise<SavedViewRow> {
    const row = await this.deps.repo.get(access.workspaceId, viewId, tx);
    const me = personOf(access);
    if (!row || (!row.shared && row.ownerId !== me)) throw notFound('This view');
    if (row.ownerId !== me) {
      if (!access.permissions.has('settings.manage')) {
        throw forbidden('This shared view belongs to someone else. Save a copy to change it.');
      }
    }
    return row;
  }

  /** Compiling the query refuses unknown fields and ill-typed values now rather than when the view is opened. */
  private async checkQuery(workspaceId: string, query: LeadQuery, tx?: DbOrTx): Promise<void> {
    compileLeadQuery(workspaceId, query, await this.deps.fields.specs(workspaceId, 'lead', tx));
  }

  private async audit(
    access: WorkspaceAccess,
    tx: DbOrTx,
    action: string,
    viewId: string,
    metadata: Record<string, unknown>,
  ) {
    await this.deps.audit.record(
      { workspaceId: access.workspaceId, actor: access.actor, action, target: { type: 'view', id: viewId }, metadata },
      tx,
    );
  }
}

/** The person a view belongs to: the signed-in user, or the creator of an API key. */
function personOf(access: WorkspaceAccess): string | null {
  return access.principal.kind === 'session' ? access.principal.userId : access.principal.createdBy;
}
