import { useQuery } from '@tanstack/react-query';
import { isOperationFinished, operationsApi } from '../api/operations-api';

export const operationKey = (workspaceId: string, operationId: string) =>
  ['workspaces', workspaceId, 'operations', operationId] as const;

/** Polls an operation every second until it succeeds or fails. */
export function useOperation(workspaceId: string, operationId: string | null) {
  return useQuery({
    queryKey: operationKey(workspaceId, operationId ?? ''),
    queryFn: () => operationsApi.get(workspaceId, operationId!),
    enabled: Boolean(operationId),
    staleTime: 0,
    refetchInterval: (query) => (isOperationFinished(query.state.data) ? false : 1000),
  });
}
