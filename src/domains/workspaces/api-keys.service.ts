import type { Db } from '../../db/client';
import { AppError, notFound } from '../../lib/errors';
import { newId, randomToken, sha256 } from '../../lib/ids';
import type { AuditService } from '../audit/audit.service';
import type { Principal, WorkspaceAccess } from '../auth/principal';
import type { ApiKeyRow, ApiKeysRepository } from './api-keys.repository';
import { PERMISSIONS, type Permission } from './permissions';
import type { WorkspacesService } from './workspaces.service';

/** What a key may be granted: everything but managing people, keys and workspace security. */
export const API_KEY_SCOPES: Permission[] = [
  'workspace.read',
  'workspace.update',
  'members.read',
  'audit.read',
  'jobs.read',
  'leads.read',
  'leads.read_all',
  'leads.write',
  'leads.delete',
  'leads.import',
  'leads.export',
  'settings.manage',
  'integrations.manage',
];

const KEY_PREFIX = 'lb_';

/** Workspace API keys: scoped, optionally expiring, stored as a SHA-256 hash and shown once. */
export class ApiKeysService {
  constructor(
    private readonly deps: { db: Db; repo: ApiKeysRepository; workspaces: WorkspacesService; audit: AuditService },
  ) {}

  scopes() {
    return API_KEY_SCOPES.map((scope) => ({ scope, description: PERMISSIONS[scope].description }));
  }

  async list(access: WorkspaceAccess) {
    this.deps.workspaces.assertCan(access, 'api_keys.manage');
    const rows = await this.deps.repo.list(access.workspaceId);
    return rows.map(({ key, creatorName }) => this.view(key, creatorName));
  }

  async create(access: WorkspaceAccess, input: { name: string; scopes: string[]; expiresAt?: Date | null }) {
    this.deps.workspaces.assertCan(access, 'api_keys.manage');
    const scopes = [...new Set(input.scopes)] as Permission[];
    const unknown = scopes.filter((s) => !API_KEY_SCOPES.includes(s));
    if (unknown.length) {
      throw new AppError('validation_failed', `These scopes cannot be given to an API key: ${unknown.join(', ')}.`, {
        details: [{ path: 'scopes', message: 'Unknown or not allowed scope' }],
      });
    }
    const beyondRole = scopes.filter((s) => !access.permissions.has(s));
    if (beyondRole.length)
      throw new AppError('forbidden', `You cannot grant scopes you do not have: ${beyondRole.join(', ')}.`);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new AppError('validation_failed', 'The expiry date must be in the future.', {
        details: [{ path: 'expiresAt', message: 'Must be in the future' }],
      });
    }
    const secret = `${KEY_PREFIX}${randomToken(30)}`;
    const createdBy = access.principal.kind === 'session' ? access.principal.userId : null;
    const key = await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.repo.insert(tx, {
        workspaceId: access.workspaceId,
        id: newId(),
        name: input.name.trim(),
        prefix: secret.slice(0, 10),
        keyHash: sha256(secret),
        scopes,
        createdBy,
        expiresAt: input.expiresAt ?? null,
      });
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: 'api_key.created',
          target: { type: 'api_key', id: row.id },
          metadata: { scopes, expiresAt: row.expiresAt?.toISOString() ?? null },
        },
        tx,
      );
      return row;
    });
    const creatorName = (await this.deps.repo.list(access.workspaceId)).find((r) => r.key.id === key.id)?.creatorName;
    return { apiKey: this.view(key, creatorName ?? null), secret };
  }

  async revoke(access: WorkspaceAccess, keyId: string): Promise<void> {
    this.deps.workspaces.assertCan(access, 'api_keys.manage');
    await this.deps.db.transaction(async (tx) => {
      if (!(await this.deps.repo.revoke(tx, access.workspaceId, keyId))) throw notFound('This API key');
      await this.deps.audit.record(
        {
          workspaceId: access.workspaceId,
          actor: access.actor,
          action: 'api_key.revoked',
          target: { type: 'api_key', id: keyId },
        },
        tx,
      );
    });
  }

  /** The principal behind `Authorization: Bearer …`, or null when the key is unknown, revoked or expired. */
  async authenticate(
    secret: string,
    origin: { ip: string | null; userAgent: string | null },
  ): Promise<Principal | null> {
    if (!secret.startsWith(KEY_PREFIX)) return null;
    const key = await this.deps.repo.findActiveByHash(sha256(secret));
    if (!key || (key.expiresAt && key.expiresAt.getTime() <= Date.now())) return null;
    const now = new Date();
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > 60_000) {
      await this.deps.repo.touch(key.workspaceId, key.id, now);
    }
    return {
      kind: 'api_key',
      keyId: key.id,
      workspaceId: key.workspaceId,
      scopes: key.scopes as Permission[],
      createdBy: key.createdBy,
      ...origin,
    };
  }

  private view(key: ApiKeyRow, creatorName: string | null) {
    return {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes,
      createdAt: key.createdAt,
      expiresAt: key.expiresAt,
      lastUsedAt: key.lastUsedAt,
      createdBy: key.createdBy ? { id: key.createdBy, name: creatorName } : null,
    };
  }
}
