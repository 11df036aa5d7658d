import { Anchor, Card, Code, CopyButton, Group, Stack, Table, Text, ThemeIcon, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy, IconSettingsOff } from '@tabler/icons-react';

const SETTINGS: [string, string][] = [
  ['META_APP_ID', 'The App ID of your Facebook app (Meta for Developers → your app → App settings → Basic).'],
  ['META_APP_SECRET', 'The App Secret from the same page. It signs every call and checks every webhook.'],
  ['META_VERIFY_TOKEN', 'Any long random string; type the same one in the app’s Webhooks settings.'],
  ['META_GRAPH_URL', 'Optional. Where the Graph API is; leave it unset unless you use the Meta simulator.'],
];

function CopyValue({ value, label }: { value: string; label: string }) {
  return (
    <Group gap={4} wrap="nowrap" style={{ minWidth: 0 }}>
      <Code style={{ wordBreak: 'break-all' }}>{value}</Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : `Copy ${label}`}>
            <Anchor component="button" type="button" onClick={copy} aria-label={`Copy ${label}`} c="dimmed">
              {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
            </Anchor>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}

/** Shown when the server has no Facebook app configured: what the operator sets, and the URLs Meta needs. */
export function MetaSetupCard() {
  const origin = window.location.origin;
  const urls: [string, string][] = [
    ['Valid OAuth redirect URI', `${origin}/api/v1/meta/oauth/callback`],
    ['Webhooks callback URL (Page → leadgen)', `${origin}/webhooks/meta`],
    ['Deauthorize callback URL', `${origin}/webhooks/meta/deauthorize`],
    ['Data deletion request URL', `${origin}/webhooks/meta/data-deletion`],
  ];
  return (
    <Card withBorder radius="md" padding="lg" data-testid="meta-disabled">
      <Stack gap="md">
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <ThemeIcon size={40} radius="md" variant="light" color="gray">
            <IconSettingsOff size={22} />
          </ThemeIcon>
          <Stack gap={4}>
            <Title order={2} fz="lg">
              Facebook is not set up on this server yet
            </Title>
            <Text size="sm" c="dimmed">
              Whoever runs this LeadsBoost server needs to create a Facebook app and give LeadsBoost its details as
              settings (environment variables), then restart it. After that, this page lets you connect your Pages.
            </Text>
          </Stack>
        </Group>
        <Table.ScrollContainer minWidth={520}>
          <Table verticalSpacing="xs" horizontalSpacing="md">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Setting</Table.Th>
                <Table.Th>What it is</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {SETTINGS.map(([name, meaning]) => (
                <Table.Tr key={name}>
                  <Table.Td>
                    <Code>{name}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{meaning}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Stack gap="xs">
          <Text size="sm" fw={600}>
            In the Facebook app, use these addresses
          </Text>
          {urls.map(([label, value]) => (
            <Stack key={label} gap={2}>
              <Text size="xs" c="dimmed">
                {label}
              </Text>
              <CopyValue value={value} label={label} />
            </Stack>
          ))}
        </Stack>
      </Stack>
    </Card>
  );
}
