import { api, base64UrlJson, seg } from '../../../lib/api';
import type { LeadQuery } from '../../leads/api/leads-api';

export type StageKind = 'open' | 'won' | 'lost';

export interface Stage {
  id: string;
  pipelineId: string;
  name: string;
  position: number;
  kind: StageKind;
  color: string | null;
}

export interface Pipeline {
  id: string;
  name: string;
  position: number;
  isDefault: boolean;
  stages: Stage[];
}

export interface StageInput {
  name: string;
  kind?: StageKind;
  color?: string | null;
}

export interface PipelineSummary {
  stages: { stageId: string; count: number; value: number | null }[];
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}`;

export const pipelinesApi = {
  list: (workspaceId: string) => api.get<{ items: Pipeline[] }>(`${base(workspaceId)}/pipelines`),
  create: (workspaceId: string, input: { name: string; stages?: StageInput[] }) =>
    api.post<Pipeline>(`${base(workspaceId)}/pipelines`, input),
  update: (workspaceId: string, pipelineId: string, patch: { name?: string; isDefault?: boolean }) =>
    api.patch<Pipeline>(`${base(workspaceId)}/pipelines/${seg(pipelineId)}`, patch),
  remove: (workspaceId: string, pipelineId: string) => api.delete(`${base(workspaceId)}/pipelines/${seg(pipelineId)}`),
  addStage: (workspaceId: string, pipelineId: string, input: StageInput) =>
    api.post<Stage>(`${base(workspaceId)}/pipelines/${seg(pipelineId)}/stages`, input),
  updateStage: (workspaceId: string, stageId: string, patch: Partial<StageInput>) =>
    api.patch<Stage>(`${base(workspaceId)}/stages/${seg(stageId)}`, patch),
  reorderStages: (workspaceId: string, pipelineId: string, stageIds: string[]) =>
    api.put<unknown>(`${base(workspaceId)}/pipelines/${seg(pipelineId)}/stage-order`, { stageIds }),
  removeStage: (workspaceId: string, stageId: string, moveTo?: string) =>
    api.delete(`${base(workspaceId)}/stages/${seg(stageId)}`, { query: { moveTo } }),
  summary: (workspaceId: string, pipelineId: string, query?: LeadQuery) =>
    api.get<PipelineSummary>(`${base(workspaceId)}/pipelines/${seg(pipelineId)}/summary`, {
      query: { query: query ? base64UrlJson(query) : undefined },
    }),
};

export const STAGE_KIND_LABEL: Record<StageKind, string> = { open: 'Open', won: 'Won', lost: 'Lost' };
export const STAGE_KIND_COLOR: Record<StageKind, string> = { open: 'blue', won: 'teal', lost: 'red' };

/** A stage's colour: its own, or one that says what kind it is. */
export function stageColor(stage: Pick<Stage, 'color' | 'kind'> | undefined): string {
  if (stage?.color) return stage.color;
  return stage ? `var(--mantine-color-${STAGE_KIND_COLOR[stage.kind]}-6)` : 'var(--mantine-color-gray-5)';
}
