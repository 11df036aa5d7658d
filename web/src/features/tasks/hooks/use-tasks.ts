import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { leadKeys } from '../../leads/hooks/use-leads';
import { type Task, type TaskFilters, type TaskInput, type TaskPatch, tasksApi } from '../api/tasks-api';

export const taskKeys = {
  all: (workspaceId: string) => ['workspaces', workspaceId, 'tasks'] as const,
  list: (workspaceId: string, filters: TaskFilters) => ['workspaces', workspaceId, 'tasks', filters] as const,
};

export function useTasks(workspaceId: string, filters: TaskFilters) {
  return useQuery({
    queryKey: taskKeys.list(workspaceId, filters),
    queryFn: () => tasksApi.list(workspaceId, filters),
  });
}

export function useCreateTask(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: TaskInput) => tasksApi.create(workspaceId, input),
    onSuccess: (task) => {
      void queryClient.invalidateQueries({ queryKey: taskKeys.all(workspaceId) });
      if (task.leadId) void queryClient.invalidateQueries({ queryKey: leadKeys.timeline(workspaceId, task.leadId) });
    },
  });
}

/** Completing a task ticks it at once; the lists refresh when the server answers. */
export function useUpdateTask(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ taskId, patch }: { taskId: string; patch: TaskPatch }) =>
      tasksApi.update(workspaceId, taskId, patch),
    onMutate: async ({ taskId, patch }) => {
      await queryClient.cancelQueries({ queryKey: taskKeys.all(workspaceId) });
      const snapshot = queryClient.getQueriesData<{ items: Task[] }>({ queryKey: taskKeys.all(workspaceId) });
      queryClient.setQueriesData<{ items: Task[] }>({ queryKey: taskKeys.all(workspaceId) }, (data) =>
        data
          ? {
              items: data.items.map((task) =>
                task.id === taskId
                  ? {
                      ...task,
                      ...(patch.title !== undefined && { title: patch.title }),
                      ...(patch.done !== undefined && { doneAt: patch.done ? new Date().toISOString() : null }),
                    }
                  : task,
              ),
            }
          : data,
      );
      return { snapshot };
    },
    onError: (_error, _variables, context) => {
      for (const [key, data] of context?.snapshot ?? []) queryClient.setQueryData(key, data);
    },
    onSettled: (task) => {
      void queryClient.invalidateQueries({ queryKey: taskKeys.all(workspaceId) });
      if (task?.leadId) void queryClient.invalidateQueries({ queryKey: leadKeys.timeline(workspaceId, task.leadId) });
    },
  });
}

export function useDeleteTask(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (taskId: string) => tasksApi.remove(workspaceId, taskId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: taskKeys.all(workspaceId) }),
  });
}
