import { ActionIcon, Badge, Button, Card, Code, EmptyState, Group, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCircleCheck, IconRefresh, IconReload } from '@tabler/icons-react';
import { errorMessage } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { QueryError, TableSkeleton } from '../../../components/query-state';
import { formatDateTime } from '../../../lib/format';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import { useFailedJobs, useRetryJob } from '../hooks/use-failed-jobs';

export function FailedJobsPage() {
  const { workspace } = useCurrentWorkspace();
  const jobs = useFailedJobs(workspace.id);
  const retry = useRetryJob(workspace.id);

  return (
    <>
      <PageHeader
        title="Failed jobs"
        description="Background work that gave up after its retries, such as fetching a lead or sending a message."
        actions={
          <Tooltip label="Refresh">
            <ActionIcon
              variant="default"
              size="lg"
              aria-label="Refresh"
              onClick={() => jobs.refetch()}
              loading={jobs.isFetching}
            >
              <IconRefresh size={18} />
            </ActionIcon>
          </Tooltip>
        }
      />
      {jobs.isPending && <TableSkeleton />}
      {jobs.isError && <QueryError error={jobs.error} title="Couldn't load failed jobs" />}
      {jobs.data && jobs.data.items.length === 0 && (
        <Card withBorder radius="md" py={48}>
          <EmptyState
            data-testid="empty-state"
            icon={<IconCircleCheck size={28} />}
            variant="light"
            color="teal"
            title="No failed jobs"
            description="Everything is running smoothly. Jobs that fail after all their retries will appear here."
          />
        </Card>
      )}
      {jobs.data && jobs.data.items.length > 0 && (
        <Card withBorder radius="md" padding={0}>
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="sm" horizontalSpacing="lg" data-testid="jobs-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Queue</Table.Th>
                  <Table.Th>Error</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Failed</Table.Th>
                  <Table.Th>Retries</Table.Th>
                  <Table.Th w={110} aria-label="Actions" />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {jobs.data.items.map((job) => (
                  <Table.Tr key={job.id} data-testid="job-row">
                    <Table.Td>
                      <Code>{job.queue}</Code>
                    </Table.Td>
                    <Table.Td maw={360}>
                      <Tooltip label={job.error ?? 'No error message'} multiline w={420} withinPortal>
                        <Text size="sm" c="red.8" lineClamp={2}>
                          {job.error ?? '—'}
                        </Text>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(job.createdOn)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(job.completedOn)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color="gray">
                        {job.retryCount}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Group justify="flex-end">
                        <Button
                          size="xs"
                          variant="light"
                          leftSection={<IconReload size={14} />}
                          loading={retry.isPending && retry.variables === job.id}
                          data-testid="job-retry"
                          onClick={() =>
                            retry.mutate(job.id, {
                              onSuccess: () =>
                                notifications.show({ color: 'teal', message: 'Job queued to run again.' }),
                              onError: (error) =>
                                notifications.show({
                                  color: 'red',
                                  title: 'Retry failed',
                                  message: errorMessage(error),
                                }),
                            })
                          }
                        >
                          Retry
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
    </>
  );
}
