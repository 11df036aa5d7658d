import { api, seg } from '../../../lib/api';

export interface FailedJob {
  id: string;
  queue: string;
  error: string | null;
  createdOn: string;
  completedOn: string | null;
  retryCount: number;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/jobs/failed`;

export const jobsApi = {
  listFailed: (workspaceId: string) => api.get<{ items: FailedJob[] }>(base(workspaceId)),
  retry: (workspaceId: string, jobId: string) => api.post<void>(`${base(workspaceId)}/${seg(jobId)}/retry`),
};
