import { Alert, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconMailCheck } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { ErrorAlert } from '../../../components/error-alert';
import { PasswordField } from '../../../components/password-field';
import { AnchorLink, ButtonLink } from '../../../components/router-link';
import { authApi } from '../api/auth-api';
import { AuthCard } from './auth-layout';
import { passwordRule } from './sign-up-page';

export function ForgotPasswordPage() {
  const form = useForm({
    initialValues: { email: '' },
    validate: { email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'Enter a valid email address') },
  });
  const request = useMutation({ mutationFn: (email: string) => authApi.forgotPassword(email.trim()) });

  if (request.isSuccess) {
    return (
      <AuthCard title="Check your email">
        <Stack gap="md" data-testid="forgot-password-sent">
          <Alert color="teal" variant="light" icon={<IconMailCheck size={18} />}>
            If an account exists for <b>{form.values.email.trim()}</b>, we sent a link to reset its password. The link
            expires soon, so use it shortly.
          </Alert>
          <ButtonLink to="/login" variant="light" fullWidth>
            Back to sign in
          </ButtonLink>
        </Stack>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Reset your password"
      subtitle="Enter your email and we will send you a link to choose a new password."
    >
      <form onSubmit={form.onSubmit((values) => request.mutate(values.email))} noValidate>
        <Stack gap="md">
          {request.error && <ErrorAlert error={request.error} />}
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            data-testid="forgot-email"
            {...form.getInputProps('email')}
          />
          <Button type="submit" fullWidth loading={request.isPending} data-testid="forgot-submit">
            Send reset link
          </Button>
          <Text size="sm" ta="center">
            <AnchorLink to="/login">Back to sign in</AnchorLink>
          </Text>
        </Stack>
      </form>
    </AuthCard>
  );
}

export function ResetPasswordPage({ token }: { token?: string }) {
  const navigate = useNavigate();
  const form = useForm({
    initialValues: { password: '', confirm: '' },
    validate: {
      password: passwordRule,
      confirm: (v, values) => (v === values.password ? null : 'The passwords do not match'),
    },
  });
  const reset = useMutation({
    mutationFn: (password: string) => authApi.resetPassword(token ?? '', password),
    onSuccess: async () => {
      notifications.show({ color: 'teal', title: 'Password changed', message: 'Sign in with your new password.' });
      await navigate({ to: '/login' });
    },
  });

  if (!token) {
    return (
      <AuthCard title="Reset link missing">
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            This page needs the link from the password reset email. Request a new one if it has expired.
          </Text>
          <ButtonLink to="/forgot-password">Request a new link</ButtonLink>
        </Stack>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Choose a new password" subtitle="Signing in again will be needed on your other devices.">
      <form onSubmit={form.onSubmit((values) => reset.mutate(values.password))} noValidate>
        <Stack gap="md">
          {reset.error && <ErrorAlert error={reset.error} title="Could not reset your password" />}
          <PasswordField
            label="New password"
            description="At least 10 characters"
            autoComplete="new-password"
            data-testid="reset-password"
            {...form.getInputProps('password')}
          />
          <PasswordField
            label="Confirm password"
            autoComplete="new-password"
            data-testid="reset-password-confirm"
            {...form.getInputProps('confirm')}
          />
          <Button type="submit" fullWidth loading={reset.isPending} data-testid="reset-submit">
            Set new password
          </Button>
          {reset.error && (
            <Text size="sm" ta="center">
              <AnchorLink to="/forgot-password">Request a new reset link</AnchorLink>
            </Text>
          )}
        </Stack>
      </form>
    </AuthCard>
  );
}
