import { type InfiniteData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  type BulkAction,
  type BulkSelection,
  type Lead,
  type LeadDetail,
  type LeadPage,
  type LeadPatch,
  type LeadQuery,
  leadsApi,
  type NewLead,
  type ViewInput,
  viewsApi,
} from '../api/leads-api';

export const leadKeys = {
  all: (workspaceId: string) => ['workspaces', workspaceId, 'leads'] as const,
  lists: (workspaceId: string) => ['workspaces', workspaceId, 'leads', 'list'] as const,
  list: (workspaceId: string, query: LeadQuery, limit: number) =>
    ['workspaces', workspaceId, 'leads', 'list', query, limit] as const,
  count: (workspaceId: string, query: LeadQuery) => ['workspaces', workspaceId, 'leads', 'count', query] as const,
  newest: (workspaceId: string, query: LeadQuery) => ['workspaces', workspaceId, 'leads', 'newest', query] as const,
  exactCount: (workspaceId: string, query: LeadQuery) =>
    ['workspaces', workspaceId, 'leads', 'exact-count', query] as const,
  detail: (workspaceId: string, leadId: string) => ['workspaces', workspaceId, 'leads', 'detail', leadId] as const,
  timeline: (workspaceId: string, leadId: string) => ['workspaces', workspaceId, 'leads', 'timeline', leadId] as const,
  tags: (workspaceId: string) => ['workspaces', workspaceId, 'tags'] as const,
  views: (workspaceId: string) => ['workspaces', workspaceId, 'views'] as const,
};

/**
 * Keyset-paginated leads. Pages never carry a count: counting a broad search can take far longer than the page
 * itself, so the count is a separate request (`useLeadCount`) and the rows show as soon as they arrive.
 */
export function useLeadList(
  workspaceId: string,
  query: LeadQuery,
  { limit = 100, enabled = true, refetchInterval = false as number | false } = {},
) {
  return useInfiniteQuery({
    queryKey: leadKeys.list(workspaceId, query, limit),
    queryFn: ({ pageParam, signal }) =>
      leadsApi.query(workspaceId, { ...query, cursor: pageParam, limit, count: 'none' }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
    enabled,
    refetchInterval,
  });
}

/**
 * The newest lead of a view (its filters and search, newest first), polled every second while the tab is visible:
 * how the leads table learns that a lead arrived (Lead Ads, the API, a colleague) without reloading its pages.
 */
export function useNewestLead(workspaceId: string, query: LeadQuery, { enabled = true } = {}) {
  return useQuery({
    queryKey: leadKeys.newest(workspaceId, query),
    queryFn: ({ signal }) =>
      leadsApi.query(
        workspaceId,
        {
          q: query.q,
          filters: query.filters,
          sort: { field: 'created_at', direction: 'desc' },
          limit: 1,
          count: 'none',
        },
        signal,
      ),
    select: (page) => page.items[0]?.id ?? null,
    refetchInterval: NEW_LEADS_POLL_MS,
    enabled,
  });
}

const NEW_LEADS_POLL_MS = 1_000;

/** How many leads match, "auto": exact up to 10,000, otherwise 10,000+. Fetched beside the first page. */
export function useLeadCount(
  workspaceId: string,
  query: LeadQuery,
  { refetchInterval = false as number | false } = {},
) {
  return useQuery({
    queryKey: leadKeys.count(workspaceId, query),
    queryFn: ({ signal }) => leadsApi.query(workspaceId, { ...query, limit: 1, count: 'auto' }, signal),
    select: (page) => page.count,
    refetchInterval,
  });
}

/** The exact number of matching leads, asked for only when the user wants it (it can be slow on big workspaces). */
export function useExactLeadCount(workspaceId: string, query: LeadQuery, enabled: boolean) {
  return useQuery({
    queryKey: leadKeys.exactCount(workspaceId, query),
    queryFn: ({ signal }) => leadsApi.query(workspaceId, { ...query, limit: 1, count: 'exact' }, signal),
    enabled,
    select: (page) => page.count,
  });
}

export function useLead(workspaceId: string, leadId: string) {
  return useQuery({ queryKey: leadKeys.detail(workspaceId, leadId), queryFn: () => leadsApi.get(workspaceId, leadId) });
}

export function useTimeline(workspaceId: string, leadId: string) {
  return useInfiniteQuery({
    queryKey: leadKeys.timeline(workspaceId, leadId),
    queryFn: ({ pageParam }) => leadsApi.timeline(workspaceId, leadId, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });
}

type ListData = InfiniteData<LeadPage, string | null>;

/** Applies a change to every cached copy of a lead in the lists (for optimistic edits). */
export function patchCachedLead(
  queryClient: ReturnType<typeof useQueryClient>,
  workspaceId: string,
  leadId: string,
  change: (lead: Lead) => Lead,
) {
  queryClient.setQueriesData<ListData>({ queryKey: leadKeys.lists(workspaceId) }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.map((lead) => (lead.id === leadId ? change(lead) : lead)),
          })),
        }
      : data,
  );
}

