import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { type AuditFilters, auditApi } from '../api/audit-api';

export function useAuditLog(workspaceId: string, filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: ['workspaces', workspaceId, 'audit-log', filters],
    queryFn: ({ pageParam }) => auditApi.list(workspaceId, filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });
}

export function useAuditActions(workspaceId: string) {
  return useQuery({
    queryKey: ['workspaces', workspaceId, 'audit-log', 'actions'],
    queryFn: () => auditApi.actions(workspaceId),
    staleTime: 5 * 60_000,
  });
}
