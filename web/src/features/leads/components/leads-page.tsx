import {
  Anchor,
  Box,
  Button,
  Card,
  CloseButton,
  EmptyState,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  ThemeIcon,
} from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  IconApi,
  IconBrandFacebook,
  IconFileImport,
  IconPlus,
  IconSearch,
  IconUsers,
  IconZoomCancel,
} from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { errorMessage } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { QueryError, TableSkeleton } from '../../../components/query-state';
import { ButtonLink } from '../../../components/router-link';
import { formatNumber } from '../../../lib/format-money';
import { useFields } from '../../fields/hooks/use-fields';
import { useMembers } from '../../members/hooks/use-members';
import { OperationProgressModal } from '../../operations/components/operation-progress';
import { usePipelineLookup } from '../../pipelines/hooks/use-pipelines';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import type { BulkSelection, Lead, LeadFilter, LeadPatch, LeadQuery, LeadSort, SavedView } from '../api/leads-api';
import {
  useExactLeadCount,
  useLeadCount,
  useLeadList,
  useNewestLead,
  useRefreshLeads,
  useTags,
  useUpdateLead,
} from '../hooks/use-leads';
import { AddLeadModal } from './add-lead-modal';
import { BulkBar } from './bulk-bar';
import { ColumnChooser } from './column-chooser';
import { AddFilterButton, FilterChips, type FilterContext } from './filter-builder';
import { DEFAULT_COLUMNS, leadFields } from './lead-fields';
import { LeadsTable } from './leads-table';
import { ViewsMenu } from './views-menu';

const DEFAULT_SORT: LeadSort = { field: 'created_at', direction: 'desc' };

interface TableState {
  search: string;
  filters: LeadFilter[];
  sort: LeadSort;
  columns: string[];
  viewId: string | null;
}

/**
 * A demo workspace shows, within a laptop's width, what it demonstrates: whom routing gave each sample Facebook lead
 * to and where it came from (the ad's campaign, or "Organic"). Email, phone and the rest are in the column chooser.
 */
const DEMO_COLUMNS = ['name', 'stage_id', 'owner_id', 'campaign_name', 'created_at'];

/** A demo workspace receives a sample lead every few seconds: its table follows them. */
const DEMO_REFRESH_MS = 3_000;

const stateKey = (workspaceId: string) => `leadsboost.leads-table.${workspaceId}`;

/** The table's search, filters, sort and columns survive a visit to a lead (per workspace, per tab). */
function loadState(workspaceId: string, isDemo: boolean): TableState {
  const fallback: TableState = {
    search: '',
    filters: [],
    sort: DEFAULT_SORT,
    columns: isDemo ? DEMO_COLUMNS : DEFAULT_COLUMNS,
    viewId: null,
  };
  try {
    const raw = sessionStorage.getItem(stateKey(workspaceId));
    const columns = localStorage.getItem(`leadsboost.columns.${workspaceId}`);
    const saved = raw ? (JSON.parse(raw) as Partial<TableState>) : {};
    return {
      ...fallback,
      ...saved,
      columns: columns ? (JSON.parse(columns) as string[]) : fallback.columns,
    };
  } catch {
    return fallback;
  }
}

function saveState(workspaceId: string, state: TableState) {
  try {
    const { columns, ...rest } = state;
    sessionStorage.setItem(stateKey(workspaceId), JSON.stringify(rest));
    localStorage.setItem(`leadsboost.columns.${workspaceId}`, JSON.stringify(columns));
  } catch {
    // Private mode or full storage: the table still works, it just forgets.
  }
}

