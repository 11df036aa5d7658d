import { ActionIcon, Badge, Button, Group, Menu, Modal, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconBookmark, IconBookmarkPlus, IconCheck, IconTrash, IconUsersGroup } from '@tabler/icons-react';
import { useState } from 'react';
import { ErrorAlert, errorMessage } from '../../../components/error-alert';
import { useSession } from '../../auth/hooks/use-session';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import type { LeadQuery, SavedView } from '../api/leads-api';
import { useCreateView, useDeleteView, useViews } from '../hooks/use-leads';

interface ViewsMenuProps {
  activeViewId: string | null;
  query: LeadQuery;
  columns: string[];
  onApply: (view: SavedView) => void;
  onSaved: (view: SavedView) => void;
}

/** Saved views: pick one, save the current filters/sort/columns as one, delete your own. */
export function ViewsMenu({ activeViewId, query, columns, onApply, onSaved }: ViewsMenuProps) {
  const { workspace, can } = useCurrentWorkspace();
  const session = useSession();
  const views = useViews(workspace.id);
  const remove = useDeleteView(workspace.id);
  const [saveOpened, saveModal] = useDisclosure(false);
  const myId = session.data?.user.id;
  const active = views.data?.items.find((v) => v.id === activeViewId);

  return (
    <>
      <Menu position="bottom-end" width={280} shadow="md">
        <Menu.Target>
          <Button variant="default" leftSection={<IconBookmark size={16} />} data-testid="views-menu">
            <Text span size="sm" fw={500} maw={140} truncate="end">
              {active ? active.name : 'Views'}
            </Text>
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Saved views</Menu.Label>
          {views.isPending && <Menu.Item disabled>Loading…</Menu.Item>}
          {views.isError && (
            <Menu.Item disabled c="red">
              {errorMessage(views.error)}
            </Menu.Item>
          )}
          {views.data?.items.length === 0 && (
            <Text size="xs" c="dimmed" px="sm" py={6}>
              No saved views yet. Filter and sort the table, then save it here.
            </Text>
          )}
          {views.data?.items.map((view) => (
            <Menu.Item
              key={view.id}
              onClick={() => onApply(view)}
              leftSection={view.id === activeViewId ? <IconCheck size={14} /> : <span style={{ width: 14 }} />}
              rightSection={
                <Group gap={4} wrap="nowrap">
                  {view.shared && (
                    <Badge size="xs" variant="light" color="teal" leftSection={<IconUsersGroup size={10} />}>
                      Shared
                    </Badge>
                  )}
                  {(view.ownerId === myId || (view.shared && can('settings.manage'))) && (
                    <ActionIcon
                      component="span"
                      size="sm"
                      variant="subtle"
                      color="red"
                      aria-label={`Delete view ${view.name}`}
                      onClick={(event: React.MouseEvent) => {
                        event.stopPropagation();
                        remove.mutate(view.id, {
                          onSuccess: () =>
                            notifications.show({ color: 'teal', message: `View “${view.name}” deleted.` }),
                          onError: (error) =>
                            notifications.show({
                              color: 'red',
                              title: 'View not deleted',
                              message: errorMessage(error),
                            }),
                        });
                      }}
                      data-testid="view-delete"
                    >
                      <IconTrash size={12} />
                    </ActionIcon>
                  )}
                </Group>
              }
              data-testid="view-item"
              data-view-id={view.id}
            >
              <Text size="sm" truncate="end" maw={150}>
                {view.name}
              </Text>
            </Menu.Item>
          ))}
          <Menu.Divider />
          <Menu.Item leftSection={<IconBookmarkPlus size={14} />} onClick={saveModal.open} data-testid="view-save">
            Save current view…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <SaveViewModal opened={saveOpened} onClose={saveModal.close} query={query} columns={columns} onSaved={onSaved} />
    </>
  );
}

function SaveViewModal({
  opened,
  onClose,
  query,
  columns,
  onSaved,
}: {
  opened: boolean;
  onClose: () => void;
  query: LeadQuery;
  columns: string[];
  onSaved: (view: SavedView) => void;
}) {
  const { workspace } = useCurrentWorkspace();
  const create = useCreateView(workspace.id);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [touched, setTouched] = useState(false);

  const close = () => {
    setName('');
    setShared(false);
    setTouched(false);
    create.reset();
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Save view" centered>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setTouched(true);
          if (!name.trim()) return;
          create.mutate(
            { name: name.trim(), shared, query, columns },
            {
              onSuccess: (view) => {
                notifications.show({ color: 'teal', message: `View “${view.name}” saved.` });
                onSaved(view);
                close();
              },
            },
          );
        }}
      >
        <Stack gap="md">
          {create.error && <ErrorAlert error={create.error} title="Could not save the view" />}
          <TextInput
            label="Name"
            placeholder="Hot leads this week"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={touched && !name.trim() ? 'Give the view a name' : undefined}
            data-autofocus
            maxLength={100}
            data-testid="view-name"
          />
          <Switch
            label="Share with the workspace"
            description="Everyone in the workspace can pick a shared view. Agents still see only their own leads."
            checked={shared}
            onChange={(e) => setShared(e.currentTarget.checked)}
            data-testid="view-shared"
          />
          <Text size="xs" c="dimmed">
            The view keeps the search, filters, sort and visible columns.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} data-testid="view-save-submit">
              Save view
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
