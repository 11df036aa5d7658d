import { Badge, Button, Card, Group, Stack, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconCircleCheck, IconMailExclamation } from '@tabler/icons-react';
import { ErrorAlert } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { PasswordField } from '../../../components/password-field';
import type { User } from '../../auth/api/auth-api';
import { passwordRule } from '../../auth/components/sign-up-page';
import { useChangePassword, useUpdateProfile } from '../hooks/use-account';

export function ProfilePage({ user }: { user: User }) {
  return (
    <>
      <PageHeader title="Profile" description="Your personal details and password." />
      <Stack gap="lg" maw={640}>
        <ProfileForm user={user} />
        <ChangePasswordForm />
      </Stack>
    </>
  );
}

function ProfileForm({ user }: { user: User }) {
  const update = useUpdateProfile();
  const form = useForm({
    initialValues: { name: user.name, phone: user.phone ?? '' },
    validate: {
      name: (v) => (v.trim() ? null : 'Enter your name'),
      phone: (v) => (v.trim().length >= 6 ? null : 'Enter your phone number, e.g. +60 12-345 6789'),
    },
  });

  return (
    <Card withBorder radius="md" padding="lg">
      <form
        noValidate
        onSubmit={form.onSubmit((values) =>
          update.mutate(
            { name: values.name.trim(), phone: values.phone.trim() },
            {
              onSuccess: ({ user: saved }) => {
                form.setValues({ name: saved.name, phone: saved.phone ?? '' });
                form.resetDirty({ name: saved.name, phone: saved.phone ?? '' });
                notifications.show({ color: 'teal', message: 'Profile saved.' });
              },
            },
          ),
        )}
      >
        <Stack gap="md">
          <Title order={2} fz="lg">
            Personal details
          </Title>
          {update.error && <ErrorAlert error={update.error} title="Could not save your profile" />}
          <TextInput label="Name" autoComplete="name" data-testid="profile-name" {...form.getInputProps('name')} />
          <TextInput
            label="Phone"
            type="tel"
            autoComplete="tel"
            data-testid="profile-phone"
            {...form.getInputProps('phone')}
          />
          <TextInput
            label="Email"
            value={user.email}
            readOnly
            variant="filled"
            data-testid="profile-email"
            rightSectionWidth={110}
            rightSection={
              user.emailVerified ? (
                <Badge
                  color="teal"
                  variant="light"
                  leftSection={<IconCircleCheck size={12} />}
                  data-testid="email-verified-badge"
                >
                  Verified
                </Badge>
              ) : (
                <Badge
                  color="orange"
                  variant="light"
                  leftSection={<IconMailExclamation size={12} />}
                  data-testid="email-unverified-badge"
                >
                  Unverified
                </Badge>
              )
            }
          />
          <Group justify="flex-end">
            <Button type="submit" loading={update.isPending} disabled={!form.isDirty()} data-testid="profile-save">
              Save changes
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function ChangePasswordForm() {
  const change = useChangePassword();
  const form = useForm({
    initialValues: { currentPassword: '', newPassword: '', confirm: '' },
    validate: {
      currentPassword: (v) => (v ? null : 'Enter your current password'),
      newPassword: passwordRule,
      confirm: (v, values) => (v === values.newPassword ? null : 'The passwords do not match'),
    },
  });

  return (
    <Card withBorder radius="md" padding="lg">
      <form
        noValidate
        onSubmit={form.onSubmit((values) =>
          change.mutate(
            { currentPassword: values.currentPassword, newPassword: values.newPassword },
            {
              onSuccess: () => {
                form.reset();
                notifications.show({
                  color: 'teal',
                  title: 'Password changed',
                  message: 'You were signed out of your other devices.',
                });
              },
            },
          ),
        )}
      >
        <Stack gap="md">
          <Title order={2} fz="lg">
            Change password
          </Title>
          {change.error && <ErrorAlert error={change.error} title="Could not change your password" />}
          <PasswordField
            label="Current password"
            autoComplete="current-password"
            data-testid="current-password"
            {...form.getInputProps('currentPassword')}
          />
          <PasswordField
            label="New password"
            description="At least 10 characters. Your other devices will be signed out."
            autoComplete="new-password"
            data-testid="new-password"
            {...form.getInputProps('newPassword')}
          />
          <PasswordField
            label="Confirm password"
            autoComplete="new-password"
            data-testid="confirm-password"
            {...form.getInputProps('confirm')}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={change.isPending} data-testid="change-password-submit">
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
