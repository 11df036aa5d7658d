import { Badge, Group, Menu, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconBuildingStore, IconCheck, IconPlus, IconSelector } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { rememberWorkspace } from '../../../lib/navigation';
import { roleLabel } from '../../../lib/reference-data';
import type { WorkspaceSummary } from '../api/workspaces-api';
import { CreateWorkspaceModal } from './create-workspace-modal';

interface WorkspaceSwitcherProps {
  workspaces: WorkspaceSummary[];
  current: WorkspaceSummary | undefined;
}

export function WorkspaceSwitcher({ workspaces, current }: WorkspaceSwitcherProps) {
  const navigate = useNavigate();
  const [createOpened, createModal] = useDisclosure(false);

  return (
    <>
      <Menu position="bottom-start" width={280} shadow="md" withinPortal>
        <Menu.Target>
          <UnstyledButton
            data-testid="workspace-switcher"
            aria-label="Switch workspace"
            px="sm"
            py={6}
            style={{
              borderRadius: 'var(--mantine-radius-md)',
              border: '1px solid var(--mantine-color-gray-3)',
              // Fills the header's shrinking slot, so a long name truncates instead of running under the user menu.
              display: 'block',
              width: '100%',
              maxWidth: 260,
            }}
          >
            <Group gap={8} wrap="nowrap">
              <IconBuildingStore size={16} color="var(--mantine-color-indigo-6)" />
              <Text size="sm" fw={600} truncate="end" data-testid="current-workspace-name">
                {current?.name ?? 'Choose a workspace'}
              </Text>
              <IconSelector size={14} color="var(--mantine-color-gray-6)" style={{ flexShrink: 0 }} />
            </Group>
          </UnstyledButton>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Workspaces</Menu.Label>
          {workspaces.map((workspace) => (
            <Menu.Item
              key={workspace.id}
              data-testid="workspace-option"
              data-workspace-id={workspace.id}
              leftSection={
                workspace.id === current?.id ? (
                  <IconCheck size={14} />
                ) : (
                  <span style={{ display: 'inline-block', width: 14 }} />
                )
              }
              rightSection={
                <Badge size="xs" variant="light" color="gray">
                  {roleLabel(workspace.role)}
                </Badge>
              }
              onClick={() => {
                rememberWorkspace(workspace.id);
                void navigate({ to: '/w/$workspaceId/leads', params: { workspaceId: workspace.id } });
              }}
            >
              <Text size="sm" truncate="end">
                {workspace.name}
              </Text>
            </Menu.Item>
          ))}
          <Menu.Divider />
          <Menu.Item leftSection={<IconPlus size={14} />} onClick={createModal.open} data-testid="create-workspace">
            Create workspace
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <CreateWorkspaceModal opened={createOpened} onClose={createModal.close} />
    </>
  );
}
