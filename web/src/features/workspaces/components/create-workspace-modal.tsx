import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { ErrorAlert } from '../../../components/error-alert';
import { rememberWorkspace } from '../../../lib/navigation';
import { useCreateWorkspace } from '../hooks/use-workspaces';

export function CreateWorkspaceModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const create = useCreateWorkspace();
  const form = useForm({
    initialValues: { name: '' },
    validate: { name: (v) => (v.trim().length >= 2 ? null : 'Give the workspace a name (2 characters or more)') },
  });

  const close = () => {
    form.reset();
    create.reset();
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Create workspace" centered>
      <form
        noValidate
        onSubmit={form.onSubmit((values) =>
          create.mutate(values.name.trim(), {
            onSuccess: async (workspace) => {
              notifications.show({ color: 'teal', message: `Workspace “${workspace.name}” created.` });
              rememberWorkspace(workspace.id);
              close();
              await navigate({ to: '/w/$workspaceId/leads', params: { workspaceId: workspace.id } });
            },
          }),
        )}
      >
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            A workspace holds its own leads, Pages, team and settings — for example one per brand or per agency client.
            You will be its owner.
          </Text>
          {create.error && <ErrorAlert error={create.error} title="Could not create the workspace" />}
          <TextInput
            label="Workspace name"
            placeholder="Acme Marketing"
            data-autofocus
            data-testid="create-workspace-name"
            {...form.getInputProps('name')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} data-testid="create-workspace-submit">
              Create workspace
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
