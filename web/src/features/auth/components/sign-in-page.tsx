import { Anchor, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconArrowLeft, IconShieldLock } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import { PasswordField } from '../../../components/password-field';
import { AnchorLink } from '../../../components/router-link';
import { TryDemo } from '../../demo/components/try-demo';
import { authApi } from '../api/auth-api';
import { useAfterSignIn } from '../hooks/use-after-sign-in';
import { AuthCard } from './auth-layout';

export function SignInPage({ redirect }: { redirect?: string }) {
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  return mfaToken ? (
    <MfaStep mfaToken={mfaToken} redirect={redirect} onBack={() => setMfaToken(null)} />
  ) : (
    <PasswordStep redirect={redirect} onMfaRequired={setMfaToken} />
  );
}

function PasswordStep({ redirect, onMfaRequired }: { redirect?: string; onMfaRequired: (token: string) => void }) {
  const afterSignIn = useAfterSignIn();
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'Enter a valid email address'),
      password: (v) => (v ? null : 'Enter your password'),
    },
  });
  const login = useMutation({
    mutationFn: (values: typeof form.values) => authApi.login(values.email.trim(), values.password),
    onSuccess: async (result) => {
      if (result.status === 'mfa_required') onMfaRequired(result.mfaToken);
      else await afterSignIn({ redirect });
    },
  });

  return (
    <AuthCard title="Sign in" subtitle="Welcome back. Sign in to your LeadsBoost workspace.">
      <TryDemo dividerLabel="or sign in with your account" />
      <form onSubmit={form.onSubmit((values) => login.mutate(values))} noValidate>
        <Stack gap="md">
          {login.error && <ErrorAlert error={login.error} title="Could not sign in" />}
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            placeholder="you@company.com"
            data-testid="login-email"
            {...form.getInputProps('email')}
          />
          <PasswordField
            label="Password"
            autoComplete="current-password"
            data-testid="login-password"
            {...form.getInputProps('password')}
          />
          <Group justify="flex-end" mt={-8}>
            <AnchorLink to="/forgot-password" size="sm">
              Forgot password?
            </AnchorLink>
          </Group>
          <Button type="submit" fullWidth loading={login.isPending} data-testid="login-submit">
            Sign in
          </Button>
          <Text size="sm" ta="center" c="dimmed">
            New to LeadsBoost?{' '}
            <AnchorLink to="/signup" fw={600}>
              Create an account
            </AnchorLink>
          </Text>
        </Stack>
      </form>
    </AuthCard>
  );
}

function MfaStep({ mfaToken, redirect, onBack }: { mfaToken: string; redirect?: string; onBack: () => void }) {
  const afterSignIn = useAfterSignIn();
  const [code, setCode] = useState('');
  const [touched, setTouched] = useState(false);
  const verify = useMutation({
    mutationFn: (value: string) => authApi.loginMfa(mfaToken, value),
    onSuccess: () => afterSignIn({ redirect }),
  });
  const trimmed = code.trim();
  const invalid = touched && trimmed.length < 6 ? 'Enter the 6-digit code or a recovery code' : null;

  return (
    <AuthCard title="Two-factor authentication" subtitle="Enter the 6-digit code from your authenticator app.">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setTouched(true);
          if (trimmed.length >= 6) verify.mutate(trimmed.replace(/\s+/g, ''));
        }}
      >
        <Stack gap="md">
          {verify.error && <ErrorAlert error={verify.error} title="Could not verify the code" />}
          <TextInput
            label="Authentication code"
            description="Lost your device? Enter one of your recovery codes (xxxxx-xxxxx) instead."
            placeholder="123456"
            autoComplete="one-time-code"
            inputMode="text"
            autoFocus
            leftSection={<IconShieldLock size={16} />}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={invalid}
            data-testid="mfa-login-code"
          />
          <Button type="submit" fullWidth loading={verify.isPending} data-testid="mfa-login-submit">
            Verify and sign in
          </Button>
          <Anchor component="button" type="button" size="sm" onClick={onBack} c="dimmed">
            <Group gap={4} justify="center">
              <IconArrowLeft size={14} /> Use a different account
            </Group>
          </Anchor>
        </Stack>
      </form>
    </AuthCard>
  );
}
