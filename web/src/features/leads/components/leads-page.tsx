import { Anchor, Badge, Button, Card, EmptyState, Group, SimpleGrid, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconApi, IconBrandFacebook, IconFileImport, IconUsers } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { PageHeader } from '../../../components/page-header';
import { ButtonLink } from '../../../components/router-link';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';

/** Leads home. The leads API is not part of contract v1 yet, so this shows the first-run state. */
export function LeadsPage() {
  const { workspace, can } = useCurrentWorkspace();

  return (
    <>
      <PageHeader
        title="Leads"
        description={`Every lead captured for ${workspace.name}, in one place.`}
        actions={
          can('leads.write') && (
            <Button disabled variant="default" title="Coming soon">
              Add lead
            </Button>
          )
        }
      />
      <Card withBorder radius="md" py={56} px="lg">
        <Stack gap="xl" align="center">
          <EmptyState
            data-testid="empty-state"
            icon={<IconUsers size={30} />}
            variant="light"
            size="lg"
            title="No leads yet"
            description="Leads will arrive here automatically from your Facebook and Instagram Lead Ads forms, from CSV imports and from the LeadsBoost API — the moment they are captured."
          />
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md" w="100%" maw={880}>
            <SourceCard
              icon={<IconBrandFacebook size={20} />}
              color="blue"
              title="Facebook Lead Ads"
              text="Connect a Page and every form submission lands here within seconds."
              footer={
                <Badge variant="light" color="gray">
                  Coming soon
                </Badge>
              }
            />
            <SourceCard
              icon={<IconFileImport size={20} />}
              color="teal"
              title="Import a CSV"
              text="Bring leads from a spreadsheet or Meta's own lead export."
              footer={
                <Badge variant="light" color="gray">
                  Coming soon
                </Badge>
              }
            />
            <SourceCard
              icon={<IconApi size={20} />}
              color="violet"
              title="Send with the API"
              text="Push leads from your website or tools with an API key."
              footer={
                can('api_keys.manage') ? (
                  <ButtonLink
                    to="/w/$workspaceId/settings/api-keys"
                    params={{ workspaceId: workspace.id }}
                    size="xs"
                    variant="light"
                  >
                    Create an API key
                  </ButtonLink>
                ) : (
                  <Anchor href="/docs" size="sm" target="_blank">
                    Read the API docs
                  </Anchor>
                )
              }
            />
          </SimpleGrid>
        </Stack>
      </Card>
    </>
  );
}

function SourceCard({
  icon,
  color,
  title,
  text,
  footer,
}: {
  icon: ReactNode;
  color: string;
  title: string;
  text: string;
  footer: ReactNode;
}) {
  return (
    <Card withBorder radius="md" padding="md">
      <Stack gap="xs" h="100%">
        <Group gap="sm">
          <ThemeIcon variant="light" color={color} radius="md">
            {icon}
          </ThemeIcon>
          <Text fw={600} size="sm">
            {title}
          </Text>
        </Group>
        <Text size="sm" c="dimmed" style={{ flex: 1 }}>
          {text}
        </Text>
        <div>{footer}</div>
      </Stack>
    </Card>
  );
}