export function LeadsPage() {
  const { workspace, can } = useCurrentWorkspace();
  const navigate = useNavigate();
  const [state, setState] = useState<TableState>(() => loadState(workspace.id, workspace.isDemo));
  const [debouncedSearch] = useDebouncedValue(state.search.trim(), 300);
  const [addOpened, addModal] = useDisclosure(false);
  const patch = (change: Partial<TableState>) => setState((s) => ({ ...s, ...change }));

  useEffect(() => saveState(workspace.id, state), [workspace.id, state]);

  const fields = useFields(workspace.id, 'lead');
  const members = useMembers(workspace.id);
  const tags = useTags(workspace.id);
  const lookup = usePipelineLookup(workspace.id);
  const allFields = useMemo(() => leadFields(fields.data), [fields.data]);
  const columns = useMemo(
    () => allFields.filter((f) => f.key === 'name' || state.columns.includes(f.key)),
    [allFields, state.columns],
  );
  const filterContext: FilterContext = {
    fields: allFields,
    lookup,
    members: members.data?.items ?? [],
    tags: tags.data ?? [],
  };

  const query = useMemo<LeadQuery>(
    () => ({ q: debouncedSearch || undefined, filters: state.filters, sort: state.sort }),
    [debouncedSearch, state.filters, state.sort],
  );
  const queryId = JSON.stringify(query);
  const refetchInterval = workspace.isDemo ? DEMO_REFRESH_MS : false;
  const list = useLeadList(workspace.id, query, { refetchInterval });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const firstCount = useLeadCount(workspace.id, query, { refetchInterval }).data ?? null;
  const refreshLeads = useRefreshLeads(workspace.id);

  // Leads that arrive while the table is open: when the view's newest lead changes, the first page is reloaded; when
  // more pages are loaded (the user scrolled), a button offers the reload instead of moving the rows under them.
  const newest = useNewestLead(workspace.id, query, { enabled: !workspace.isDemo && list.isSuccess });
  const newestId = newest.isSuccess ? newest.data : undefined;
  const [shownNewest, setShownNewest] = useState<{ queryId: string; id: string | null } | null>(null);
  const [newWaiting, setNewWaiting] = useState(false);
  const pagesLoaded = list.data?.pages.length ?? 0;
  useEffect(() => {
    if (newestId === undefined) return;
    if (shownNewest?.queryId !== queryId) {
      setShownNewest({ queryId, id: newestId });
      setNewWaiting(false);
      return;
    }
    if (newestId === shownNewest.id) return;
    setShownNewest({ queryId, id: newestId });
    if (pagesLoaded > 1) setNewWaiting(true);
    else refreshLeads();
  }, [newestId, shownNewest, queryId, pagesLoaded, refreshLeads]);
  const showNewLeads = () => {
    setNewWaiting(false);
    refreshLeads();
  };

  // Exact counts are asked for on demand, for this query only.
  const [exactFor, setExactFor] = useState<string | null>(null);
  const exact = useExactLeadCount(workspace.id, query, exactFor === queryId);
  const count = exactFor === queryId && exact.data ? exact.data : firstCount;

  // Selection: individual rows, or "everything matching this filter". It resets when the query changes.
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const clearSelection = useCallback(() => {
    setSelected(new Set());
    setAllMatching(false);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the selection belongs to one query.
  useEffect(clearSelection, [queryId, clearSelection]);

  const [operation, setOperation] = useState<{ id: string; title: string; opened: boolean } | null>(null);
  const update = useUpdateLead(workspace.id);

  const updateLead = useCallback(
    (lead: Lead, change: LeadPatch) =>
      update.mutate(
        { leadId: lead.id, patch: change },
        {
          onError: (error) =>
            notifications.show({ color: 'red', title: `${lead.name} was not updated`, message: errorMessage(error) }),
        },
      ),
    [update],
  );

  const filtered = Boolean(query.q) || state.filters.length > 0;
  const noLeadsAtAll = list.isSuccess && rows.length === 0 && !filtered;
  const loadedAllSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const matchingCount = count?.value ?? rows.length;
  const moreThanLoaded = list.hasNextPage || (count ? count.value > rows.length : false);
  const selection: BulkSelection = allMatching ? { query } : { ids: [...selected] };
  const selectionCount = allMatching ? matchingCount : selected.size;
  const selectionLabel = allMatching
    ? `All ${formatNumber(matchingCount)}${count && !count.exact ? '+' : ''} matching leads`
    : `${formatNumber(selected.size)} ${selected.size === 1 ? 'lead' : 'leads'}`;

  const toggleAll = () => {
    if (allMatching || loadedAllSelected) clearSelection();
    else setSelected(new Set(rows.map((r) => r.id)));
  };

  const applyView = (view: SavedView) => {
    patch({
      search: view.query.q ?? '',
      filters: view.query.filters ?? [],
      sort: view.query.sort ?? DEFAULT_SORT,
      columns: view.columns.length ? view.columns : state.columns,
      viewId: view.id,
    });
  };

  const headerActions = (
    <>
      {can('leads.import') && (
        <ButtonLink
          to="/w/$workspaceId/import"
          params={{ workspaceId: workspace.id }}
          variant="default"
          leftSection={<IconFileImport size={16} />}
        >
          Import
        </ButtonLink>
      )}
      {can('leads.write') && (
        <Button leftSection={<IconPlus size={16} />} onClick={addModal.open} data-testid="add-lead">
          Add lead
        </Button>
      )}
    </>
  );

  const addLeadModal = (
    <AddLeadModal
      opened={addOpened}
      onClose={addModal.close}
      onCreated={(lead) =>
        navigate({ to: '/w/$workspaceId/leads/$leadId', params: { workspaceId: workspace.id, leadId: lead.id } })
      }
    />
  );

  if (noLeadsAtAll) {
    return (
      <>
        <PageHeader
          title="Leads"
          description={`Every lead captured for ${workspace.name}, in one place.`}
          actions={headerActions}
        />
        <FirstRun />
        {addLeadModal}
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Leads"
        description={`Every lead captured for ${workspace.name}, in one place.`}
        actions={headerActions}
      />
      <Card withBorder radius="md" padding={0}>
        <Stack gap="sm" px="md" pt="md" pb="sm">
          <Group gap="sm" justify="space-between" wrap="wrap">
            <Group gap="sm" wrap="nowrap" style={{ flex: '1 1 320px' }}>
              <TextInput
                placeholder="Search name, email, phone…"
                aria-label="Search leads"
                leftSection={<IconSearch size={16} />}
                rightSection={
                  state.search ? (
                    <CloseButton
                      size="sm"
                      aria-label="Clear search"
                      onClick={() => patch({ search: '', viewId: null })}
                    />
                  ) : list.isFetching && !list.isFetchingNextPage ? (
                    <Loader size={14} />
                  ) : null
                }
                value={state.search}
                onChange={(e) => patch({ search: e.currentTarget.value, viewId: null })}
                style={{ flex: '1 1 180px', maxWidth: 340 }}
                data-testid="leads-search"
              />
              <AddFilterButton
                context={filterContext}
                onAdd={(filter) => patch({ filters: [...state.filters, filter], viewId: null })}
              />
            </Group>
            <Group gap="sm">
              <ViewsMenu
                activeViewId={state.viewId}
                query={query}
                columns={columns.map((c) => c.key)}
                onApply={applyView}
                onSaved={(view) => patch({ viewId: view.id })}
              />
              <ColumnChooser fields={allFields} columns={state.columns} onChange={(next) => patch({ columns: next })} />
            </Group>
          </Group>
          <FilterChips
            filters={state.filters}
            context={filterContext}
            onRemove={(index) => patch({ filters: state.filters.filter((_, i) => i !== index), viewId: null })}
            onClear={() => patch({ filters: [], viewId: null })}
          />
          <Group justify="space-between" gap="xs" mih={24}>
            <Group gap={8}>
              {count ? (
                <Text size="sm" c="dimmed" data-testid="leads-count" data-exact={count.exact}>
                  <b>
                    {formatNumber(count.value)}
                    {count.exact ? '' : '+'}
                  </b>{' '}
                  {count.value === 1 && count.exact ? 'lead' : 'leads'}
                </Text>
              ) : list.isSuccess ? (
                <Text size="sm" c="dimmed" data-testid="leads-count">
                  {formatNumber(rows.length)}
                  {list.hasNextPage ? '+' : ''} leads
                </Text>
              ) : null}
              {count && !count.exact && (
                <Anchor
                  component="button"
                  type="button"
                  size="sm"
                  onClick={() => setExactFor(queryId)}
                  disabled={exact.isFetching}
                  data-testid="count-exact"
                >
                  {exact.isFetching ? 'Counting…' : 'Count exactly'}
                </Anchor>
              )}
              {exact.isError && exactFor === queryId && (
                <Text size="xs" c="red">
                  {errorMessage(exact.error)}
                </Text>
              )}
            </Group>
            {state.sort.field !== DEFAULT_SORT.field || state.sort.direction !== DEFAULT_SORT.direction ? (
              <Anchor
                component="button"
                type="button"
                size="xs"
                c="dimmed"
                onClick={() => patch({ sort: DEFAULT_SORT })}
              >
                Reset sort
              </Anchor>
            ) : null}
          </Group>
          {(selected.size > 0 || allMatching) && (
            <BulkBar
              selection={selection}
              count={selectionCount}
              countLabel={selectionLabel}
              query={query}
              columns={columns.map((c) => c.key)}
              members={members.data?.items ?? []}
              lookup={lookup}
              onClear={clearSelection}
              onFinished={(updated, verb) => {
                notifications.show({
                  color: 'teal',
                  message: `${formatNumber(updated)} ${updated === 1 ? 'lead' : 'leads'} ${verb}.`,
                });
                clearSelection();
                refreshLeads();
              }}
              onOperation={(id, title) => {
                setOperation({ id, title, opened: true });
                clearSelection();
              }}
            />
          )}
          {loadedAllSelected && !allMatching && moreThanLoaded && (
            <Box
              py={6}
              px="sm"
              bg="var(--mantine-color-gray-0)"
              style={{ borderRadius: 'var(--mantine-radius-md)', textAlign: 'center' }}
            >
              <Text size="sm" span>
                All {formatNumber(rows.length)} loaded leads are selected.{' '}
              </Text>
              <Anchor
                component="button"
                type="button"
                size="sm"
                fw={600}
                onClick={() => setAllMatching(true)}
                data-testid="bulk-select-all-matching"
              >
                Select all {formatNumber(matchingCount)}
                {count && !count.exact ? '+' : ''} leads matching this filter
              </Anchor>
            </Box>
          )}
          {allMatching && (
            <Box
              py={6}
              px="sm"
              bg="var(--mantine-color-gray-0)"
              style={{ borderRadius: 'var(--mantine-radius-md)', textAlign: 'center' }}
              data-testid="all-matching-selected"
            >
              <Text size="sm" span>
                All {formatNumber(matchingCount)}
                {count && !count.exact ? '+' : ''} leads matching this filter are selected.{' '}
              </Text>
              <Anchor component="button" type="button" size="sm" fw={600} onClick={clearSelection}>
                Clear selection
              </Anchor>
            </Box>
          )}
        </Stack>
        {newWaiting && (
          <Box px="md" pb="xs" style={{ textAlign: 'center' }}>
            <Button size="xs" variant="light" radius="xl" onClick={showNewLeads} data-testid="new-leads">
              New leads arrived — show them
            </Button>
          </Box>
        )}
        {list.isPending && (
          <Box px="md" pb="md">
            <TableSkeleton rows={8} />
          </Box>
        )}
        {list.isError && (
          <Box px="md" pb="md">
            <QueryError error={list.error} title="Couldn't load leads" />
          </Box>
        )}
        {list.isSuccess && rows.length === 0 && (
          <Box py={56} px="md" style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
            <EmptyState
              icon={<IconZoomCancel size={26} />}
              variant="light"
              title="No leads match"
              description="Try another search, or remove a filter."
              data-testid="leads-no-match"
            >
              <Button variant="light" size="xs" onClick={() => patch({ search: '', filters: [], viewId: null })}>
                Clear search and filters
              </Button>
            </EmptyState>
          </Box>
        )}
        {rows.length > 0 && (
          <Box style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
            <LeadsTable
              rows={rows}
              columns={columns}
              sort={state.sort}
              onSort={(field) =>
                patch({
                  sort:
                    state.sort.field === field
                      ? { field, direction: state.sort.direction === 'asc' ? 'desc' : 'asc' }
                      : { field, direction: field === 'name' ? 'asc' : 'desc' },
                  viewId: null,
                })
              }
              selected={selected}
              allMatching={allMatching}
              onToggle={(id) =>
                setSelected((current) => {
                  const next = new Set(current);
                  if (next.has(id)) next.delete(id);
                  else next.add(id);
                  return next;
                })
              }
              onToggleAll={toggleAll}
              hasNextPage={Boolean(list.hasNextPage)}
              isFetchingNextPage={list.isFetchingNextPage}
              fetchNextPage={() => void list.fetchNextPage()}
              lookup={lookup}
              members={members.data?.items ?? []}
              canWrite={can('leads.write')}
              onOpen={(leadId) =>
                navigate({ to: '/w/$workspaceId/leads/$leadId', params: { workspaceId: workspace.id, leadId } })
              }
              onUpdate={updateLead}
            />
          </Box>
        )}
      </Card>
      {addLeadModal}
      <OperationProgressModal
        workspaceId={workspace.id}
        operationId={operation?.id ?? null}
        opened={operation?.opened ?? false}
        title={operation?.title ?? ''}
        onClose={() => setOperation((o) => (o ? { ...o, opened: false } : o))}
        onFinished={(op) => {
          refreshLeads();
          if (op.status === 'failed')
            notifications.show({
              color: 'red',
              title: `${operation?.title ?? 'Job'} stopped`,
              message: op.error ?? '',
            });
          else if (!operation?.opened)
            notifications.show({ color: 'teal', message: `${operation?.title ?? 'Job'} finished.` });
        }}
      />
    </>
  );
}

/** No leads at all yet: explain where they come from. */
function FirstRun() {
  const { workspace, can } = useCurrentWorkspace();
  return (
    <Card withBorder radius="md" py={56} px="lg">
      <Stack gap="xl" align="center">
        <EmptyState
          data-testid="empty-state"
          icon={<IconUsers size={30} />}
          variant="light"
          size="lg"
          title="No leads yet"
          description="Leads will arrive here automatically from your Facebook and Instagram Lead Ads forms, from CSV imports and from the LeadsBoost API — the moment they are captured."
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md" w="100%" maw={880}>
          <SourceCard
            icon={<IconBrandFacebook size={20} />}
            color="blue"
            title="Facebook Lead Ads"
            text="Connect a Page and every form submission lands here within seconds."
            footer={
              can('integrations.manage') ? (
                <ButtonLink
                  to="/w/$workspaceId/settings/integrations/facebook"
                  params={{ workspaceId: workspace.id }}
                  size="xs"
                  variant="light"
                  data-testid="connect-facebook"
                >
                  Connect Facebook
                </ButtonLink>
              ) : (
                <Text size="xs" c="dimmed">
                  Ask an admin to connect your Facebook Pages.
                </Text>
              )
            }
          />
          <SourceCard
            icon={<IconFileImport size={20} />}
            color="teal"
            title="Import a CSV"
            text="Bring leads from a spreadsheet or Meta's own lead export."
            footer={
              can('leads.import') ? (
                <ButtonLink
                  to="/w/$workspaceId/import"
                  params={{ workspaceId: workspace.id }}
                  size="xs"
                  variant="light"
                >
                  Import leads
                </ButtonLink>
              ) : (
                <Text size="xs" c="dimmed">
                  Ask a manager or admin to import leads.
                </Text>
              )
            }
          />
          <SourceCard
            icon={<IconApi size={20} />}
            color="violet"
            title="Send with the API"
            text="Push leads from your website or tools with an API key."
            footer={
              can('api_keys.manage') ? (
                <ButtonLink
                  to="/w/$workspaceId/settings/api-keys"
                  params={{ workspaceId: workspace.id }}
                  size="xs"
                  variant="light"
                >
                  Create an API key
                </ButtonLink>
              ) : (
                <Anchor href="/docs" size="sm" target="_blank">
                  Read the API docs
                </Anchor>
              )
            }
          />
        </SimpleGrid>
      </Stack>
    </Card>
  );
}

function SourceCard({
  icon,
  color,
  title,
  text,
  footer,
}: {
  icon: ReactNode;
  color: string;
  title: string;
  text: string;
  footer: ReactNode;
}) {
  return (
    <Card withBorder radius="md" padding="md">
      <Stack gap="xs" h="100%">
        <Group gap="sm">
          <ThemeIcon variant="light" color={color} radius="md">
            {icon}
          </ThemeIcon>
          <Text fw={600} size="sm">
            {title}
          </Text>
        </Group>
        <Text size="sm" c="dimmed" style={{ flex: 1 }}>
          {text}
        </Text>
        <div>{footer}</div>
      </Stack>
    </Card>
  );
}
