import { Alert, Loader, Stack, Text } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import { ButtonLink } from '../../../components/router-link';
import { authApi } from '../api/auth-api';
import { sessionKey } from '../hooks/use-session';
import { AuthCard } from './auth-layout';

export function VerifyEmailPage({ token }: { token?: string }) {
  const queryClient = useQueryClient();
  const verify = useMutation({
    mutationFn: (value: string) => authApi.verifyEmail(value),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKey }),
  });
  const started = useRef(false);
  const { mutate } = verify;

  useEffect(() => {
    // Tokens are single-use: guard against React's development double effect.
    if (!token || started.current) return;
    started.current = true;
    mutate(token);
  }, [token, mutate]);

  if (!token) {
    return (
      <AuthCard title="Verification link missing">
        <Text size="sm" c="dimmed">
          Open the link from the verification email we sent you. You can ask for a new one from the banner at the top of
          the app.
        </Text>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Verify your email">
      <Stack gap="md" data-testid="verify-email-state">
        {(verify.isPending || verify.isIdle) && (
          <Stack align="center" py="md">
            <Loader />
            <Text size="sm" c="dimmed">
              Checking your link…
            </Text>
          </Stack>
        )}
        {verify.isSuccess && (
          <Alert
            color="teal"
            variant="light"
            icon={<IconCircleCheck size={18} />}
            title="Email verified"
            data-testid="verify-email-success"
          >
            Thanks — your email address is confirmed.
          </Alert>
        )}
        {verify.isError && <ErrorAlert error={verify.error} title="This link did not work" />}
        {!verify.isPending && !verify.isIdle && <ButtonLink to="/">Continue to LeadsBoost</ButtonLink>}
      </Stack>
    </AuthCard>
  );
}
