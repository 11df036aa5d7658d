import { Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { ErrorAlert } from '../../../components/error-alert';
import { PasswordField } from '../../../components/password-field';
import { AnchorLink } from '../../../components/router-link';
import { TryDemo } from '../../demo/components/try-demo';
import { authApi, type SignupInput } from '../api/auth-api';
import { useAfterSignIn } from '../hooks/use-after-sign-in';
import { AuthCard } from './auth-layout';

export const MIN_PASSWORD_LENGTH = 10;

export const passwordRule = (value: string): string | null =>
  value.length >= MIN_PASSWORD_LENGTH ? null : `Use at least ${MIN_PASSWORD_LENGTH} characters`;

export function SignUpPage() {
  const afterSignIn = useAfterSignIn();
  const form = useForm<SignupInput>({
    initialValues: { name: '', email: '', phone: '', password: '', companyName: '' },
    validate: {
      name: (v) => (v.trim() ? null : 'Enter your name'),
      email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'Enter a valid email address'),
      phone: (v) => (v.trim().length >= 6 ? null : 'Enter your phone number, e.g. +60 12-345 6789'),
      password: passwordRule,
      companyName: (v) => (v.trim() ? null : 'Enter your company name'),
    },
  });
  const signup = useMutation({
    mutationFn: (values: SignupInput) =>
      authApi.signup({
        ...values,
        name: values.name.trim(),
        email: values.email.trim(),
        phone: values.phone.trim(),
        companyName: values.companyName.trim(),
      }),
    onSuccess: async (result) => {
      notifications.show({
        color: 'teal',
        title: 'Welcome to LeadsBoost',
        message: `We sent a verification link to ${result.user.email}.`,
      });
      await afterSignIn({ workspaceId: result.workspace.id });
    },
  });

  return (
    <AuthCard title="Create your account" subtitle="Start capturing every Facebook and Instagram lead in minutes.">
      <TryDemo dividerLabel="or create your account" />
      <form onSubmit={form.onSubmit((values) => signup.mutate(values))} noValidate data-testid="signup-form">
        <Stack gap="md">
          {signup.error && <ErrorAlert error={signup.error} title="Could not create your account" />}
          <TextInput
            label="Name"
            autoComplete="name"
            placeholder="Aisha Rahman"
            data-testid="signup-name"
            {...form.getInputProps('name')}
          />
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            placeholder="you@company.com"
            data-testid="signup-email"
            {...form.getInputProps('email')}
          />
          <TextInput
            label="Phone"
            type="tel"
            autoComplete="tel"
            placeholder="+60 12-345 6789"
            data-testid="signup-phone"
            {...form.getInputProps('phone')}
          />
          <PasswordField
            label="Password"
            description={`At least ${MIN_PASSWORD_LENGTH} characters`}
            autoComplete="new-password"
            data-testid="signup-password"
            {...form.getInputProps('password')}
          />
          <TextInput
            label="Company name"
            autoComplete="organization"
            placeholder="Acme Sdn Bhd"
            data-testid="signup-company"
            {...form.getInputProps('companyName')}
          />
          <Text size="xs" c="dimmed">
            By creating an account you agree to how we handle data as described in our{' '}
            <Anchor href="/privacy-policy" target="_blank" size="xs" data-testid="privacy-policy-link">
              privacy policy
            </Anchor>
            .
          </Text>
          <Button type="submit" fullWidth loading={signup.isPending} data-testid="signup-submit">
            Create account
          </Button>
          <Text size="sm" ta="center" c="dimmed">
            Already have an account?{' '}
            <AnchorLink to="/login" fw={600}>
              Sign in
            </AnchorLink>
          </Text>
        </Stack>
      </form>
    </AuthCard>
  );
}
