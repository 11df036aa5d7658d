import { Anchor, Box, Center, Container, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { Outlet } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { Brand } from '../../../components/brand';

/** Centered card layout shared by sign-in, sign-up, password and invitation screens. */
export function AuthLayout() {
  return (
    <Box mih="100vh" bg="var(--mantine-color-gray-0)" py={{ base: 24, sm: 56 }} px="md">
      <Container size={460} p={0}>
        <Center mb="xl">
          <Brand size="lg" />
        </Center>
        <Outlet />
        <Group justify="center" gap="lg" mt="xl">
          <Anchor href="/privacy-policy" size="xs" c="dimmed">
            Privacy policy
          </Anchor>
          <Anchor href="/docs" size="xs" c="dimmed">
            API docs
          </Anchor>
        </Group>
      </Container>
    </Box>
  );
}

export function AuthCard({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <Paper withBorder shadow="sm" radius="lg" p={{ base: 'lg', sm: 32 }}>
      <Stack gap={4} mb="lg">
        <Title order={1} fz={24} fw={700}>
          {title}
        </Title>
        {subtitle && (
          <Text c="dimmed" size="sm">
            {subtitle}
          </Text>
        )}
      </Stack>
      {children}
    </Paper>
  );
}
