import { Alert, Badge, Button, Card, Divider, Group, SimpleGrid, Stack, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconAlertTriangle,
  IconBrandFacebook,
  IconBrandInstagram,
  IconPlugConnectedX,
  IconRefresh,
} from '@tabler/icons-react';
import { lazy, Suspense, useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { errorMessage } from '../../../components/error-alert';
import { formatDateTime, formatRelative } from '../../../lib/format';
import type { MetaFormHealth, MetaPageHealth } from '../api/meta-api';
import { useDisconnectPage, useSyncMeta } from '../hooks/use-meta';
import { FailedCapturesTable } from './failed-captures-table';
import { FormMappingModal } from './form-mapping-modal';
import { FormsTable } from './forms-table';
import { TestLeadPanel } from './test-lead-panel';

// recharts is large: fetched only when a Page card is shown.
const LeadsTodayChart = lazy(() => import('./leads-today-chart').then((m) => ({ default: m.LeadsTodayChart })));

function Stat({
  label,
  value,
  hint,
  color,
  testId,
}: {
  label: string;
  value: React.ReactNode;
  hint?: string | null;
  color?: string;
  testId: string;
}) {
  return (
    <Stack gap={2} style={{ minWidth: 0 }} data-testid={testId}>
      <Text size="xs" c="dimmed" fw={500}>
        {label}
      </Text>
      <Tooltip label={hint} disabled={!hint}>
        <Text size="md" fw={700} c={color} lh={1.3}>
          {value}
        </Text>
      </Tooltip>
    </Stack>
  );
}

/** Everything about one connected Page: is it subscribed, are leads coming in, what failed, and its forms. */
export function PageHealthCard({
  workspaceId,
  page,
  canManage,
}: {
  workspaceId: string;
  page: MetaPageHealth;
  canManage: boolean;
}) {
  const sync = useSyncMeta(workspaceId);
  const disconnect = useDisconnectPage(workspaceId);
  const [confirm, setConfirm] = useState(false);
  const [mappingForm, setMappingForm] = useState<MetaFormHealth | null>(null);
  const healthy = page.subscribed && !page.lastError;

  return (
    <Card withBorder radius="md" padding="lg" data-testid="meta-page-card" data-page-id={page.pageId}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" gap="sm">
          <Stack gap={4} style={{ minWidth: 0, flex: '1 1 220px' }}>
            <Group gap={8} wrap="nowrap">
              <IconBrandFacebook size={20} color="#1877F2" style={{ flexShrink: 0 }} />
              <Title order={2} fz="lg" style={{ wordBreak: 'break-word' }} data-testid="meta-page-name">
                {page.name}
              </Title>
            </Group>
            <Group gap={6}>
              <Text size="xs" c="dimmed">
                Page ID {page.pageId}
              </Text>
              {page.instagramAccountId && (
                <Tooltip label={`Instagram account ${page.instagramAccountId}: its Lead Ads forms arrive here too.`}>
                  <Badge
                    size="sm"
                    variant="light"
                    color="grape"
                    tt="none"
                    leftSection={<IconBrandInstagram size={12} />}
                    data-testid="meta-page-instagram"
                  >
                    Instagram linked
                  </Badge>
                </Tooltip>
              )}
            </Group>
          </Stack>
          <Badge
            size="lg"
            variant="light"
            color={healthy ? 'teal' : 'red'}
            tt="none"
            data-testid="meta-page-subscription"
            data-subscribed={page.subscribed}
          >
            {page.subscribed ? (healthy ? 'Receiving leads' : 'Subscribed, with errors') : 'Not subscribed'}
          </Badge>
        </Group>

        {page.lastError && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} data-testid="meta-page-error">
            <Text size="sm" style={{ wordBreak: 'break-word' }}>
              {page.lastError}
            </Text>
          </Alert>
        )}

        <SimpleGrid cols={{ base: 2, xs: 3, md: 5 }} spacing="md" verticalSpacing="md">
          <Stat
            label="Last lead"
            value={formatRelative(page.lastLeadAt)}
            hint={page.lastLeadAt ? formatDateTime(page.lastLeadAt) : null}
            testId="meta-stat-last-lead"
          />
          <Stat label="Leads today" value={page.leadsToday} testId="meta-stat-today" />
          <Stat
            label="Waiting"
            value={page.pendingCount}
            hint="Leads Meta told us about that are being fetched or retried."
            color={page.pendingCount > 0 ? 'orange.7' : undefined}
            testId="meta-stat-pending"
          />
          <Stat
            label="Failed"
            value={page.failedCount}
            color={page.failedCount > 0 ? 'red.7' : undefined}
            testId="meta-stat-failed"
          />
          <Stat
            label="Last sync"
            value={formatRelative(page.lastSyncedAt)}
            hint={page.lastSyncedAt ? formatDateTime(page.lastSyncedAt) : null}
            testId="meta-stat-last-sync"
          />
        </SimpleGrid>

        {canManage && (
          <Group justify="space-between" align="flex-start" gap="sm">
            <TestLeadPanel workspaceId={workspaceId} page={page} />
            <Group gap="xs">
              <Button
                size="xs"
                variant="default"
                leftSection={<IconRefresh size={14} />}
                loading={sync.isPending}
                onClick={() =>
                  sync.mutate(page.id, {
                    onSuccess: () =>
                      notifications.show({
                        color: 'teal',
                        message: `Checking ${page.name}’s forms for leads we have not seen.`,
                      }),
                    onError: (error) =>
                      notifications.show({ color: 'red', title: 'Sync not started', message: errorMessage(error) }),
                  })
                }
                data-testid="meta-sync-page"
              >
                Sync now
              </Button>
              <Button
                size="xs"
                variant="subtle"
                color="red"
                leftSection={<IconPlugConnectedX size={14} />}
                onClick={() => setConfirm(true)}
                data-testid="meta-disconnect-page"
              >
                Disconnect
              </Button>
            </Group>
          </Group>
        )}

        <Divider />
        <Stack gap="xs">
          <Title order={3} fz="sm">
            Forms
          </Title>
          <FormsTable forms={page.forms} canManage={canManage} onEditMapping={setMappingForm} />
        </Stack>
        <Suspense fallback={null}>
          <LeadsTodayChart forms={page.forms} />
        </Suspense>

        {canManage && (
          <Stack gap="xs">
            <Title order={3} fz="sm">
              Failed leads
            </Title>
            {page.failedCount > 0 ? (
              <FailedCapturesTable workspaceId={workspaceId} pageRowId={page.id} />
            ) : (
              <Text size="sm" c="dimmed" data-testid="meta-no-failed">
                No failed leads.
              </Text>
            )}
          </Stack>
        )}
      </Stack>

      <FormMappingModal workspaceId={workspaceId} form={mappingForm} onClose={() => setMappingForm(null)} />
      <ConfirmModal
        opened={confirm}
        title={`Disconnect ${page.name}`}
        message={
          <Stack gap="xs">
            <Text size="sm">
              LeadsBoost will unsubscribe from <b>{page.name}</b>, stop receiving its leads and delete its access token.
            </Text>
            <Text size="sm" fw={600} c="red.8" data-testid="meta-disconnect-warning">
              Every lead and every contact detail that came only from this Page will be permanently deleted.
            </Text>
            <Text size="sm">
              Contacts that also came from elsewhere (imports, other Pages, manual entry) keep what came from there.
              This cannot be undone.
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
          disconnect.mutate(page.id, {
            onSuccess: ({ deleted }) => {
              notifications.show({
                color: 'teal',
                title: `${page.name} disconnected`,
                message: deleted
                  ? `${deleted.leads} leads and ${deleted.contacts} contacts that came only from this Page were deleted.`
                  : 'Its leads were deleted.',
              });
              setConfirm(false);
            },
          })
        }
      />
    </Card>
  );
}
