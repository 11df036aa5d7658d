import { api, base64UrlJson, buildUrl, seg } from '../../../lib/api';
import type { Contact } from '../../contacts/api/contacts-api';

export type FilterOp =
  | 'eq'
  | 'neq'
  | 'in'
  | 'nin'
  | 'contains'
  | 'not_contains'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'between'
  | 'is_empty'
  | 'is_not_empty';

export interface LeadFilter {
  field: string;
  op: FilterOp;
  value?: unknown;
}

export interface LeadSort {
  field: string;
  direction: 'asc' | 'desc';
}

export interface LeadQuery {
  q?: string;
  filters?: LeadFilter[];
  sort?: LeadSort;
}

export interface LeadAnswer {
  key: string;
  question?: string;
  value: unknown;
}

export interface Lead {
  id: string;
  contactId: string;
  name: string;
  email: string | null;
  phone: string | null;
  source: string;
  externalId: string | null;
  formId: string | null;
  formName: string | null;
  campaignId: string | null;
  campaignName: string | null;
  adsetId: string | null;
  adsetName: string | null;
  adId: string | null;
  adName: string | null;
  platform: string | null;
  answers: LeadAnswer[];
  pipelineId: string;
  stageId: string;
  ownerId: string | null;
  value: number | null;
  currency: string | null;
  tags: string[];
  custom: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  stageChangedAt: string;
}

export interface LeadDetail extends Lead {
  contact: Contact;
  owner: { id: string; name: string } | null;
}

export type CountMode = 'auto' | 'exact' | 'none';

export interface LeadCount {
  value: number;
  exact: boolean;
}

export interface LeadPage {
  items: Lead[];
  nextCursor: string | null;
  count: LeadCount | null;
}

export interface NewLead {
  contact?: { name?: string; email?: string; phone?: string; city?: string; country?: string };
  contactId?: string;
  source?: string;
  pipelineId?: string;
  stageId?: string;
  ownerId?: string | null;
  value?: number | null;
  currency?: string | null;
  tags?: string[];
  custom?: Record<string, unknown>;
}

export interface LeadPatch {
  name?: string;
  email?: string | null;
  phone?: string | null;
  stageId?: string;
  ownerId?: string | null;
  value?: number | null;
  currency?: string | null;
  tags?: string[];
  custom?: Record<string, unknown>;
}

export interface Activity {
  id: string;
  type: string;
  actor: { type: string; id: string | null; name: string | null } | null;
  data: Record<string, unknown> | null;
  createdAt: string;
  leadId: string | null;
  contactId: string | null;
}

export type BulkSelection = { ids: string[] } | { query: LeadQuery };

export type BulkAction =
  | { type: 'assign'; ownerId: string | null }
  | { type: 'tag'; add?: string[]; remove?: string[] }
  | { type: 'move_stage'; stageId: string }
  | { type: 'delete' };

/** 200 `{updated}` for small selections, 202 `{operationId}` when the server runs it as a job. */
export type BulkResult = { updated: number; operationId?: undefined } | { operationId: string; updated?: undefined };

export interface SavedView {
  id: string;
  name: string;
  shared: boolean;
  ownerId: string;
  query: LeadQuery;
  columns: string[];
  createdAt: string;
}

export interface ViewInput {
  name: string;
  shared?: boolean;
  query: LeadQuery;
  columns?: string[];
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}`;

export const leadsApi = {
  query: (
    workspaceId: string,
    body: LeadQuery & { cursor?: string | null; limit?: number; count?: CountMode },
    signal?: AbortSignal,
  ) => {
    // The server wants `cursor` absent (not null) on the first page.
    const { cursor, ...rest } = body;
    return api.post<LeadPage>(`${base(workspaceId)}/leads/query`, cursor ? { ...rest, cursor } : rest, { signal });
  },
  create: (workspaceId: string, input: NewLead) => api.post<Lead>(`${base(workspaceId)}/leads`, input),
  get: (workspaceId: string, leadId: string) => api.get<LeadDetail>(`${base(workspaceId)}/leads/${seg(leadId)}`),
  update: (workspaceId: string, leadId: string, patch: LeadPatch) =>
    api.patch<Lead>(`${base(workspaceId)}/leads/${seg(leadId)}`, patch),
  remove: (workspaceId: string, leadId: string) => api.delete(`${base(workspaceId)}/leads/${seg(leadId)}`),
  timeline: (workspaceId: string, leadId: string, cursor?: string | null) =>
    api.get<{ items: Activity[]; nextCursor: string | null }>(`${base(workspaceId)}/leads/${seg(leadId)}/timeline`, {
      query: { cursor },
    }),
  bulk: (workspaceId: string, selection: BulkSelection, action: BulkAction) =>
    api.post<BulkResult>(`${base(workspaceId)}/leads/bulk`, { selection, action }),
  tags: (workspaceId: string) => api.get<{ items: { name: string; count: number }[] }>(`${base(workspaceId)}/tags`),
  /** A download URL: the browser streams the file with the session cookie. */
  exportUrl: (workspaceId: string, query: LeadQuery, format: 'csv' | 'jsonl' = 'csv', columns?: string[]) =>
    buildUrl(`${base(workspaceId)}/leads/export`, {
      format,
      query: base64UrlJson(query),
      columns: columns?.length ? columns.join(',') : undefined,
    }),
};

export const viewsApi = {
  list: (workspaceId: string) => api.get<{ items: SavedView[] }>(`${base(workspaceId)}/views`),
  create: (workspaceId: string, input: ViewInput) => api.post<SavedView>(`${base(workspaceId)}/views`, input),
  update: (workspaceId: string, viewId: string, patch: Partial<ViewInput>) =>
    api.patch<SavedView>(`${base(workspaceId)}/views/${seg(viewId)}`, patch),
  remove: (workspaceId: string, viewId: string) => api.delete(`${base(workspaceId)}/views/${seg(viewId)}`),
};
