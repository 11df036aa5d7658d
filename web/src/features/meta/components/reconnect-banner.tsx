import { Alert, Group, Text } from '@mantine/core';
import { IconBrandFacebook } from '@tabler/icons-react';
import { ButtonLink } from '../../../components/router-link';
import { useMetaOverview } from '../hooks/use-meta';

/**
 * The app-wide red banner when Facebook stopped accepting the connection's token: leads wait, nothing is lost, and
 * an admin is one click from reconnecting. Silent when Meta is off, not connected, or the call fails.
 */
export function MetaReconnectBanner({ workspaceId, canManage }: { workspaceId: string; canManage: boolean }) {
  const overview = useMetaOverview(workspaceId, { refetchInterval: 60_000 });
  const connection = overview.data?.enabled ? overview.data.connection : null;
  if (connection?.status !== 'needs_reconnect') return null;
  const reason = connection.statusReason?.replace(/\.\s*$/, '') || 'Facebook no longer accepts our access';
  return (
    <Alert
      color="red"
      variant="filled"
      mb="lg"
      icon={<IconBrandFacebook size={18} />}
      data-testid="meta-reconnect-banner"
    >
      <Group justify="space-between" gap="sm" wrap="wrap">
        <Text size="sm" style={{ flex: '1 1 280px', wordBreak: 'break-word' }}>
          <b>Facebook needs reconnecting:</b> {reason}. New leads are being kept and will arrive once you reconnect.
          {!canManage && ' Ask a workspace owner or admin to reconnect it.'}
        </Text>
        {canManage && (
          <ButtonLink
            to="/w/$workspaceId/settings/integrations/facebook"
            params={{ workspaceId }}
            size="xs"
            variant="white"
            color="red"
            data-testid="meta-reconnect-banner-button"
          >
            Reconnect Facebook
          </ButtonLink>
        )}
      </Group>
    </Alert>
  );
}
