import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { jobsApi } from '../api/jobs-api';

const failedJobsKey = (workspaceId: string) => ['workspaces', workspaceId, 'jobs', 'failed'] as const;

export function useFailedJobs(workspaceId: string) {
  return useQuery({ queryKey: failedJobsKey(workspaceId), queryFn: () => jobsApi.listFailed(workspaceId) });
}

export function useRetryJob(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (jobId: string) => jobsApi.retry(workspaceId, jobId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: failedJobsKey(workspaceId) }),
  });
}
