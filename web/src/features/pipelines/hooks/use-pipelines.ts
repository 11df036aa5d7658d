import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { LeadQuery } from '../../leads/api/leads-api';
import { type Pipeline, pipelinesApi, type Stage } from '../api/pipelines-api';

export const pipelineKeys = {
  list: (workspaceId: string) => ['workspaces', workspaceId, 'pipelines'] as const,
  summary: (workspaceId: string, pipelineId: string, query?: LeadQuery) =>
    ['workspaces', workspaceId, 'board', 'summary', pipelineId, query ?? null] as const,
};

export function usePipelines(workspaceId: string) {
  return useQuery({
    queryKey: pipelineKeys.list(workspaceId),
    queryFn: () => pipelinesApi.list(workspaceId),
    staleTime: 5 * 60_000,
  });
}

export interface PipelineLookup {
  pipelines: Pipeline[];
  defaultPipeline: Pipeline | undefined;
  stage: (stageId: string | null | undefined) => Stage | undefined;
  pipeline: (pipelineId: string | null | undefined) => Pipeline | undefined;
}

/** Pipelines plus quick lookups by id, for tables and selects. */
export function usePipelineLookup(workspaceId: string): PipelineLookup & { isPending: boolean; error: unknown } {
  const query = usePipelines(workspaceId);
  const lookup = useMemo(() => {
    const pipelines = [...(query.data?.items ?? [])]
      .sort((a, b) => a.position - b.position)
      .map((p) => ({ ...p, stages: [...p.stages].sort((a, b) => a.position - b.position) }));
    const stages = new Map(pipelines.flatMap((p) => p.stages.map((s) => [s.id, s] as const)));
    const byId = new Map(pipelines.map((p) => [p.id, p] as const));
    return {
      pipelines,
      defaultPipeline: pipelines.find((p) => p.isDefault) ?? pipelines[0],
      stage: (stageId: string | null | undefined) => (stageId ? stages.get(stageId) : undefined),
      pipeline: (pipelineId: string | null | undefined) => (pipelineId ? byId.get(pipelineId) : undefined),
    };
  }, [query.data]);
  return { ...lookup, isPending: query.isPending, error: query.error };
}

export function usePipelineSummary(workspaceId: string, pipelineId: string | null, query?: LeadQuery) {
  return useQuery({
    queryKey: pipelineKeys.summary(workspaceId, pipelineId ?? '', query),
    queryFn: () => pipelinesApi.summary(workspaceId, pipelineId!, query),
    enabled: Boolean(pipelineId),
  });
}

/** Every pipeline change refreshes the pipelines and anything drawn from them. */
export function usePipelineMutation<TVariables, TResult>(
  workspaceId: string,
  mutationFn: (variables: TVariables) => Promise<TResult>,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: pipelineKeys.list(workspaceId) });
      void queryClient.invalidateQueries({ queryKey: ['workspaces', workspaceId, 'board'] });
    },
  });
}
