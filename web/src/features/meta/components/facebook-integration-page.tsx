import { Alert, Breadcrumbs, Card, Group, Stack, Text } from '@mantine/core';
import { IconAlertCircle, IconCircleCheck, IconFlask, IconPlugOff } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { PageHeader } from '../../../components/page-header';
import { PageLoader, QueryError } from '../../../components/query-state';
import { useIsSandbox } from '../../demo/hooks/use-demo';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import { useMetaOverview } from '../hooks/use-meta';
import { ConnectFacebookCard } from './connect-facebook-card';
import { ConnectionCard } from './connection-card';
import { MetaSetupCard } from './meta-setup-card';
import { PageHealthCard } from './page-health-card';
import { PagePicker } from './page-picker';

export interface FacebookPageSearch {
  /** `?connected=1`: the Login dialog just finished. */
  connected?: 1;
  error?: string;
}

const OAUTH_ERRORS: Record<string, string> = {
  access_denied: 'You cancelled the Facebook dialog or did not allow LeadsBoost, so nothing was connected.',
  invalid_state: 'The Facebook login took too long or was started in another browser. Please try again.',
  wrong_user: 'The Facebook login was started by another LeadsBoost account. Sign in as that person, or start again.',
  forbidden: 'Only a workspace owner or admin can connect Facebook.',
  meta_not_configured: 'Facebook is not set up on this server yet.',
  facebook_error: 'Facebook did not let LeadsBoost finish connecting. Please try again in a moment.',
};

function oauthErrorText(code: string): string {
  return OAUTH_ERRORS[code] ?? `Facebook did not connect (${code}). Please try again.`;
}

/** Under the connection card on a server that runs the Meta simulator in-process (the demo sandbox). */
function SimulatedFacebookNote() {
  return (
    <Group gap={6} wrap="nowrap" align="flex-start" px={4} mt={-10} data-testid="meta-simulated-note">
      <IconFlask size={14} color="var(--mantine-color-gray-6)" style={{ flex: 'none', marginTop: 2 }} />
      <Text size="xs" c="dimmed">
        Facebook is simulated on this server (no Meta app configured): the Login dialog approves a test user and the
        Page “Demo Realty” sends test leads.
      </Text>
    </Group>
  );
}

/** Settings → Integrations → Facebook: connect Pages, watch capture health per Page and form, disconnect. */
export function FacebookIntegrationPage({ search }: { search: FacebookPageSearch }) {
  const { workspace, can } = useCurrentWorkspace();
  const canManage = can('integrations.manage');
  const overview = useMetaOverview(workspace.id);
  const simulated = useIsSandbox();
  const navigate = useNavigate();
  const [picking, setPicking] = useState(false);

  const clearSearch = () =>
    void navigate({
      to: '/w/$workspaceId/settings/integrations/facebook',
      params: { workspaceId: workspace.id },
      search: {},
      replace: true,
    });

  const notices = (
    <>
      {search.connected === 1 && overview.data && (
        <Alert
          color="teal"
          variant="light"
          icon={<IconCircleCheck size={18} />}
          title={overview.data.pages.length > 0 ? 'Facebook reconnected' : 'Facebook connected'}
          withCloseButton
          onClose={clearSearch}
          data-testid="meta-connected-notice"
        >
          {overview.data.pages.length > 0
            ? 'Capture has resumed: leads that arrived meanwhile are being fetched now.'
            : 'Now choose which of your Pages LeadsBoost should capture leads from.'}
        </Alert>
      )}
      {search.error && (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertCircle size={18} />}
          title="Facebook was not connected"
          withCloseButton
          onClose={clearSearch}
          data-testid="meta-oauth-error"
        >
          {oauthErrorText(search.error)}
        </Alert>
      )}
    </>
  );

  const data = overview.data;
  const connection = data?.connection ?? null;
  const pages = data?.pages ?? [];

  return (
    <div data-testid="meta-page">
      <Breadcrumbs separator="›" mb={6}>
        <Text size="xs" c="dimmed">
          Settings
        </Text>
        <Text size="xs" c="dimmed">
          Integrations
        </Text>
      </Breadcrumbs>
      <PageHeader
        title="Facebook & Instagram"
        description="Capture every Lead Ads lead from your Facebook Pages and their Instagram accounts within seconds — and see that nothing is missed."
      />
      <Stack gap="lg">
        {notices}
        {overview.isPending && <PageLoader />}
        {overview.isError && <QueryError error={overview.error} title="Couldn't load the Facebook connection" />}
        {data && !data.enabled && <MetaSetupCard />}
        {data?.enabled && !connection && canManage && <ConnectFacebookCard workspaceId={workspace.id} />}
        {data?.enabled && !connection && simulated && <SimulatedFacebookNote />}
        {data?.enabled && !connection && !canManage && (
          <Card withBorder radius="md" padding="lg" data-testid="meta-not-connected">
            <Stack gap={4} align="center" ta="center" py="md">
              <IconPlugOff size={28} color="var(--mantine-color-gray-6)" />
              <Text fw={600}>Facebook is not connected</Text>
              <Text size="sm" c="dimmed">
                A workspace owner or admin can connect your Facebook Pages here.
              </Text>
            </Stack>
          </Card>
        )}
        {data?.enabled && connection && (
          <>
            <ConnectionCard
              workspaceId={workspace.id}
              connection={connection}
              pages={pages}
              canManage={canManage}
              onAddPages={() => setPicking(true)}
            />
            {simulated && <SimulatedFacebookNote />}
            {canManage && (picking || pages.length === 0) && (
              <PagePicker
                workspaceId={workspace.id}
                onDone={() => {
                  setPicking(false);
                  if (search.connected || search.error) clearSearch();
                }}
                onCancel={pages.length > 0 ? () => setPicking(false) : undefined}
              />
            )}
            {pages.map((page) => (
              <PageHealthCard key={page.id} workspaceId={workspace.id} page={page} canManage={canManage} />
            ))}
          </>
        )}
      </Stack>
    </div>
  );
}
