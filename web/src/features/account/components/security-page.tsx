import { Badge, Button, Card, Group, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDeviceDesktop } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { PageHeader } from '../../../components/page-header';
import { QueryError, TableSkeleton } from '../../../components/query-state';
import { setCsrfToken } from '../../../lib/api';
import { formatDateTime, formatRelative } from '../../../lib/format';
import type { User } from '../../auth/api/auth-api';
import { sessionKey } from '../../auth/hooks/use-session';
import type { UserSession } from '../api/account-api';
import { useRevokeUserSession, useUserSessions } from '../hooks/use-account';
import { MfaSection } from './mfa-section';

export function SecurityPage({ user }: { user: User }) {
  return (
    <>
      <PageHeader title="Security" description="Two-factor authentication and the devices signed in to your account." />
      <Stack gap="lg" maw={960}>
        <MfaSection user={user} />
        <SessionsCard />
      </Stack>
    </>
  );
}

function SessionsCard() {
  const sessions = useUserSessions();
  const revoke = useRevokeUserSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [toRevoke, setToRevoke] = useState<UserSession | null>(null);

  const onRevoked = async (session: UserSession) => {
    setToRevoke(null);
    if (session.current) {
      await navigate({ to: '/login' });
      setCsrfToken(null);
      queryClient.setQueryData(sessionKey, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
      return;
    }
    notifications.show({ color: 'teal', message: 'Session signed out.' });
  };

  return (
    <Card withBorder radius="md" padding={0}>
      <Group px="lg" py="md" gap="sm">
        <IconDeviceDesktop size={20} color="var(--mantine-color-indigo-6)" />
        <Title order={2} fz="lg">
          Signed-in devices
        </Title>
      </Group>
      {sessions.isPending && (
        <Stack p="lg" pt={0}>
          <TableSkeleton rows={2} />
        </Stack>
      )}
      {sessions.isError && (
        <Stack p="lg" pt={0}>
          <QueryError error={sessions.error} title="Couldn't load your sessions" />
        </Stack>
      )}
      {sessions.data && (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" horizontalSpacing="lg" data-testid="sessions-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Device</Table.Th>
                <Table.Th>IP address</Table.Th>
                <Table.Th>Signed in</Table.Th>
                <Table.Th>Last seen</Table.Th>
                <Table.Th w={110} aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sessions.data.items.map((session) => (
                <Table.Tr key={session.id} data-testid="session-row" data-current={session.current || undefined}>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Tooltip label={session.userAgent || 'Unknown browser'} multiline w={320}>
                        <Text size="sm" fw={500}>
                          {session.device || 'Unknown device'}
                        </Text>
                      </Tooltip>
                      {session.current && (
                        <Badge size="sm" variant="light" color="teal" data-testid="this-device-badge">
                          This device
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {session.ip || '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(session.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={formatDateTime(session.lastSeenAt)}>
                      <Text size="sm" c="dimmed">
                        {formatRelative(session.lastSeenAt)}
                      </Text>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>
                    <Group justify="flex-end">
                      <Button
                        size="xs"
                        variant="light"
                        color="red"
                        onClick={() => setToRevoke(session)}
                        data-testid="session-revoke"
                      >
                        Revoke
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ConfirmModal
        opened={toRevoke !== null}
        title={toRevoke?.current ? 'Sign out this device' : 'Revoke session'}
        message={
          toRevoke?.current
            ? 'This is the device you are using now — you will be signed out.'
            : `${toRevoke?.device ?? 'This device'} will be signed out the next time it makes a request.`
        }
        confirmLabel={toRevoke?.current ? 'Sign out' : 'Revoke session'}
        loading={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          setToRevoke(null);
          revoke.reset();
        }}
        onConfirm={() => toRevoke && revoke.mutate(toRevoke.id, { onSuccess: () => onRevoked(toRevoke) })}
      />
    </Card>
  );
}
