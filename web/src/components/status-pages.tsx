import { Button, Center, Group, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconError404, IconLock, IconShieldLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { ButtonLink } from './router-link';

interface StatusPageProps {
  icon: ReactNode;
  color: string;
  title: string;
  description: ReactNode;
  actions?: ReactNode;
  testId: string;
}

function StatusPage({ icon, color, title, description, actions, testId }: StatusPageProps) {
  return (
    <Center py={64} px="md" data-testid={testId}>
      <Stack align="center" gap="md" maw={460} ta="center">
        <ThemeIcon size={64} radius="xl" variant="light" color={color}>
          {icon}
        </ThemeIcon>
        <Title order={2} fz={22}>
          {title}
        </Title>
        <Text c="dimmed">{description}</Text>
        {actions && <Group justify="center">{actions}</Group>}
      </Stack>
    </Center>
  );
}

export function Forbidden({ message }: { message?: string }) {
  return (
    <StatusPage
      testId="forbidden"
      icon={<IconLock size={32} />}
      color="orange"
      title="You don't have access to this page"
      description={
        message ??
        'Your role in this workspace does not include this page. Ask a workspace owner or admin if you need it.'
      }
      actions={
        <ButtonLink to="/" variant="light">
          Back to leads
        </ButtonLink>
      }
    />
  );
}

export function MfaRequired() {
  return (
    <StatusPage
      testId="mfa-required"
      icon={<IconShieldLock size={32} />}
      color="indigo"
      title="This workspace requires two-factor authentication"
      description="To protect its leads, this workspace asks every member to use two-factor authentication. Set it up on your account to continue — it takes about a minute."
      actions={<ButtonLink to="/account/security">Set up two-factor</ButtonLink>}
    />
  );
}

export function NotFoundPage() {
  return (
    <StatusPage
      testId="not-found"
      icon={<IconError404 size={32} />}
      color="gray"
      title="Page not found"
      description="The page you are looking for does not exist or has moved."
      actions={
        <ButtonLink to="/" variant="light">
          Go to LeadsBoost
        </ButtonLink>
      }
    />
  );
}

export function FullPageError({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <StatusPage
      testId="page-error"
      icon={<IconLock size={32} />}
      color="red"
      title="We couldn't load this page"
      description={message}
      actions={onRetry && <Button onClick={onRetry}>Try again</Button>}
    />
  );
}
