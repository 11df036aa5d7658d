import { Badge, Button, Card, Checkbox, EmptyState, Group, Progress, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBrandInstagram, IconFlag } from '@tabler/icons-react';
import { useState } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import { TableSkeleton } from '../../../components/query-state';
import { useAvailablePages, useConnectPages } from '../hooks/use-meta';

/** Lists the Pages the Facebook user manages and connects the chosen ones (subscribe, list forms, 90-day backfill). */
export function PagePicker({
  workspaceId,
  onDone,
  onCancel,
}: {
  workspaceId: string;
  onDone?: () => void;
  onCancel?: () => void;
}) {
  const pages = useAvailablePages(workspaceId, true);
  const connect = useConnectPages(workspaceId);
  const [selected, setSelected] = useState<string[]>([]);
  const available = pages.data?.items ?? [];
  const choosable = available.filter((p) => !p.connected);

  const toggle = (pageId: string, on: boolean) =>
    setSelected((current) => (on ? [...current, pageId] : current.filter((id) => id !== pageId)));

  const submit = () =>
    connect.mutate(selected, {
      onSuccess: ({ items }) => {
        notifications.show({
          color: 'teal',
          title: items.length === 1 ? `${items[0]?.name ?? 'Page'} connected` : `${items.length} Pages connected`,
          message: 'New leads arrive within seconds. Leads from the last 90 days are being imported.',
        });
        setSelected([]);
        onDone?.();
      },
    });

  return (
    <Card withBorder radius="md" padding="lg" data-testid="meta-page-picker">
      <Stack gap="md">
        <Stack gap={4}>
          <Title order={2} fz="lg">
            Choose the Pages to connect
          </Title>
          <Text size="sm" c="dimmed">
            LeadsBoost subscribes to each Page’s new leads, lists its Lead Ads forms and imports the leads of the last
            90 days.
          </Text>
        </Stack>

        {pages.isPending && <TableSkeleton rows={2} />}
        {pages.isError && <ErrorAlert error={pages.error} title="Couldn't list your Pages" />}
        {pages.data && available.length === 0 && (
          <EmptyState
            data-testid="meta-no-pages"
            icon={<IconFlag size={26} />}
            variant="light"
            title="No Pages found"
            description="The Facebook account you connected manages no Pages, or did not share them with LeadsBoost. Reconnect and select your Pages in the Facebook dialog."
          />
        )}
        {available.length > 0 && (
          <Stack gap="xs">
            {available.map((page) => (
              <Card
                key={page.pageId}
                withBorder
                radius="md"
                padding="sm"
                shadow="none"
                data-testid="meta-available-page"
                data-page-id={page.pageId}
              >
                <Group justify="space-between" wrap="nowrap" gap="sm">
                  <Checkbox
                    checked={page.connected || selected.includes(page.pageId)}
                    disabled={page.connected || connect.isPending}
                    onChange={(event) => toggle(page.pageId, event.currentTarget.checked)}
                    label={
                      <Text size="sm" fw={600} style={{ wordBreak: 'break-word' }}>
                        {page.name}
                      </Text>
                    }
                    description={`Page ID ${page.pageId}`}
                    data-testid="meta-page-checkbox"
                    styles={{ body: { alignItems: 'center' } }}
                  />
                  <Group gap={6} wrap="wrap" justify="flex-end">
                    {page.instagramAccountId && (
                      <Badge variant="light" color="grape" tt="none" leftSection={<IconBrandInstagram size={12} />}>
                        Instagram
                      </Badge>
                    )}
                    {page.connected && (
                      <Badge variant="light" color="teal" tt="none">
                        Connected
                      </Badge>
                    )}
                  </Group>
                </Group>
              </Card>
            ))}
          </Stack>
        )}

        {connect.isPending && (
          <Stack gap={6} data-testid="meta-connecting">
            <Text size="sm">
              Subscribing to {selected.length === 1 ? 'the Page' : `${selected.length} Pages`}, reading forms and
              starting the 90-day import…
            </Text>
            <Progress value={100} animated striped size="sm" aria-label="Connecting Pages" />
          </Stack>
        )}
        {connect.isError && <ErrorAlert error={connect.error} title="Couldn't connect the Pages" />}

        <Group justify="flex-end" gap="sm">
          {onCancel && (
            <Button variant="default" onClick={onCancel} disabled={connect.isPending}>
              Cancel
            </Button>
          )}
          <Button
            onClick={submit}
            disabled={selected.length === 0 || choosable.length === 0}
            loading={connect.isPending}
            data-testid="meta-connect-pages"
          >
            {selected.length > 1 ? `Connect ${selected.length} Pages` : 'Connect selected Pages'}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
