import { Badge, Button, Group, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconReload } from '@tabler/icons-react';
import { errorMessage } from '../../../components/error-alert';
import { QueryError, TableSkeleton } from '../../../components/query-state';
import { formatDateTime, formatRelative } from '../../../lib/format';
import { useCaptures, useRetryCapture } from '../hooks/use-meta';

const KIND_LABELS: Record<string, string> = {
  auth_expired: 'Access expired',
  permission: 'Permission',
  rate_limited: 'Throttled',
  transient: 'Meta unavailable',
  rejected: 'Rejected',
};

/** Leads Meta told us about that could not be captured, with Meta's error and a retry button. */
export function FailedCapturesTable({ workspaceId, pageRowId }: { workspaceId: string; pageRowId: string }) {
  const failed = useCaptures(workspaceId, pageRowId, { status: 'failed' });
  const retry = useRetryCapture(workspaceId);

  if (failed.isPending) return <TableSkeleton rows={1} />;
  if (failed.isError) return <QueryError error={failed.error} title="Couldn't load failed leads" />;
  if (failed.data.items.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="meta-no-failed">
        No failed leads.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table verticalSpacing="xs" horizontalSpacing="md" data-testid="meta-failed-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Error</Table.Th>
            <Table.Th w={150}>Lead ID</Table.Th>
            <Table.Th w={90} ta="right">
              Attempts
            </Table.Th>
            <Table.Th w={140}>Received</Table.Th>
            <Table.Th w={100} aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {failed.data.items.map((capture) => (
            <Table.Tr key={capture.leadgenId} data-testid="meta-failed-row" data-leadgen-id={capture.leadgenId}>
              <Table.Td maw={340}>
                <Group gap={6} wrap="nowrap" align="flex-start">
                  {capture.errorKind && (
                    <Badge size="sm" variant="light" color="red" tt="none" style={{ flexShrink: 0 }}>
                      {KIND_LABELS[capture.errorKind] ?? capture.errorKind}
                    </Badge>
                  )}
                  <Tooltip label={capture.lastError ?? 'No message'} multiline w={360} withinPortal>
                    <Text size="sm" c="red.8" lineClamp={2} style={{ wordBreak: 'break-word' }}>
                      {capture.lastError ?? '—'}
                    </Text>
                  </Tooltip>
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace">
                  {capture.leadgenId}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm">{capture.attempts}</Text>
              </Table.Td>
              <Table.Td>
                <Tooltip label={formatDateTime(capture.receivedAt)}>
                  <Text size="sm">{formatRelative(capture.receivedAt)}</Text>
                </Tooltip>
              </Table.Td>
              <Table.Td ta="right">
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<IconReload size={14} />}
                  loading={retry.isPending && retry.variables === capture.leadgenId}
                  data-testid="meta-retry-capture"
                  onClick={() =>
                    retry.mutate(capture.leadgenId, {
                      onSuccess: () => notifications.show({ color: 'teal', message: 'Fetching the lead again.' }),
                      onError: (error) =>
                        notifications.show({ color: 'red', title: 'Retry failed', message: errorMessage(error) }),
                    })
                  }
                >
                  Retry
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
