import { api, seg } from '../../../lib/api';

export interface AuditEntry {
  id: string;
  action: string;
  actor: { type: 'user' | 'api_key' | 'system'; id: string | null; name: string | null };
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  sessionId: string | null;
  metadata: unknown;
  createdAt: string;
}

export interface AuditFilters {
  action?: string;
  actorUserId?: string;
  from?: string;
  to?: string;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/audit-log`;

export const auditApi = {
  list: (workspaceId: string, filters: AuditFilters, cursor: string | null, limit = 50) =>
    api.get<{ items: AuditEntry[]; nextCursor: string | null }>(base(workspaceId), {
      query: { ...filters, cursor, limit },
    }),
  actions: (workspaceId: string) => api.get<{ items: string[] }>(`${base(workspaceId)}/actions`),
};
