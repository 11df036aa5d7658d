import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';

interface ApiKeySecretModalProps {
  secret: { name: string; secret: string } | null;
  onClose: () => void;
}

/** The one and only time the secret is visible; closing needs an explicit click. */
export function ApiKeySecretModal({ secret, onClose }: ApiKeySecretModalProps) {
  return (
    <Modal
      opened={secret !== null}
      onClose={onClose}
      title="Copy your new API key"
      centered
      size="lg"
      closeOnClickOutside={false}
      closeOnEscape={false}
    >
      {secret && (
        <Stack gap="md">
          <Alert
            color="yellow"
            variant="light"
            icon={<IconAlertTriangle size={18} />}
            title="You will not see this again"
          >
            Store the key for “{secret.name}” somewhere safe, like a password manager. If you lose it, revoke it and
            create a new one.
          </Alert>
          <Code
            block
            data-testid="api-key-secret"
            style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap', fontSize: 14 }}
          >
            {secret.secret}
          </Code>
          <Text size="xs" c="dimmed">
            Send it as <Code>Authorization: Bearer {'<key>'}</Code>.
          </Text>
          <Group justify="space-between">
            <CopyButton value={secret.secret}>
              {({ copied, copy }) => (
                <Button
                  variant={copied ? 'light' : 'filled'}
                  color={copied ? 'teal' : undefined}
                  leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  onClick={copy}
                  data-testid="api-key-copy"
                >
                  {copied ? 'Copied' : 'Copy key'}
                </Button>
              )}
            </CopyButton>
            <Button variant="default" onClick={onClose} data-testid="api-key-secret-done">
              I have stored it
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
