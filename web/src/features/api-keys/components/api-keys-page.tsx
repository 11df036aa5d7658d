import { ActionIcon, Badge, Button, Card, Code, EmptyState, Group, Table, Text, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconKey, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { PageHeader } from '../../../components/page-header';
import { QueryError, TableSkeleton } from '../../../components/query-state';
import { formatDate, formatRelative } from '../../../lib/format';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import type { ApiKey } from '../api/api-keys-api';
import { useApiKeys, useRevokeApiKey } from '../hooks/use-api-keys';
import { ApiKeySecretModal } from './api-key-secret-modal';
import { CreateApiKeyModal } from './create-api-key-modal';

export function ApiKeysPage() {
  const { workspace } = useCurrentWorkspace();
  const keys = useApiKeys(workspace.id);
  const revoke = useRevokeApiKey(workspace.id);
  const [createOpened, createModal] = useDisclosure(false);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [toRevoke, setToRevoke] = useState<ApiKey | null>(null);

  const createButton = (
    <Button leftSection={<IconPlus size={16} />} onClick={createModal.open} data-testid="api-key-create">
      Create API key
    </Button>
  );

  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Keys let your own systems and tools like Zapier use the LeadsBoost API. See the{' '}
            <a href="/docs" target="_blank" rel="noreferrer">
              API documentation
            </a>
            .
          </>
        }
        actions={createButton}
      />
      {keys.isPending && <TableSkeleton />}
      {keys.isError && <QueryError error={keys.error} title="Couldn't load API keys" />}
      {keys.data && keys.data.items.length === 0 && (
        <Card withBorder radius="md" py={48}>
          <EmptyState
            data-testid="empty-state"
            icon={<IconKey size={28} />}
            variant="light"
            title="No API keys yet"
            description="Create a key to send leads from your website, or to sync leads with another tool."
          />
        </Card>
      )}
      {keys.data && keys.data.items.length > 0 && (
        <Card withBorder radius="md" padding={0}>
          <Table.ScrollContainer minWidth={860}>
            <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover data-testid="api-keys-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Scopes</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th w={60} aria-label="Actions" />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {keys.data.items.map((key) => {
                  const expired = key.expiresAt !== null && new Date(key.expiresAt) < new Date();
                  return (
                    <Table.Tr key={key.id} data-testid="api-key-row">
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {key.name}
                        </Text>
                        <Text size="xs" c="dimmed">
                          by {key.createdBy.name}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Code>{key.prefix}…</Code>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} maw={260}>
                          {key.scopes.map((scope) => (
                            <Badge key={scope} size="xs" variant="light" color="gray" tt="none">
                              {scope}
                            </Badge>
                          ))}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatDate(key.createdAt)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c="dimmed">
                          {formatRelative(key.lastUsedAt)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {expired ? (
                          <Badge color="red" variant="light">
                            Expired
                          </Badge>
                        ) : (
                          <Text size="sm">{key.expiresAt ? formatDate(key.expiresAt) : 'Never'}</Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Tooltip label="Revoke key">
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={`Revoke ${key.name}`}
                            onClick={() => setToRevoke(key)}
                            data-testid="api-key-revoke"
                          >
                            <IconTrash size={16} />
                          </ActionIcon>
                        </Tooltip>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      <CreateApiKeyModal
        workspaceId={workspace.id}
        opened={createOpened}
        onClose={createModal.close}
        onCreated={setSecret}
      />
      <ApiKeySecretModal secret={secret} onClose={() => setSecret(null)} />
      <ConfirmModal
        opened={toRevoke !== null}
        title="Revoke API key"
        message={
          toRevoke ? `Anything using “${toRevoke.name}” will stop working immediately. This cannot be undone.` : ''
        }
        confirmLabel="Revoke key"
        loading={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          setToRevoke(null);
          revoke.reset();
        }}
        onConfirm={() =>
          toRevoke &&
          revoke.mutate(toRevoke.id, {
            onSuccess: () => {
              notifications.show({ color: 'teal', message: `API key “${toRevoke.name}” revoked.` });
              setToRevoke(null);
            },
          })
        }
      />
    </>
  );
}
