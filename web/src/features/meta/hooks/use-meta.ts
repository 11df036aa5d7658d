import { type Query, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type MetaCaptureStatus, type MetaFeature, type MetaFieldMapping, metaApi } from '../api/meta-api';

export const metaKeys = {
  all: (workspaceId: string) => ['workspaces', workspaceId, 'meta'] as const,
  overview: (workspaceId: string) => ['workspaces', workspaceId, 'meta', 'overview'] as const,
  availablePages: (workspaceId: string) => ['workspaces', workspaceId, 'meta', 'available-pages'] as const,
  form: (workspaceId: string, formRowId: string) => ['workspaces', workspaceId, 'meta', 'form', formRowId] as const,
  captures: (workspaceId: string, pageRowId: string, status?: MetaCaptureStatus) =>
    ['workspaces', workspaceId, 'meta', 'captures', pageRowId, status ?? 'all'] as const,
};

/**
 * Connection and per-Page capture health. The settings page refreshes it often; the layout's reconnect banner
 * shares the same cache and asks only once a minute.
 */
export function useMetaOverview(workspaceId: string, { refetchInterval = 15_000, enabled = true } = {}) {
  return useQuery({
    queryKey: metaKeys.overview(workspaceId),
    queryFn: () => metaApi.overview(workspaceId),
    refetchInterval,
    enabled,
    staleTime: 5_000,
  });
}

export function useAvailablePages(workspaceId: string, enabled: boolean) {
  return useQuery({
    queryKey: metaKeys.availablePages(workspaceId),
    queryFn: () => metaApi.availablePages(workspaceId),
    enabled,
    staleTime: 60_000,
  });
}

export function useStartOAuth(workspaceId: string) {
  return useMutation({
    mutationFn: (features: MetaFeature[]) => metaApi.startOAuth(workspaceId, features),
    // The Login dialog is a full page on facebook.com (or the simulator); it comes back through the API's callback.
    onSuccess: ({ url }) => window.location.assign(url),
  });
}

function useInvalidateMeta(workspaceId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: metaKeys.all(workspaceId) });
}

export function useConnectPages(workspaceId: string) {
  const invalidate = useInvalidateMeta(workspaceId);
  return useMutation({
    mutationFn: (pageIds: string[]) => metaApi.connectPages(workspaceId, pageIds),
    onSuccess: invalidate,
  });
}

export function useDisconnectPage(workspaceId: string) {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateMeta(workspaceId);
  return useMutation({
    mutationFn: (pageRowId: string) => metaApi.disconnectPage(workspaceId, pageRowId),
    onSuccess: async () => {
      // Leads were deleted: every cached list and count of this workspace is stale.
      await Promise.all([invalidate(), queryClient.invalidateQueries({ queryKey: ['workspaces', workspaceId] })]);
    },
  });
}

export function useDisconnectMeta(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => metaApi.disconnect(workspaceId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['workspaces', workspaceId] }),
  });
}

export function useSyncMeta(workspaceId: string) {
  const invalidate = useInvalidateMeta(workspaceId);
  return useMutation({
    mutationFn: (pageRowId?: string) => metaApi.sync(workspaceId, pageRowId),
    onSuccess: invalidate,
  });
}

export function useSendTestLead(workspaceId: string) {
  return useMutation({
    mutationFn: ({ pageRowId, formId }: { pageRowId: string; formId?: string }) =>
      metaApi.sendTestLead(workspaceId, pageRowId, formId),
  });
}

type CapturesPage = Awaited<ReturnType<typeof metaApi.captures>>;
type CapturesRefetch = (
  query: Query<CapturesPage, Error, CapturesPage, readonly unknown[]>,
) => number | false | undefined;

/** The captures of one Page (newest first), optionally only those in one status. */
export function useCaptures(
  workspaceId: string,
  pageRowId: string,
  {
    status,
    enabled = true,
    refetchInterval,
  }: { status?: MetaCaptureStatus; enabled?: boolean; refetchInterval?: number | false | CapturesRefetch } = {},
) {
  return useQuery({
    queryKey: metaKeys.captures(workspaceId, pageRowId, status),
    queryFn: () => metaApi.captures(workspaceId, { pageRowId, status }),
    enabled,
    refetchInterval,
    staleTime: 5_000,
  });
}

export function useRetryCapture(workspaceId: string) {
  const invalidate = useInvalidateMeta(workspaceId);
  return useMutation({
    mutationFn: (leadgenId: string) => metaApi.retryCapture(workspaceId, leadgenId),
    onSuccess: invalidate,
  });
}

export function useMetaForm(workspaceId: string, formRowId: string | null) {
  return useQuery({
    queryKey: metaKeys.form(workspaceId, formRowId ?? ''),
    queryFn: () => metaApi.form(workspaceId, formRowId ?? ''),
    enabled: formRowId !== null,
  });
}

export function useSaveMapping(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ formRowId, mapping }: { formRowId: string; mapping: MetaFieldMapping[] }) =>
      metaApi.saveMapping(workspaceId, formRowId, mapping),
    onSuccess: (form) => queryClient.setQueryData(metaKeys.form(workspaceId, form.id), form),
  });
}
