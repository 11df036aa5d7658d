import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import { PasswordField } from '../../../components/password-field';

interface PasswordPromptModalProps {
  opened: boolean;
  title: string;
  description: string;
  confirmLabel: string;
  danger?: boolean;
  loading: boolean;
  error: unknown;
  onSubmit: (password: string) => void;
  onClose: () => void;
}

/** Re-asks the password before a sensitive account change. */
export function PasswordPromptModal(props: PasswordPromptModalProps) {
  const [password, setPassword] = useState('');
  const close = () => {
    setPassword('');
    props.onClose();
  };
  return (
    <Modal opened={props.opened} onClose={close} title={props.title} centered>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (password) props.onSubmit(password);
        }}
      >
        <Stack gap="md">
          <Text size="sm">{props.description}</Text>
          {Boolean(props.error) && <ErrorAlert error={props.error} />}
          <PasswordField
            label="Current password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            data-autofocus
            data-testid="password-prompt"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              type="submit"
              color={props.danger ? 'red' : undefined}
              loading={props.loading}
              disabled={!password}
              data-testid="password-prompt-submit"
            >
              {props.confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
