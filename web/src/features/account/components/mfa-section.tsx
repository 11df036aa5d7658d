import { Badge, Button, Card, Code, Group, Image, Stack, Text, TextInput, ThemeIcon, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconShieldCheck, IconShieldLock } from '@tabler/icons-react';
import { useState } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import type { User } from '../../auth/api/auth-api';
import { useMfaDisable, useMfaEnable, useMfaSetup, useRegenerateRecoveryCodes } from '../hooks/use-account';
import { PasswordPromptModal } from './password-prompt-modal';
import { RecoveryCodes } from './recovery-codes';

export function MfaSection({ user }: { user: User }) {
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  return (
    <Card withBorder radius="md" padding="lg" data-testid="mfa-section">
      <Stack gap="md">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <ThemeIcon variant="light" radius="md" size="lg">
              <IconShieldLock size={20} />
            </ThemeIcon>
            <div>
              <Title order={2} fz="lg">
                Two-factor authentication
              </Title>
              <Text size="sm" c="dimmed">
                A code from an authenticator app is asked for at each sign-in.
              </Text>
            </div>
          </Group>
          {user.mfaEnabled ? (
            <Badge color="teal" variant="light" leftSection={<IconShieldCheck size={12} />} data-testid="mfa-status">
              On
            </Badge>
          ) : (
            <Badge color="gray" variant="light" data-testid="mfa-status">
              Off
            </Badge>
          )}
        </Group>
        {recoveryCodes ? (
          <RecoveryCodes codes={recoveryCodes} onDone={() => setRecoveryCodes(null)} />
        ) : user.mfaEnabled ? (
          <MfaEnabledActions onNewCodes={setRecoveryCodes} />
        ) : (
          <MfaSetupFlow onEnabled={setRecoveryCodes} />
        )}
      </Stack>
    </Card>
  );
}

function MfaSetupFlow({ onEnabled }: { onEnabled: (codes: string[]) => void }) {
  const setup = useMfaSetup();
  const enable = useMfaEnable();
  const [code, setCode] = useState('');

  if (!setup.data) {
    return (
      <Stack gap="sm" align="flex-start">
        {setup.error && <ErrorAlert error={setup.error} title="Could not start the setup" />}
        <Button onClick={() => setup.mutate()} loading={setup.isPending} data-testid="mfa-setup-start">
          Set up two-factor
        </Button>
      </Stack>
    );
  }

  const valid = /^\d{6}$/.test(code);
  return (
    <Stack gap="md">
      <Text size="sm">
        <b>1.</b> Scan this QR code with an authenticator app such as Google Authenticator, 1Password or Authy.
      </Text>
      <Group align="flex-start" gap="lg" wrap="wrap">
        <Image
          src={setup.data.qrCodeDataUrl}
          alt="QR code to add LeadsBoost to your authenticator app"
          w={180}
          h={180}
          radius="md"
          style={{ border: '1px solid var(--mantine-color-gray-3)' }}
          data-testid="mfa-qr"
        />
        <Stack gap={4} style={{ flex: '1 1 220px' }}>
          <Text size="sm" c="dimmed">
            Can't scan it? Enter this key in the app instead:
          </Text>
          <Code block data-testid="mfa-secret" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
            {setup.data.secret}
          </Code>
        </Stack>
      </Group>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!valid) return;
          enable.mutate(code, {
            onSuccess: ({ recoveryCodes }) => {
              notifications.show({ color: 'teal', message: 'Two-factor authentication is on.' });
              onEnabled(recoveryCodes);
            },
          });
        }}
      >
        <Stack gap="sm">
          <Text size="sm">
            <b>2.</b> Enter the 6-digit code the app shows.
          </Text>
          {enable.error && <ErrorAlert error={enable.error} title="That code did not work" />}
          <Group align="flex-start" gap="sm">
            <TextInput
              label="Verification code"
              placeholder="123456"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              value={code}
              onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))}
              w={180}
              data-testid="mfa-code-input"
            />
            <Button type="submit" mt={25} loading={enable.isPending} disabled={!valid} data-testid="mfa-enable-submit">
              Turn on two-factor
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

function MfaEnabledActions({ onNewCodes }: { onNewCodes: (codes: string[]) => void }) {
  const disable = useMfaDisable();
  const regenerate = useRegenerateRecoveryCodes();
  const [prompt, setPrompt] = useState<'disable' | 'codes' | null>(null);

  return (
    <>
      <Group gap="sm">
        <Button variant="default" onClick={() => setPrompt('codes')} data-testid="mfa-regenerate-codes">
          New recovery codes
        </Button>
        <Button variant="light" color="red" onClick={() => setPrompt('disable')} data-testid="mfa-disable">
          Turn off
        </Button>
      </Group>
      <PasswordPromptModal
        opened={prompt === 'disable'}
        title="Turn off two-factor"
        description="Your account will be protected by your password only. Workspaces that require two-factor will ask you to set it up again."
        confirmLabel="Turn off two-factor"
        danger
        loading={disable.isPending}
        error={disable.error}
        onClose={() => {
          setPrompt(null);
          disable.reset();
        }}
        onSubmit={(password) =>
          disable.mutate(password, {
            onSuccess: () => {
              setPrompt(null);
              notifications.show({ color: 'teal', message: 'Two-factor authentication is off.' });
            },
          })
        }
      />
      <PasswordPromptModal
        opened={prompt === 'codes'}
        title="Create new recovery codes"
        description="Your old recovery codes will stop working."
        confirmLabel="Create new codes"
        loading={regenerate.isPending}
        error={regenerate.error}
        onClose={() => {
          setPrompt(null);
          regenerate.reset();
        }}
        onSubmit={(password) =>
          regenerate.mutate(password, {
            onSuccess: ({ recoveryCodes }) => {
              setPrompt(null);
              onNewCodes(recoveryCodes);
            },
          })
        }
      />
    </>
  );
}
