import { Badge, Button, Card, Checkbox, Code, Group, List, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconBrandFacebook, IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import { FEATURE_SCOPES, type MetaFeature, SCOPE_REASONS } from '../api/meta-api';
import { useStartOAuth } from '../hooks/use-meta';

export const FACEBOOK_BLUE = '#1877F2';

/** The Login dialog's button: starts OAuth on the server and leaves for the dialog. */
export function ContinueWithFacebookButton({
  workspaceId,
  features,
  label = 'Continue with Facebook',
  testId = 'meta-continue',
  size = 'md',
}: {
  workspaceId: string;
  features: MetaFeature[];
  label?: string;
  testId?: string;
  size?: 'sm' | 'md';
}) {
  const start = useStartOAuth(workspaceId);
  return (
    <Stack gap="xs">
      <Button
        size={size}
        color={FACEBOOK_BLUE}
        leftSection={<IconBrandFacebook size={20} />}
        // Stays loading while the browser leaves for the dialog.
        loading={start.isPending || start.isSuccess}
        onClick={() => start.mutate(features)}
        data-testid={testId}
      >
        {label}
      </Button>
      {start.isError && <ErrorAlert error={start.error} title="Couldn't start the Facebook login" />}
    </Stack>
  );
}

/** Not connected yet: what connecting does, the permissions Facebook will ask for and why (P4). */
export function ConnectFacebookCard({ workspaceId }: { workspaceId: string }) {
  const [adAttribution, setAdAttribution] = useState(false);
  const features: MetaFeature[] = adAttribution ? ['lead_ads', 'ad_attribution'] : ['lead_ads'];
  const scopes = features.flatMap((feature) => FEATURE_SCOPES[feature]);

  return (
    <Card withBorder radius="md" padding="lg" data-testid="meta-connect-card">
      <Stack gap="md">
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <ThemeIcon size={40} radius="md" color={FACEBOOK_BLUE}>
            <IconBrandFacebook size={24} />
          </ThemeIcon>
          <Stack gap={4}>
            <Title order={2} fz="lg">
              Capture leads from Facebook and Instagram Lead Ads
            </Title>
            <Text size="sm" c="dimmed">
              Connect the Facebook Pages that run your lead ads. Every lead submitted on Facebook or Instagram then
              arrives here within seconds, with its campaign, ad set, ad and form — and LeadsBoost checks regularly that
              none was missed.
            </Text>
          </Stack>
        </Group>

        <Stack gap="xs">
          <Text size="sm" fw={600}>
            What to capture
          </Text>
          <Checkbox checked disabled label="Lead Ads forms (always on)" />
          <Checkbox
            checked={adAttribution}
            onChange={(event) => setAdAttribution(event.currentTarget.checked)}
            label="Ad attribution and spend"
            description="Also read your ad accounts’ campaign names and spend, for cost per lead and per customer."
            data-testid="meta-feature-ad-attribution"
          />
        </Stack>

        <Stack gap="xs">
          <Text size="sm" fw={600}>
            Facebook will ask you to allow
          </Text>
          <List spacing={6} size="sm" icon={<IconLock size={14} color="var(--mantine-color-gray-6)" />}>
            {scopes.map((scope) => (
              <List.Item key={scope} data-testid="meta-scope" data-scope={scope}>
                <Code>{scope}</Code> — {SCOPE_REASONS[scope] ?? ''}
              </List.Item>
            ))}
          </List>
          <Text size="xs" c="dimmed">
            Nothing else is requested. LeadsBoost never posts on your Pages. Access tokens are stored encrypted, and you
            can disconnect at any time.
          </Text>
        </Stack>

        <Group justify="space-between" align="flex-end" gap="sm">
          <Badge variant="light" color="gray" tt="none">
            {scopes.length} permissions
          </Badge>
          <ContinueWithFacebookButton workspaceId={workspaceId} features={features} />
        </Group>
      </Stack>
    </Card>
  );
}
