import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Role } from '../../../lib/reference-data';
import { membersApi } from '../api/members-api';

export const memberKeys = {
  members: (workspaceId: string) => ['workspaces', workspaceId, 'members'] as const,
  invites: (workspaceId: string) => ['workspaces', workspaceId, 'invites'] as const,
};

export function useMembers(workspaceId: string) {
  return useQuery({ queryKey: memberKeys.members(workspaceId), queryFn: () => membersApi.list(workspaceId) });
}

export function useInvites(workspaceId: string, enabled: boolean) {
  return useQuery({
    queryKey: memberKeys.invites(workspaceId),
    queryFn: () => membersApi.listInvites(workspaceId),
    enabled,
  });
}

export function useUpdateMemberRole(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) => membersApi.updateRole(workspaceId, userId, role),
    onSettled: () => queryClient.invalidateQueries({ queryKey: memberKeys.members(workspaceId) }),
  });
}

export function useRemoveMember(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => membersApi.remove(workspaceId, userId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: memberKeys.members(workspaceId) }),
  });
}

export function useInviteMember(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ email, role }: { email: string; role: Role }) => membersApi.invite(workspaceId, email, role),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: memberKeys.invites(workspaceId) }),
  });
}

export function useRevokeInvite(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (inviteId: string) => membersApi.revokeInvite(workspaceId, inviteId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: memberKeys.invites(workspaceId) }),
  });
}
