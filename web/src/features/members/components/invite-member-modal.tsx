import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { ErrorAlert } from '../../../components/error-alert';
import type { Role } from '../../../lib/reference-data';
import { useInviteMember } from '../hooks/use-members';
import { RoleSelect } from './role-select';

interface InviteMemberModalProps {
  workspaceId: string;
  opened: boolean;
  onClose: () => void;
  canGrantOwner: boolean;
}

export function InviteMemberModal({ workspaceId, opened, onClose, canGrantOwner }: InviteMemberModalProps) {
  const invite = useInviteMember(workspaceId);
  const form = useForm<{ email: string; role: Role }>({
    initialValues: { email: '', role: 'agent' },
    validate: { email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'Enter a valid email address') },
  });

  const close = () => {
    form.reset();
    invite.reset();
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Invite a teammate" centered>
      <form
        noValidate
        onSubmit={form.onSubmit((values) =>
          invite.mutate(
            { email: values.email.trim(), role: values.role },
            {
              onSuccess: (created) => {
                notifications.show({
                  color: 'teal',
                  title: 'Invitation sent',
                  message: `We emailed ${created.email}.`,
                });
                close();
              },
            },
          ),
        )}
      >
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            They will get an email with a link to join this workspace. The link expires after a few days.
          </Text>
          {invite.error && <ErrorAlert error={invite.error} title="Could not send the invitation" />}
          <TextInput
            label="Email address"
            type="email"
            placeholder="teammate@company.com"
            data-autofocus
            data-testid="invite-email"
            {...form.getInputProps('email')}
          />
          <RoleSelect
            label="Role"
            value={form.values.role}
            onChange={(role) => form.setFieldValue('role', role)}
            canGrantOwner={canGrantOwner}
            comboboxProps={{ withinPortal: true }}
            data-testid="invite-role"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={invite.isPending} data-testid="invite-submit">
              Send invitation
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
