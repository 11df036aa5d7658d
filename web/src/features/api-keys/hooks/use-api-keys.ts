import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiKeysApi, type CreateApiKeyInput } from '../api/api-keys-api';

const keys = {
  list: (workspaceId: string) => ['workspaces', workspaceId, 'api-keys'] as const,
  scopes: (workspaceId: string) => ['workspaces', workspaceId, 'api-keys', 'scopes'] as const,
};

export function useApiKeys(workspaceId: string) {
  return useQuery({ queryKey: keys.list(workspaceId), queryFn: () => apiKeysApi.list(workspaceId) });
}

export function useApiKeyScopes(workspaceId: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.scopes(workspaceId),
    queryFn: () => apiKeysApi.scopes(workspaceId),
    enabled,
    staleTime: 10 * 60_000,
  });
}

export function useCreateApiKey(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateApiKeyInput) => apiKeysApi.create(workspaceId, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.list(workspaceId), exact: true }),
  });
}

export function useRevokeApiKey(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => apiKeysApi.revoke(workspaceId, keyId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.list(workspaceId), exact: true }),
  });
}
