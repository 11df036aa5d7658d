import { Alert, Avatar, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconPlugConnectedX, IconPlus, IconRefresh } from '@tabler/icons-react';
import dayjs from 'dayjs';
import { useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { errorMessage } from '../../../components/error-alert';
import { formatDate, formatDateTime, initials } from '../../../lib/format';
import type { MetaConnection, MetaFeature, MetaPageHealth } from '../api/meta-api';
import { SCOPE_REASONS } from '../api/meta-api';
import { useDisconnectMeta, useSyncMeta } from '../hooks/use-meta';
import { ContinueWithFacebookButton, FACEBOOK_BLUE } from './connect-facebook-card';

/** The features a reconnection asks for again: the same as the first time, read back from the scopes. */
export function featuresOf(connection: MetaConnection): MetaFeature[] {
  const wantsAds = [...connection.grantedScopes, ...connection.missingScopes].includes('ads_read');
  return wantsAds ? ['lead_ads', 'ad_attribution'] : ['lead_ads'];
}

const withStop = (text: string) => (/[.!?]\s*$/.test(text) ? text : `${text}.`);

function Fact({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <Stack gap={2} style={{ minWidth: 0 }} data-testid={testId}>
      <Text size="xs" c="dimmed" fw={500}>
        {label}
      </Text>
      {children}
    </Stack>
  );
}

function tokenExpiry(expiresAt: string | null) {
  if (!expiresAt) return <Text size="sm">Does not expire</Text>;
  const days = dayjs(expiresAt).diff(dayjs(), 'day');
  const color = days < 0 ? 'red' : days < 7 ? 'orange' : undefined;
  return (
    <Tooltip label={formatDateTime(expiresAt)}>
      <Text size="sm" c={color} fw={color ? 600 : undefined}>
        {days < 0 ? `Expired ${formatDate(expiresAt)}` : `${formatDate(expiresAt)} (in ${days} days)`}
      </Text>
    </Tooltip>
  );
}

/** Who connected, whether the token still works, and which scopes Facebook granted compared with what we asked. */
export function ConnectionCard({
  workspaceId,
  connection,
  pages,
  canManage,
  onAddPages,
}: {
  workspaceId: string;
  connection: MetaConnection;
  pages: MetaPageHealth[];
  canManage: boolean;
  onAddPages: () => void;
}) {
  const sync = useSyncMeta(workspaceId);
  const disconnect = useDisconnectMeta(workspaceId);
  const [confirm, setConfirm] = useState(false);
  const needsReconnect = connection.status === 'needs_reconnect';
  const missing = new Set(connection.missingScopes);
  const extra = new Set(connection.extraScopes);
  const scopes = [...new Set([...connection.grantedScopes, ...connection.missingScopes])];

  return (
    <Card withBorder radius="md" padding="lg" data-testid="meta-connection" data-status={connection.status}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" gap="sm">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Avatar color={FACEBOOK_BLUE} radius="xl" variant="filled">
              {initials(connection.fbUserName || 'Facebook')}
            </Avatar>
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Title order={2} fz="md" style={{ wordBreak: 'break-word' }} data-testid="meta-fb-user">
                {connection.fbUserName || 'Facebook account'}
              </Title>
              <Text size="xs" c="dimmed">
                Connected {formatDate(connection.connectedAt)}
              </Text>
            </Stack>
          </Group>
          {needsReconnect ? (
            <Badge color="red" variant="light" size="lg" tt="none" data-testid="meta-connection-status">
              Needs reconnecting
            </Badge>
          ) : (
            <Badge color="teal" variant="light" size="lg" tt="none" data-testid="meta-connection-status">
              Active
            </Badge>
          )}
        </Group>

        {needsReconnect && (
          <Alert
            color="red"
            variant="light"
            icon={<IconAlertTriangle size={18} />}
            title="Facebook needs reconnecting"
            data-testid="meta-reconnect-alert"
          >
            <Stack gap="sm">
              <Text size="sm">
                {withStop(connection.statusReason ?? 'Facebook no longer accepts the access LeadsBoost was given')} New
                leads are being kept and will arrive once you reconnect.
              </Text>
              {!canManage && <Text size="sm">Ask a workspace owner or admin to reconnect it.</Text>}
              {canManage && (
                <Group>
                  <ContinueWithFacebookButton
                    workspaceId={workspaceId}
                    features={featuresOf(connection)}
                    label="Reconnect"
                    testId="meta-reconnect"
                    size="sm"
                  />
                </Group>
              )}
            </Stack>
          </Alert>
        )}

        <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="md">
          <Fact label="Token expires" testId="meta-token-expiry">
            {tokenExpiry(connection.tokenExpiresAt)}
          </Fact>
          <Fact label="Pages connected">
            <Text size="sm">{pages.length}</Text>
          </Fact>
          <Fact label="Connected on">
            <Text size="sm">{formatDateTime(connection.connectedAt)}</Text>
          </Fact>
        </SimpleGrid>

        <Fact label="Permissions granted by Facebook" testId="meta-scopes">
          <Group gap={6} mt={2}>
            {scopes.map((scope) => {
              const isMissing = missing.has(scope);
              return (
                <Tooltip
                  key={scope}
                  label={
                    isMissing ? `Not granted: ${SCOPE_REASONS[scope] ?? 'needed'}` : (SCOPE_REASONS[scope] ?? scope)
                  }
                  multiline
                  w={280}
                >
                  <Badge
                    variant={isMissing ? 'filled' : 'light'}
                    color={isMissing ? 'red' : 'gray'}
                    tt="none"
                    data-testid="meta-scope-badge"
                    data-scope={scope}
                    data-state={isMissing ? 'missing' : 'granted'}
                  >
                    {isMissing ? `${scope} (missing)` : scope}
                  </Badge>
                </Tooltip>
              );
            })}
            {[...extra].map((scope) => (
              <Tooltip key={scope} label="Granted but not asked for: LeadsBoost does not use it." multiline w={280}>
                <Badge
                  variant="light"
                  color="yellow"
                  tt="none"
                  data-testid="meta-scope-badge"
                  data-scope={scope}
                  data-state="extra"
                >
                  {scope} (extra)
                </Badge>
              </Tooltip>
            ))}
          </Group>
          {missing.size > 0 && (
            <Text size="xs" c="red.8" mt={4}>
              Some permissions were not granted, so capture cannot work fully. Reconnect and allow them all.
            </Text>
          )}
        </Fact>

        {canManage && (
          <Group gap="sm" justify="flex-end">
            {!needsReconnect && missing.size > 0 && (
              <ContinueWithFacebookButton
                workspaceId={workspaceId}
                features={featuresOf(connection)}
                label="Reconnect"
                testId="meta-reconnect"
                size="sm"
              />
            )}
            <Button
              size="sm"
              variant="default"
              leftSection={<IconRefresh size={16} />}
              loading={sync.isPending}
              disabled={pages.length === 0}
              onClick={() =>
                sync.mutate(undefined, {
                  onSuccess: () =>
                    notifications.show({ color: 'teal', message: 'Checking every form for leads we have not seen.' }),
                  onError: (error) =>
                    notifications.show({ color: 'red', title: 'Sync not started', message: errorMessage(error) }),
                })
              }
              data-testid="meta-sync-all"
            >
              Sync all Pages
            </Button>
            <Button
              size="sm"
              variant="default"
              leftSection={<IconPlus size={16} />}
              onClick={onAddPages}
              data-testid="meta-add-pages"
            >
              Add Pages
            </Button>
            <Button
              size="sm"
              variant="light"
              color="red"
              leftSection={<IconPlugConnectedX size={16} />}
              onClick={() => setConfirm(true)}
              data-testid="meta-disconnect-all"
            >
              Disconnect Facebook
            </Button>
          </Group>
        )}
      </Stack>

      <ConfirmModal
        opened={confirm}
        title="Disconnect Facebook"
        message={
          <Stack gap="xs">
            <Text size="sm">
              LeadsBoost will stop receiving leads from{' '}
              {pages.length === 1 ? <b>{pages[0]?.name}</b> : `all ${pages.length} connected Pages`} and delete the
              Facebook access tokens.
            </Text>
            <Text size="sm" fw={600} c="red.8">
              Every lead and every contact detail that came only from these Pages will be permanently deleted.
            </Text>
            <Text size="sm">
              Leads and contacts that also came from elsewhere (imports, other channels, manual entry) keep what came
              from there. This cannot be undone.
            </Text>
          </Stack>
        }
        confirmLabel="Disconnect and delete"
        loading={disconnect.isPending}
        error={disconnect.error}
        onClose={() => {
          setConfirm(false);
          disconnect.reset();
        }}
        onConfirm={() =>
          disconnect.mutate(undefined, {
            onSuccess: (result) => {
              const deleted = result?.deleted;
              notifications.show({
                color: 'teal',
                title: 'Facebook disconnected',
                message: deleted
                  ? `${deleted.leads} leads and ${deleted.contacts} contacts that came only from Facebook were deleted.`
                  : 'The connection and its data were removed.',
              });
              setConfirm(false);
            },
          })
        }
      />
    </Card>
  );
}
