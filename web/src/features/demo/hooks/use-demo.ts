import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { sessionKey } from '../../auth/hooks/use-session';
import { demoApi } from '../api/demo-api';

export const serverInfoKey = ['server-info'] as const;

/** What this deployment offers (the demo); it does not change while the page is open. */
export function useServerInfo() {
  return useQuery({ queryKey: serverInfoKey, queryFn: demoApi.serverInfo, staleTime: Number.POSITIVE_INFINITY });
}

/** Whether the Meta simulator runs in this server (false while loading or if the call fails). */
export function useIsSandbox(): boolean {
  return useServerInfo().data?.demo === true;
}

export function useStartDemo() {
  return useMutation({ mutationFn: demoApi.startSession });
}

export function useRemoveDemoData(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => demoApi.removeDemoData(workspaceId),
    // Leads, contacts, members and the Facebook connection went; the session's `isDemo` flag too.
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: sessionKey }),
        queryClient.invalidateQueries({ queryKey: ['workspaces', workspaceId] }),
      ]),
  });
}
