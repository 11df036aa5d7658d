import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { sessionKey } from '../../auth/hooks/use-session';
import { type WorkspaceUpdate, workspacesApi } from '../api/workspaces-api';

export const workspaceKeys = {
  detail: (workspaceId: string) => ['workspaces', workspaceId] as const,
};

export function useWorkspace(workspaceId: string) {
  return useQuery({ queryKey: workspaceKeys.detail(workspaceId), queryFn: () => workspacesApi.get(workspaceId) });
}

export function useUpdateWorkspace(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: WorkspaceUpdate) => workspacesApi.update(workspaceId, patch),
    onSuccess: (workspace) => {
      queryClient.setQueryData(workspaceKeys.detail(workspaceId), workspace);
      // Name and requireMfa also appear in the session's workspace list.
      return queryClient.invalidateQueries({ queryKey: sessionKey });
    },
  });
}

export function useCreateWorkspace() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => workspacesApi.create(name),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKey }),
  });
}
