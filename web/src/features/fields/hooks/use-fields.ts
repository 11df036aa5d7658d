import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FieldEntity, type FieldInput, type FieldPatch, fieldsApi } from '../api/fields-api';

export const fieldKeys = {
  all: (workspaceId: string) => ['workspaces', workspaceId, 'fields'] as const,
  list: (workspaceId: string, entity: FieldEntity) => ['workspaces', workspaceId, 'fields', entity] as const,
};

/** Field definitions of one entity, in their display order. */
export function useFields(workspaceId: string, entity: FieldEntity, { includeArchived = false } = {}) {
  return useQuery({
    queryKey: fieldKeys.list(workspaceId, entity),
    queryFn: () => fieldsApi.list(workspaceId, entity),
    staleTime: 5 * 60_000,
    select: (data) =>
      [...data.items].filter((f) => includeArchived || !f.archived).sort((a, b) => a.position - b.position),
  });
}

export function useCreateField(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: FieldInput) => fieldsApi.create(workspaceId, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: fieldKeys.all(workspaceId) }),
  });
}

export function useUpdateField(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ fieldId, patch }: { fieldId: string; patch: FieldPatch }) =>
      fieldsApi.update(workspaceId, fieldId, patch),
    onSettled: () => queryClient.invalidateQueries({ queryKey: fieldKeys.all(workspaceId) }),
  });
}

export function useArchiveField(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fieldId: string) => fieldsApi.archive(workspaceId, fieldId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: fieldKeys.all(workspaceId) }),
  });
}
