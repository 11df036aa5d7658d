import { api, seg } from '../../../lib/api';
import type { Role } from '../../../lib/reference-data';
import type { User } from '../../auth/api/auth-api';
import type { WorkspaceSummary } from '../../workspaces/api/workspaces-api';

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  mfaEnabled: boolean;
  joinedAt: string;
}

export type InviteStatus = 'pending' | 'accepted' | 'expired' | 'revoked';

export interface Invite {
  id: string;
  email: string;
  role: Role;
  invitedBy: { id: string; name: string };
  createdAt: string;
  expiresAt: string;
  status: InviteStatus;
}

export interface PublicInvite {
  workspaceName: string;
  email: string;
  role: Role;
  inviterName: string;
  expiresAt: string;
  accountExists: boolean;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}`;

export const membersApi = {
  list: (workspaceId: string) => api.get<{ items: Member[] }>(`${base(workspaceId)}/members`),
  updateRole: (workspaceId: string, userId: string, role: Role) =>
    api.patch<Member>(`${base(workspaceId)}/members/${seg(userId)}`, { role }),
  remove: (workspaceId: string, userId: string) => api.delete(`${base(workspaceId)}/members/${seg(userId)}`),
  listInvites: (workspaceId: string) => api.get<{ items: Invite[] }>(`${base(workspaceId)}/invites`),
  invite: (workspaceId: string, email: string, role: Role) =>
    api.post<Invite>(`${base(workspaceId)}/invites`, { email, role }),
  revokeInvite: (workspaceId: string, inviteId: string) => api.delete(`${base(workspaceId)}/invites/${seg(inviteId)}`),
};

export const invitationsApi = {
  get: (token: string) => api.get<PublicInvite>(`/invites/${seg(token)}`, { skipAuthRedirect: true }),
  accept: (token: string) => api.post<{ workspace: WorkspaceSummary }>(`/invites/${seg(token)}/accept`),
  register: (token: string, input: { name: string; phone: string; password: string }) =>
    api.post<{ user: User; workspace: WorkspaceSummary }>(`/invites/${seg(token)}/register`, input, {
      skipAuthRedirect: true,
    }),
};
