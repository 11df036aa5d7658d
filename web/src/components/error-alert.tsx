import { Alert, List, Text } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { isApiError } from '../lib/api';

interface ErrorAlertProps {
  error: unknown;
  title?: string;
}

export function errorMessage(error: unknown): string {
  if (isApiError(error)) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Try again.';
}

/** Shows the server's message (and field details, when given) for a failed call. */
export function ErrorAlert({ error, title = 'Something went wrong' }: ErrorAlertProps) {
  if (!error) return null;
  const message = errorMessage(error);
  // The server's message may already summarise the field errors; list only what it does not say.
  const details = isApiError(error)
    ? (error.details ?? []).filter((d) => typeof d?.message === 'string' && !message.includes(d.message))
    : [];
  return (
    <Alert color="red" variant="light" title={title} icon={<IconAlertCircle size={18} />} data-testid="error-alert">
      <Text size="sm">{message}</Text>
      {details.length > 0 && (
        <List size="sm" mt={4}>
          {details.map((d) => (
            <List.Item key={`${String(d.path ?? '')}:${d.message}`}>{d.message}</List.Item>
          ))}
        </List>
      )}
      {isApiError(error) && error.requestId && (
        <Text size="xs" c="dimmed" mt={4}>
          Request id: {error.requestId}
        </Text>
      )}
    </Alert>
  );
}
