import { api, seg } from '../../../lib/api';
import type { Role } from '../../../lib/reference-data';

export type Permission =
  | 'workspace.read'
  | 'workspace.update'
  | 'workspace.security'
  | 'workspace.delete'
  | 'members.read'
  | 'members.invite'
  | 'members.update_role'
  | 'members.remove'
  | 'api_keys.manage'
  | 'audit.read'
  | 'jobs.read'
  | 'leads.read'
  | 'leads.read_all'
  | 'leads.write'
  | 'leads.delete'
  | 'leads.import'
  | 'leads.export'
  | 'settings.manage'
  | 'integrations.manage';

export interface WorkspaceSummary {
  id: string;
  name: string;
  role: Role;
  requireMfa: boolean;
  /** A demo workspace: sample data that "Remove demo data" deletes. */
  isDemo: boolean;
  permissions: string[];
}

export interface Workspace extends WorkspaceSummary {
  defaultCountry: string;
  timezone: string;
  createdAt: string;
}

export interface WorkspaceUpdate {
  name?: string;
  defaultCountry?: string;
  timezone?: string;
  requireMfa?: boolean;
}

export const workspacesApi = {
  list: () => api.get<{ items: WorkspaceSummary[] }>('/workspaces'),
  create: (name: string) => api.post<WorkspaceSummary>('/workspaces', { name }),
  get: (workspaceId: string) => api.get<Workspace>(`/workspaces/${seg(workspaceId)}`),
  update: (workspaceId: string, patch: WorkspaceUpdate) =>
    api.patch<Workspace>(`/workspaces/${seg(workspaceId)}`, patch),
};
