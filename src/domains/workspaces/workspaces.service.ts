import type { Db } from '../../db/client';
import { AppError, forbidden, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { AuditService } from '../audit/audit.service';
import { actorOf, type Principal, type WorkspaceAccess } from '../auth/principal';
import { seedWorkspaceDefaults } from '../pipelines/pipelines.service';
import { type Permission, permissionsOf, ROLE_RANK, type Role } from './permissions';
import type { WorkspaceRow, WorkspacesRepository } from './workspaces.repository';

export interface WorkspaceSummary {
  id: string;
  name: string;
  role: Role;
  requireMfa: boolean;
  /** A demo workspace (sample data, removable in one click). */
  isDemo: boolean;
  permissions: Permission[];
}

const summaryOf = (ws: WorkspaceRow, role: Role): WorkspaceSummary => ({
  id: ws.id,
  name: ws.name,
  role,
  requireMfa: ws.requireMfa,
  isDemo: ws.isDemo,
  permissions: permissionsOf(role),
});

/** Workspaces, membership and the one place that turns a principal into its rights inside a workspace. */
export class WorkspacesService {
  constructor(private readonly deps: { db: Db; repo: WorkspacesRepository; audit: AuditService }) {}

  /**
   * Resolves what the caller may do in a workspace. Not a member (or a key of another workspace) is answered as
   * "not found", so ids of other workspaces reveal nothing.
   */
  async access(
    principal: Principal,
    workspaceId: string,
    options: { allowWithoutMfa?: boolean } = {},
  ): Promise<WorkspaceAccess> {
    if (principal.kind === 'api_key') {
      const ws = await this.deps.repo.getWorkspace(workspaceId);
      if (!ws || principal.workspaceId !== workspaceId) throw notFound('This workspace');
      return { workspaceId, principal, role: null, permissions: new Set(principal.scopes), actor: actorOf(principal) };
    }
    const found = await this.deps.repo.getWorkspaceAndRole(workspaceId, principal.userId);
    const ws = found?.workspace;
    const role = found?.role;
    if (!ws || !role) throw notFound('This workspace');
    if (ws.requireMfa && !principal.mfaEnabled && !options.allowWithoutMfa) {
      throw new AppError(
        'mfa_enrolment_required',
        'This workspace requires two-factor authentication. Turn it on in your account security settings to continue.',
      );
    }
    return { workspaceId, principal, role, permissions: new Set(permissionsOf(role)), actor: actorOf(principal) };
  }

  assertCan(access: WorkspaceAccess, permission: Permission): void {
    if (!access.permissions.has(permission)) {
      throw forbidden(
        access.role
          ? `Your role (${access.role}) does not allow this action.`
          : 'This API key does not have the scope for this action.',
      );
    }
  }

  async listForUser(userId: string): Promise<WorkspaceSummary[]> {
    const rows = await this.deps.repo.listForUser(userId);
    return rows.map((r) => summaryOf(r.workspace, r.role));
  }

  /** Agency mode: any signed-in person can open another workspace, which they own. */
  async create(principal: Principal, name: string): Promise<WorkspaceSummary> {
    if (principal.kind !== 'session') throw forbidden('Workspaces are created by people, not API keys.');
    return this.deps.db.transaction(async (tx) => {
      const ws = await this.deps.repo.insertWorkspace(tx, { id: newId(), name: name.trim() });
      await this.deps.repo.addMember(tx, ws.id, principal.userId, 'owner');
      await seedWorkspaceDefaults(tx, ws.id);
      await this.deps.audit.record(
        {
          workspaceId: ws.id,
          actor: actorOf(principal),
          action: 'workspace.created',
          target: { type: 'workspace', id: ws.id },
        },
        tx,
      );
      return summaryOf(ws, 'owner');
    });
  }

  async get(access: WorkspaceAccess) {
    this.assertCan(access, 'workspace.read');
    const ws = (await this.deps.repo.getWorkspace(access.workspaceId))!;
    return this.view(ws, access);
  }

  async update(
    access: WorkspaceAccess,
    patch: { name?: string; defaultCountry?: string; timezone?: string; requireMfa?: boolean },
  ) {
    const { requireMfa, ...general } = patch;
    if (Object.keys(general).length > 0) this.assertCan(access, 'workspace.update');
    if (requireMfa !== undefined) this.assertCan(access, 'workspace.security');
    if (requireMfa && access.principal.kind === 'session' && !access.principal.mfaEnabled) {
      throw new AppError(
        'conflict',
        'Turn on two-factor authentication for your own account before requiring it for everyone.',
      );
    }
    const before = (await this.deps.repo.getWorkspace(access.workspaceId))!;
    const cleaned = { ...general, ...(requireMfa === undefined ? {} : { requireMfa }) };
    if (cleaned.name) cleaned.name = cleaned.name.trim();
    const ws = await this.deps.db.transaction(async (tx) => {
      const updated = await this.deps.repo.updateWorkspace(access.workspaceId, cleaned, tx);
      const changes = Object.fromEntries(
        Object.keys(cleaned).map((k) => [
          k,
          { from: before[k as keyof WorkspaceRow], to: updated[k as keyof WorkspaceRow] },
        ]),
      );
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: 'workspace.settings_changed',
          target: { type: 'workspace', id: access.workspaceId },
          metadata: { changes },
        },
        tx,
      );
      return updated;
    });
    return this.view(ws, access);
  }

  private view(ws: WorkspaceRow, access: WorkspaceAccess) {
    return {
      id: ws.id,
      name: ws.name,
      role: access.role,
      requireMfa: ws.requireMfa,
      isDemo: ws.isDemo,
      permissions: [...access.permissions],
      defaultCountry: ws.defaultCountry,
      timezone: ws.timezone,
      createdAt: ws.createdAt,
    };
  }

  async listMembers(access: WorkspaceAccess) {
    this.assertCan(access, 'members.read');
    const rows = await this.deps.repo.listMembers(access.workspaceId);
    return rows.map((m) => ({
      userId: m.userId,
      name: m.name,
      email: m.email,
      role: m.role,
      mfaEnabled: m.mfaEnabledAt !== null,
      joinedAt: m.joinedAt,
    }));
  }

  async changeRole(access: WorkspaceAccess, userId: string, role: Role) {
    this.assertCan(access, 'members.update_role');
    await this.deps.db.transaction(async (tx) => {
      const owners = await this.deps.repo.lockOwners(tx, access.workspaceId);
      const current = await this.deps.repo.getRole(access.workspaceId, userId, tx);
      if (!current) throw notFound('This member');
      this.assertMayManage(access, current, role);
      if (current === 'owner' && role !== 'owner' && owners.length <= 1) {
        throw new AppError('conflict', 'A workspace needs at least one owner. Make someone else owner first.');
      }
      if (current === role) return;
      await this.deps.repo.setRole(tx, access.workspaceId, userId, role);
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: 'member.role_changed',
          target: { type: 'user', id: userId },
          metadata: { from: current, to: role },
        },
        tx,
      );
    });
    const members = await this.listMembers(access);
    return members.find((m) => m.userId === userId)!;
  }

  /** Removing a member ends their access at once: every request re-reads the membership. */
  async removeMember(access: WorkspaceAccess, userId: string): Promise<void> {
    const leavingSelf = access.principal.kind === 'session' && access.principal.userId === userId;
    if (!leavingSelf) this.assertCan(access, 'members.remove');
    await this.deps.db.transaction(async (tx) => {
      const owners = await this.deps.repo.lockOwners(tx, access.workspaceId);
      const current = await this.deps.repo.getRole(access.workspaceId, userId, tx);
      if (!current) throw notFound('This member');
      if (!leavingSelf) this.assertMayManage(access, current, current);
      if (current === 'owner' && owners.length <= 1) {
        throw new AppError('conflict', 'A workspace needs at least one owner. Make someone else owner first.');
      }
      await this.deps.repo.removeMember(tx, access.workspaceId, userId);
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: leavingSelf ? 'member.left' : 'member.removed',
          target: { type: 'user', id: userId },
          metadata: { role: current },
        },
        tx,
      );
    });
  }

  /** Only owners touch owners; nobody grants a role above their own. */
  assertMayManage(access: WorkspaceAccess, targetRole: Role, newRole: Role): void {
    if (access.role === 'owner') return;
    const rank = access.role ? ROLE_RANK[access.role] : ROLE_RANK.admin;
    if (targetRole === 'owner' || newRole === 'owner')
      throw forbidden('Only an owner can grant or change the owner role.');
    if (ROLE_RANK[targetRole] > rank || ROLE_RANK[newRole] > rank) {
      throw forbidden('You cannot manage members above your own role.');
    }
  }
}
