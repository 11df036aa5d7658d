import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type RoutingMember, type RoutingRule, type RuleInput, routingApi } from '../api/routing-api';

export const routingKeys = {
  rules: (workspaceId: string) => ['workspaces', workspaceId, 'routing', 'rules'] as const,
  members: (workspaceId: string) => ['workspaces', workspaceId, 'routing', 'members'] as const,
};

export function useRoutingRules(workspaceId: string) {
  return useQuery({
    queryKey: routingKeys.rules(workspaceId),
    queryFn: () => routingApi.rules(workspaceId),
    select: (data) => [...data.items].sort((a, b) => a.position - b.position),
  });
}

export function useRoutingMembers(workspaceId: string) {
  return useQuery({ queryKey: routingKeys.members(workspaceId), queryFn: () => routingApi.members(workspaceId) });
}

export function useSaveRule(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ ruleId, input }: { ruleId?: string; input: RuleInput }) =>
      ruleId ? routingApi.updateRule(workspaceId, ruleId, input) : routingApi.createRule(workspaceId, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: routingKeys.rules(workspaceId) }),
  });
}

export function useToggleRule(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ ruleId, enabled }: { ruleId: string; enabled: boolean }) =>
      routingApi.updateRule(workspaceId, ruleId, { enabled }),
    onMutate: ({ ruleId, enabled }) => {
      queryClient.setQueryData<{ items: RoutingRule[] }>(routingKeys.rules(workspaceId), (data) =>
        data ? { items: data.items.map((r) => (r.id === ruleId ? { ...r, enabled } : r)) } : data,
      );
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: routingKeys.rules(workspaceId) }),
  });
}

export function useReorderRules(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (ruleIds: string[]) => routingApi.reorderRules(workspaceId, ruleIds),
    onMutate: (ruleIds) => {
      queryClient.setQueryData<{ items: RoutingRule[] }>(routingKeys.rules(workspaceId), (data) =>
        data ? { items: data.items.map((r) => ({ ...r, position: ruleIds.indexOf(r.id) })) } : data,
      );
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: routingKeys.rules(workspaceId) }),
  });
}

export function useDeleteRule(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (ruleId: string) => routingApi.removeRule(workspaceId, ruleId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: routingKeys.rules(workspaceId) }),
  });
}

export function useUpdateRoutingMember(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, patch }: { userId: string; patch: { available?: boolean; capacity?: number | null } }) =>
      routingApi.updateMember(workspaceId, userId, patch),
    onMutate: ({ userId, patch }) => {
      queryClient.setQueryData<{ items: RoutingMember[] }>(routingKeys.members(workspaceId), (data) =>
        data ? { items: data.items.map((m) => (m.userId === userId ? { ...m, ...patch } : m)) } : data,
      );
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: routingKeys.members(workspaceId) }),
  });
}
