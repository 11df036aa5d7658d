import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Code,
  EmptyState,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconFilterOff, IconHistory } from '@tabler/icons-react';
import { Fragment, useMemo, useState } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { QueryError, TableSkeleton } from '../../../components/query-state';
import { endOfDayIso, formatDateTime, startOfDayIso } from '../../../lib/format';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import type { AuditEntry, AuditFilters } from '../api/audit-api';
import { useAuditActions, useAuditLog } from '../hooks/use-audit-log';

const ACTOR_LABEL: Record<AuditEntry['actor']['type'], string> = { user: 'User', api_key: 'API key', system: 'System' };

export function AuditLogPage() {
  const { workspace } = useCurrentWorkspace();
  const [action, setAction] = useState<string | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [expanded, setExpanded] = useState<string | null>(null);

  const filters = useMemo<AuditFilters>(
    () => ({
      action: action ?? undefined,
      from: from ? startOfDayIso(from) : undefined,
      to: to ? endOfDayIso(to) : undefined,
    }),
    [action, from, to],
  );
  const actions = useAuditActions(workspace.id);
  const log = useAuditLog(workspace.id, filters);
  const entries = log.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Boolean(action || from || to);
  const rangeError = from && to && from > to ? 'The start date is after the end date' : null;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every sign-in, permission change and sensitive action in this workspace."
      />
      <Card withBorder radius="md" mb="md" padding="md">
        <Group gap="md" align="flex-end" wrap="wrap" data-testid="audit-filters">
          <Select
            label="Action"
            placeholder="All actions"
            data={actions.data?.items ?? []}
            value={action}
            onChange={setAction}
            searchable
            clearable
            nothingFoundMessage="No such action"
            w={{ base: '100%', sm: 260 }}
            data-testid="audit-action-filter"
          />
          <TextInput
            type="date"
            label="From"
            value={from}
            onChange={(e) => setFrom(e.currentTarget.value)}
            w={{ base: '100%', xs: 170 }}
            data-testid="audit-from"
          />
          <TextInput
            type="date"
            label="To"
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            error={rangeError}
            w={{ base: '100%', xs: 170 }}
            data-testid="audit-to"
          />
          {filtered && (
            <Button
              variant="subtle"
              color="gray"
              leftSection={<IconFilterOff size={16} />}
              onClick={() => {
                setAction(null);
                setFrom('');
                setTo('');
              }}
            >
              Clear filters
            </Button>
          )}
        </Group>
      </Card>

      {log.isPending && <TableSkeleton rows={6} />}
      {log.isError && !log.data && <QueryError error={log.error} title="Couldn't load the audit log" />}
      {log.data && entries.length === 0 && (
        <Card withBorder radius="md" py={48}>
          <EmptyState
            data-testid="empty-state"
            icon={<IconHistory size={28} />}
            variant="light"
            title={filtered ? 'No matching events' : 'No events yet'}
            description={
              filtered ? 'Try a wider date range or another action.' : 'Actions in this workspace will appear here.'
            }
          />
        </Card>
      )}
      {entries.length > 0 && (
        <Card withBorder radius="md" padding={0}>
          <Table.ScrollContainer minWidth={860}>
            <Table verticalSpacing="sm" horizontalSpacing="md" data-testid="audit-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={40} aria-label="Details" />
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Actor</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>IP</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((entry) => {
                  const open = expanded === entry.id;
                  return (
                    <Fragment key={entry.id}>
                      <Table.Tr
                        data-testid="audit-row"
                        data-action={entry.action}
                        onClick={() => setExpanded(open ? null : entry.id)}
                        style={{ cursor: 'pointer' }}
                      >
                        <Table.Td>
                          <ActionIcon
                            variant="subtle"
                            color="gray"
                            size="sm"
                            aria-label={open ? 'Hide details' : 'Show details'}
                            aria-expanded={open}
                            data-testid="audit-row-toggle"
                          >
                            {open ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
                          </ActionIcon>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                            {formatDateTime(entry.createdAt)}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Group gap={6} wrap="nowrap">
                            <Text size="sm">{entry.actor.name ?? '—'}</Text>
                            {entry.actor.type !== 'user' && (
                              <Badge
                                size="xs"
                                variant="light"
                                color={entry.actor.type === 'api_key' ? 'violet' : 'gray'}
                              >
                                {ACTOR_LABEL[entry.actor.type] ?? entry.actor.type}
                              </Badge>
                            )}
                          </Group>
                        </Table.Td>
                        <Table.Td>
                          <Code>{entry.action}</Code>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" c={entry.targetType ? undefined : 'dimmed'}>
                            {entry.targetType ? (
                              <>
                                {entry.targetType}
                                {entry.targetId && (
                                  <Tooltip label={entry.targetId}>
                                    <Text span size="xs" c="dimmed" ml={6}>
                                      {entry.targetId.length > 12 ? `${entry.targetId.slice(0, 12)}…` : entry.targetId}
                                    </Text>
                                  </Tooltip>
                                )}
                              </>
                            ) : (
                              '—'
                            )}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" ff="monospace">
                            {entry.ip ?? '—'}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                      {open && (
                        <Table.Tr data-testid="audit-row-details">
                          <Table.Td colSpan={6} bg="var(--mantine-color-gray-0)">
                            <Stack gap={6} py={4}>
                              {entry.userAgent && (
                                <Text size="xs" c="dimmed">
                                  User agent: {entry.userAgent}
                                </Text>
                              )}
                              {entry.sessionId && (
                                <Text size="xs" c="dimmed">
                                  Session: {entry.sessionId}
                                </Text>
                              )}
                              <Code block data-testid="audit-metadata">
                                {JSON.stringify(entry.metadata ?? {}, null, 2)}
                              </Code>
                            </Stack>
                          </Table.Td>
                        </Table.Tr>
                      )}
                    </Fragment>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      {log.isFetchNextPageError && (
        <Stack mt="md">
          <ErrorAlert error={log.error} title="Couldn't load more events" />
        </Stack>
      )}
      {log.hasNextPage && (
        <Group justify="center" mt="md">
          <Button
            variant="default"
            onClick={() => log.fetchNextPage()}
            loading={log.isFetchingNextPage}
            data-testid="audit-load-more"
          >
            Load more
          </Button>
        </Group>
      )}
    </>
  );
}
