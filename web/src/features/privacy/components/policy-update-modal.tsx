import { Anchor, Button, Group, Modal, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconExternalLink, IconShieldCheck } from '@tabler/icons-react';
import { ErrorAlert } from '../../../components/error-alert';
import { isApiError } from '../../../lib/api';
import type { PolicyStatus } from '../../auth/api/auth-api';
import { useAcknowledgePolicy } from '../hooks/use-acknowledge-policy';

/**
 * Shown over every signed-in page while a newer privacy policy awaits this person's acknowledgement (P34). It cannot
 * be dismissed: it goes away once "I have read it" is recorded, or when the person signs out instead.
 */
export function PolicyUpdateModal({
  policy,
  onSignOut,
  signingOut,
}: {
  policy: PolicyStatus;
  onSignOut: () => void;
  signingOut: boolean;
}) {
  const acknowledge = useAcknowledgePolicy();
  const opened = policy.acknowledgementRequired;
  const firstTime = policy.acknowledgedVersion === null;
  // A 409 means the policy changed again while this was open: the session is refetched with the newer date.
  const error = isApiError(acknowledge.error, 'policy_version_not_current') ? null : acknowledge.error;

  return (
    <Modal
      opened={opened}
      onClose={() => {}}
      withCloseButton={false}
      closeOnClickOutside={false}
      closeOnEscape={false}
      centered
      size="md"
      radius="md"
      padding="xl"
      aria-labelledby="policy-update-title"
      data-testid="policy-update"
    >
      <Stack gap="md" data-testid="policy-update-body">
        <Group gap="sm" wrap="nowrap" align="center">
          <ThemeIcon size={40} radius="xl" variant="light" color="indigo">
            <IconShieldCheck size={22} />
          </ThemeIcon>
          <Text fw={700} fz="lg" id="policy-update-title" data-testid="policy-update-title">
            {firstTime ? 'Please read our privacy policy' : 'We updated our privacy policy'}
          </Text>
        </Group>
        <Text size="sm">
          Our privacy policy was last updated on{' '}
          <Text span fw={600} data-testid="policy-update-date">
            {policy.lastUpdated}
          </Text>
          . It explains what data LeadsBoost collects, why, and the choices you have. Please read it before you
          continue.
        </Text>
        <Anchor
          href="/privacy-policy"
          target="_blank"
          rel="noreferrer"
          size="sm"
          fw={600}
          style={{ alignSelf: 'flex-start' }}
          data-testid="policy-update-link"
        >
          <Group gap={6} wrap="nowrap" component="span">
            Read the privacy policy
            <IconExternalLink size={15} />
          </Group>
        </Anchor>
        <ErrorAlert error={error} title="Could not record that" />
        <Group justify="space-between" gap="sm" mt="xs">
          <Button variant="subtle" color="gray" onClick={onSignOut} loading={signingOut} data-testid="policy-sign-out">
            Sign out
          </Button>
          <Button
            onClick={() => acknowledge.mutate(policy.version)}
            loading={acknowledge.isPending}
            data-testid="policy-acknowledge"
          >
            I have read it
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
