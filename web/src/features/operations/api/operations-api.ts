import { api, seg } from '../../../lib/api';

export type OperationStatus = 'pending' | 'running' | 'succeeded' | 'failed';

/** A long-running job (import, export, bulk action) reported by `GET /operations/:id`. */
export interface Operation {
  id: string;
  kind: 'import' | 'export' | 'bulk';
  status: OperationStatus;
  total: number | null;
  processed: number;
  details: Record<string, unknown> | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/operations`;

export const operationsApi = {
  list: (workspaceId: string, kind?: Operation['kind'], limit = 20) =>
    api.get<{ items: Operation[] }>(base(workspaceId), { query: { kind, limit } }),
  get: (workspaceId: string, operationId: string) => api.get<Operation>(`${base(workspaceId)}/${seg(operationId)}`),
};

export const isOperationFinished = (operation: Operation | undefined): boolean =>
  operation?.status === 'succeeded' || operation?.status === 'failed';

/** Number from `details` (e.g. `created`, `updated`, `rejected`, `updated` for bulk). */
export function detailNumber(operation: Operation | undefined, key: string): number {
  const value = operation?.details?.[key];
  return typeof value === 'number' ? value : 0;
}
