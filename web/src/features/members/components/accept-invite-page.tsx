import { Alert, Badge, Button, Divider, Group, Skeleton, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconBuildingStore, IconLogin } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { ErrorAlert } from '../../../components/error-alert';
import { PasswordField } from '../../../components/password-field';
import { ButtonLink } from '../../../components/router-link';
import { isApiError } from '../../../lib/api';
import { formatDate } from '../../../lib/format';
import { ROLES, roleLabel } from '../../../lib/reference-data';
import { authApi } from '../../auth/api/auth-api';
import { AuthCard } from '../../auth/components/auth-layout';
import { MIN_PASSWORD_LENGTH, passwordRule } from '../../auth/components/sign-up-page';
import { useAfterSignIn } from '../../auth/hooks/use-after-sign-in';
import { sessionKey, useSession } from '../../auth/hooks/use-session';
import { invitationsApi, type PublicInvite } from '../api/members-api';

export function AcceptInvitePage({ token }: { token: string }) {
  const invite = useQuery({ queryKey: ['invites', token], queryFn: () => invitationsApi.get(token), retry: false });
  const session = useSession();

  if (invite.isPending || session.isPending) {
    return (
      <AuthCard title="Join workspace">
        <Stack>
          <Skeleton height={20} />
          <Skeleton height={20} width="70%" />
          <Skeleton height={36} mt="md" />
        </Stack>
      </AuthCard>
    );
  }

  if (invite.isError) {
    return (
      <AuthCard title={isApiError(invite.error, 'not_found') ? 'This invitation is no longer valid' : 'Join workspace'}>
        <Stack gap="md" data-testid="invite-invalid">
          {isApiError(invite.error, 'not_found') ? (
            <Text size="sm" c="dimmed">
              The link may have expired, been revoked or already been used. Ask the person who invited you to send a new
              invitation.
            </Text>
          ) : (
            <ErrorAlert error={invite.error} />
          )}
          <ButtonLink to="/" variant="light">
            Go to LeadsBoost
          </ButtonLink>
        </Stack>
      </AuthCard>
    );
  }

  const data = invite.data;
  const user = session.data?.user;
  const signedInAsInvitee = user && user.email.toLowerCase() === data.email.toLowerCase();

  return (
    <AuthCard title={`Join ${data.workspaceName}`} subtitle={`${data.inviterName} invited you to LeadsBoost.`}>
      <Stack gap="md">
        <InviteSummary invite={data} />
        <Divider />
        {data.accountExists && signedInAsInvitee && <AcceptAction token={token} />}
        {data.accountExists && !user && (
          <Stack gap="sm" data-testid="invite-sign-in">
            <Text size="sm">
              You already have a LeadsBoost account for <b>{data.email}</b>. Sign in to accept the invitation.
            </Text>
            <ButtonLink
              to="/login"
              search={{ redirect: `/invite/${encodeURIComponent(token)}` }}
              leftSection={<IconLogin size={16} />}
              fullWidth
              data-testid="invite-sign-in-link"
            >
              Sign in to accept
            </ButtonLink>
          </Stack>
        )}
        {user && !signedInAsInvitee && (
          <WrongAccount signedInEmail={user.email} invitedEmail={data.email} token={token} />
        )}
        {!data.accountExists && !user && <RegisterForm token={token} invite={data} />}
      </Stack>
    </AuthCard>
  );
}

function InviteSummary({ invite }: { invite: PublicInvite }) {
  const role = ROLES.find((r) => r.value === invite.role);
  return (
    <Stack gap={6} data-testid="invite-summary">
      <Group gap="xs">
        <IconBuildingStore size={18} color="var(--mantine-color-indigo-6)" />
        <Text fw={600} data-testid="invite-workspace">
          {invite.workspaceName}
        </Text>
      </Group>
      <Group gap="xs">
        <Text size="sm" c="dimmed">
          Role:
        </Text>
        <Badge variant="light" data-testid="invite-role-badge">
          {roleLabel(invite.role)}
        </Badge>
      </Group>
      {role && (
        <Text size="xs" c="dimmed">
          {role.description}
        </Text>
      )}
      <Text size="sm" c="dimmed">
        Invited by <span data-testid="invite-inviter">{invite.inviterName}</span> · for {invite.email} · expires{' '}
        {formatDate(invite.expiresAt)}
      </Text>
    </Stack>
  );
}