/** Edits a lead; the lists and the detail page show the change before the server answers. */
export function useUpdateLead(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ leadId, patch }: { leadId: string; patch: LeadPatch }) =>
      leadsApi.update(workspaceId, leadId, patch),
    onMutate: async ({ leadId, patch }) => {
      await queryClient.cancelQueries({ queryKey: leadKeys.detail(workspaceId, leadId) });
      const previous = queryClient.getQueryData<LeadDetail>(leadKeys.detail(workspaceId, leadId));
      const apply = <T extends Lead>(lead: T): T => ({
        ...lead,
        ...(patch.stageId !== undefined && { stageId: patch.stageId }),
        ...(patch.ownerId !== undefined && { ownerId: patch.ownerId }),
        ...(patch.value !== undefined && { value: patch.value }),
        ...(patch.tags !== undefined && { tags: patch.tags }),
        ...(patch.custom !== undefined && { custom: { ...lead.custom, ...patch.custom } }),
      });
      patchCachedLead(queryClient, workspaceId, leadId, apply);
      if (previous) queryClient.setQueryData(leadKeys.detail(workspaceId, leadId), apply(previous));
      return { previous };
    },
    onError: (_error, { leadId }, context) => {
      if (context?.previous) queryClient.setQueryData(leadKeys.detail(workspaceId, leadId), context.previous);
      void queryClient.invalidateQueries({ queryKey: leadKeys.lists(workspaceId) });
    },
    onSuccess: (lead) => {
      patchCachedLead(queryClient, workspaceId, lead.id, (cached) => ({ ...cached, ...lead }));
    },
    onSettled: (_data, _error, { leadId }) => {
      void queryClient.invalidateQueries({ queryKey: leadKeys.detail(workspaceId, leadId) });
      void queryClient.invalidateQueries({ queryKey: leadKeys.timeline(workspaceId, leadId) });
      void queryClient.invalidateQueries({ queryKey: ['workspaces', workspaceId, 'board'] });
    },
  });
}

export function useCreateLead(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewLead) => leadsApi.create(workspaceId, input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: leadKeys.all(workspaceId) });
      void queryClient.invalidateQueries({ queryKey: ['workspaces', workspaceId, 'board'] });
    },
  });
}

export function useDeleteLead(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (leadId: string) => leadsApi.remove(workspaceId, leadId),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: leadKeys.lists(workspaceId) });
      void queryClient.invalidateQueries({ queryKey: ['workspaces', workspaceId, 'board'] });
    },
  });
}

export function useBulkAction(workspaceId: string) {
  return useMutation({
    mutationFn: ({ selection, action }: { selection: BulkSelection; action: BulkAction }) =>
      leadsApi.bulk(workspaceId, selection, action),
  });
}

/** Refreshes everything that shows leads (after a bulk action or an import). */
export function useRefreshLeads(workspaceId: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: leadKeys.all(workspaceId) });
    void queryClient.invalidateQueries({ queryKey: leadKeys.tags(workspaceId) });
    void queryClient.invalidateQueries({ queryKey: ['workspaces', workspaceId, 'board'] });
  };
}

export function useTags(workspaceId: string) {
  return useQuery({
    queryKey: leadKeys.tags(workspaceId),
    queryFn: () => leadsApi.tags(workspaceId),
    staleTime: 60_000,
    select: (data) => data.items.map((tag) => tag.name),
  });
}

export function useViews(workspaceId: string) {
  return useQuery({ queryKey: leadKeys.views(workspaceId), queryFn: () => viewsApi.list(workspaceId) });
}

export function useCreateView(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ViewInput) => viewsApi.create(workspaceId, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: leadKeys.views(workspaceId) }),
  });
}

export function useDeleteView(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (viewId: string) => viewsApi.remove(workspaceId, viewId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: leadKeys.views(workspaceId) }),
  });
}
