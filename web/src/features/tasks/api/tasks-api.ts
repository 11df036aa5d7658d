import { api, seg } from '../../../lib/api';

export interface Task {
  id: string;
  title: string;
  dueAt: string | null;
  remindAt: string | null;
  assignee: { id: string; name: string } | null;
  leadId: string | null;
  contactId: string | null;
  lead: { id: string; name: string } | null;
  doneAt: string | null;
  createdAt: string;
}

export interface TaskFilters {
  assignee?: 'me' | 'any' | (string & {});
  status?: 'open' | 'done' | 'all';
  due?: 'overdue' | 'today' | 'upcoming' | 'any';
  leadId?: string;
  contactId?: string;
}

export interface TaskInput {
  title: string;
  dueAt?: string | null;
  remindAt?: string | null;
  assigneeId?: string | null;
  leadId?: string;
  contactId?: string;
}

export interface TaskPatch {
  title?: string;
  dueAt?: string | null;
  remindAt?: string | null;
  assigneeId?: string | null;
  done?: boolean;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/tasks`;

export const tasksApi = {
  list: (workspaceId: string, filters: TaskFilters) =>
    api.get<{ items: Task[] }>(base(workspaceId), { query: { ...filters } }),
  create: (workspaceId: string, input: TaskInput) => api.post<Task>(base(workspaceId), input),
  update: (workspaceId: string, taskId: string, patch: TaskPatch) =>
    api.patch<Task>(`${base(workspaceId)}/${seg(taskId)}`, patch),
  remove: (workspaceId: string, taskId: string) => api.delete(`${base(workspaceId)}/${seg(taskId)}`),
};