function AcceptAction({ token }: { token: string }) {
  const afterSignIn = useAfterSignIn();
  const accept = useMutation({
    mutationFn: () => invitationsApi.accept(token),
    onSuccess: async ({ workspace }) => {
      notifications.show({ color: 'teal', message: `You joined ${workspace.name}.` });
      await afterSignIn({ workspaceId: workspace.id });
    },
  });
  return (
    <Stack gap="sm">
      {accept.error && <ErrorAlert error={accept.error} title="Could not accept the invitation" />}
      <Button onClick={() => accept.mutate()} loading={accept.isPending} fullWidth data-testid="invite-accept">
        Accept invitation
      </Button>
    </Stack>
  );
}

function WrongAccount({
  signedInEmail,
  invitedEmail,
  token,
}: {
  signedInEmail: string;
  invitedEmail: string;
  token: string;
}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation({
    mutationFn: authApi.logout,
    onSettled: async () => {
      queryClient.setQueryData(sessionKey, null);
      await navigate({ to: '/invite/$token', params: { token } });
    },
  });
  return (
    <Stack gap="sm" data-testid="invite-wrong-account">
      <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />}>
        You are signed in as <b>{signedInEmail}</b>, but this invitation is for <b>{invitedEmail}</b>. Sign out, then
        open this link again.
      </Alert>
      <Button variant="default" onClick={() => logout.mutate()} loading={logout.isPending}>
        Sign out
      </Button>
    </Stack>
  );
}

function RegisterForm({ token, invite }: { token: string; invite: PublicInvite }) {
  const afterSignIn = useAfterSignIn();
  const form = useForm({
    initialValues: { name: '', phone: '', password: '' },
    validate: {
      name: (v) => (v.trim() ? null : 'Enter your name'),
      phone: (v) => (v.trim().length >= 6 ? null : 'Enter your phone number, e.g. +60 12-345 6789'),
      password: passwordRule,
    },
  });
  const register = useMutation({
    mutationFn: (values: typeof form.values) =>
      invitationsApi.register(token, {
        name: values.name.trim(),
        phone: values.phone.trim(),
        password: values.password,
      }),
    onSuccess: async ({ workspace }) => {
      notifications.show({ color: 'teal', title: 'Welcome to LeadsBoost', message: `You joined ${workspace.name}.` });
      await afterSignIn({ workspaceId: workspace.id });
    },
  });

  return (
    <form onSubmit={form.onSubmit((values) => register.mutate(values))} noValidate data-testid="invite-register-form">
      <Stack gap="md">
        <Text size="sm">
          Create your account to join. You will sign in with <b>{invite.email}</b>.
        </Text>
        {register.error && <ErrorAlert error={register.error} title="Could not create your account" />}
        <TextInput
          label="Name"
          autoComplete="name"
          data-testid="invite-register-name"
          {...form.getInputProps('name')}
        />
        <TextInput
          label="Phone"
          type="tel"
          autoComplete="tel"
          placeholder="+60 12-345 6789"
          data-testid="invite-register-phone"
          {...form.getInputProps('phone')}
        />
        <PasswordField
          label="Password"
          description={`At least ${MIN_PASSWORD_LENGTH} characters`}
          autoComplete="new-password"
          data-testid="invite-register-password"
          {...form.getInputProps('password')}
        />
        <Text size="xs" c="dimmed">
          By joining you accept our{' '}
          <a href="/privacy-policy" target="_blank" rel="noreferrer">
            privacy policy
          </a>
          .
        </Text>
        <Button type="submit" loading={register.isPending} fullWidth data-testid="invite-register-submit">
          Create account and join
        </Button>
      </Stack>
    </form>
  );
}
