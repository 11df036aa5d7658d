import { type InfiniteData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type Lead, type LeadPage, type LeadQuery, leadsApi } from '../../leads/api/leads-api';
import { leadKeys, patchCachedLead } from '../../leads/hooks/use-leads';
import type { PipelineSummary } from '../../pipelines/api/pipelines-api';
import { pipelineKeys } from '../../pipelines/hooks/use-pipelines';

export const COLUMN_PAGE_SIZE = 50;

export const boardKeys = {
  all: (workspaceId: string) => ['workspaces', workspaceId, 'board'] as const,
  column: (workspaceId: string, stageId: string) => ['workspaces', workspaceId, 'board', 'column', stageId] as const,
};

const columnQuery = (stageId: string): LeadQuery => ({
  filters: [{ field: 'stage_id', op: 'eq', value: stageId }],
  sort: { field: 'stage_changed_at', direction: 'desc' },
});

/** The cards of one stage, 50 at a time. */
export function useBoardColumn(workspaceId: string, stageId: string) {
  return useInfiniteQuery({
    queryKey: boardKeys.column(workspaceId, stageId),
    queryFn: ({ pageParam, signal }) =>
      leadsApi.query(
        workspaceId,
        { ...columnQuery(stageId), cursor: pageParam, limit: COLUMN_PAGE_SIZE, count: 'none' },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });
}

type ColumnData = InfiniteData<LeadPage, string | null>;

/**
 * Moves a card to another stage: the board changes at once (card, counts and sums) and goes back if the server
 * refuses.
 */
export function useMoveLead(workspaceId: string, pipelineId: string) {
  const queryClient = useQueryClient();
  const summaryKey = pipelineKeys.summary(workspaceId, pipelineId);

  return useMutation({
    mutationFn: ({ lead, toStageId }: { lead: Lead; toStageId: string }) =>
      leadsApi.update(workspaceId, lead.id, { stageId: toStageId }),
    onMutate: async ({ lead, toStageId }) => {
      const fromKey = boardKeys.column(workspaceId, lead.stageId);
      const toKey = boardKeys.column(workspaceId, toStageId);
      await Promise.all([
        queryClient.cancelQueries({ queryKey: fromKey }),
        queryClient.cancelQueries({ queryKey: toKey }),
        queryClient.cancelQueries({ queryKey: summaryKey }),
      ]);
      const snapshot = {
        from: queryClient.getQueryData<ColumnData>(fromKey),
        to: queryClient.getQueryData<ColumnData>(toKey),
        summary: queryClient.getQueryData<PipelineSummary>(summaryKey),
      };
      const moved: Lead = { ...lead, stageId: toStageId, stageChangedAt: new Date().toISOString() };

      queryClient.setQueryData<ColumnData>(fromKey, (data) =>
        data
          ? {
              ...data,
              pages: data.pages.map((p) => ({ ...p, items: p.items.filter((l) => l.id !== lead.id) })),
            }
          : data,
      );
      queryClient.setQueryData<ColumnData>(toKey, (data) =>
        data
          ? {
              ...data,
              pages: data.pages.map((p, i) => (i === 0 ? { ...p, items: [moved, ...p.items] } : p)),
            }
          : data,
      );
      queryClient.setQueryData<PipelineSummary>(summaryKey, (data) =>
        data
          ? {
              stages: data.stages.map((s) => {
                const value = lead.value ?? 0;
                if (s.stageId === lead.stageId)
                  return { ...s, count: Math.max(0, s.count - 1), value: (s.value ?? 0) - value };
                if (s.stageId === toStageId) return { ...s, count: s.count + 1, value: (s.value ?? 0) + value };
                return s;
              }),
            }
          : data,
      );
      patchCachedLead(queryClient, workspaceId, lead.id, (cached) => ({ ...cached, stageId: toStageId }));
      return { snapshot, fromKey, toKey };
    },
    onError: (_error, _variables, context) => {
      if (!context) return;
      queryClient.setQueryData(context.fromKey, context.snapshot.from);
      queryClient.setQueryData(context.toKey, context.snapshot.to);
      queryClient.setQueryData(summaryKey, context.snapshot.summary);
    },
    onSettled: (_data, _error, { lead }) => {
      void queryClient.invalidateQueries({ queryKey: boardKeys.all(workspaceId) });
      void queryClient.invalidateQueries({ queryKey: leadKeys.lists(workspaceId) });
      void queryClient.invalidateQueries({ queryKey: leadKeys.detail(workspaceId, lead.id) });
    },
  });
}
