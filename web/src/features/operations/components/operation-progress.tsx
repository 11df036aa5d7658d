import { Alert, Button, Group, Modal, Progress, Stack, Text } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useEffect, useRef } from 'react';
import { QueryError } from '../../../components/query-state';
import { formatNumber } from '../../../lib/format-money';
import { isOperationFinished, type Operation } from '../api/operations-api';
import { useOperation } from '../hooks/use-operation';

export function operationPercent(operation: Operation | undefined): number {
  if (!operation) return 0;
  if (operation.status === 'succeeded') return 100;
  if (!operation.total) return operation.status === 'running' ? 5 : 0;
  return Math.min(100, Math.round((operation.processed / operation.total) * 100));
}

/** A progress bar for one operation; `data-status` says where it is. */
export function OperationProgressBar({ operation }: { operation: Operation | undefined }) {
  const status = operation?.status ?? 'pending';
  return (
    <Stack gap={6}>
      <Progress
        value={operationPercent(operation)}
        size="lg"
        radius="xl"
        striped={!isOperationFinished(operation)}
        animated={!isOperationFinished(operation)}
        color={status === 'failed' ? 'red' : status === 'succeeded' ? 'teal' : 'indigo'}
        data-testid="operation-progress"
        data-status={status}
        aria-label="Progress"
      />
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {status === 'pending' && 'Waiting to start…'}
          {status === 'running' && 'Working…'}
          {status === 'succeeded' && 'Done'}
          {status === 'failed' && 'Stopped'}
        </Text>
        {operation?.total ? (
          <Text size="xs" c="dimmed">
            {formatNumber(operation.processed)} of {formatNumber(operation.total)}
          </Text>
        ) : null}
      </Group>
    </Stack>
  );
}

interface OperationProgressModalProps {
  workspaceId: string;
  operationId: string | null;
  /** The job is followed while `operationId` is set, even when the window is closed. */
  opened: boolean;
  title: string;
  onFinished?: (operation: Operation) => void;
  onClose: () => void;
}

/** Follows a background job (bulk action) until it ends, then refreshes what it changed via `onFinished`. */
export function OperationProgressModal({
  workspaceId,
  operationId,
  opened,
  title,
  onFinished,
  onClose,
}: OperationProgressModalProps) {
  const operation = useOperation(workspaceId, operationId);
  const finished = isOperationFinished(operation.data);
  const reported = useRef<string | null>(null);

  useEffect(() => {
    if (!operation.data || !finished || reported.current === operation.data.id) return;
    reported.current = operation.data.id;
    onFinished?.(operation.data);
  }, [operation.data, finished, onFinished]);

  return (
    <Modal
      opened={opened && operationId !== null}
      onClose={onClose}
      title={title}
      centered
      closeOnClickOutside={finished}
    >
      <Stack gap="md">
        {operation.isError ? (
          <QueryError error={operation.error} title="Couldn't follow the progress" />
        ) : (
          <OperationProgressBar operation={operation.data} />
        )}
        {operation.data?.status === 'succeeded' && (
          <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />}>
            All {formatNumber(operation.data.total ?? operation.data.processed)} leads were processed.
          </Alert>
        )}
        {operation.data?.status === 'failed' && (
          <Alert color="red" variant="light" title="The job stopped">
            {operation.data.error ?? 'Something went wrong. Part of the selection may have been changed.'}
          </Alert>
        )}
        {!finished && (
          <Text size="sm" c="dimmed">
            You can close this window: the job keeps running and the list refreshes when it is done.
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant={finished ? 'filled' : 'default'} onClick={onClose}>
            {finished ? 'Done' : 'Run in background'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
