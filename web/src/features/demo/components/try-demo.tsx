import { Button, Divider, Loader, Paper, Stack, Text } from '@mantine/core';
import { IconPlayerPlayFilled } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { ErrorAlert } from '../../../components/error-alert';
import { useAfterSignIn } from '../../auth/hooks/use-after-sign-in';
import { useIsSandbox, useStartDemo } from '../hooks/use-demo';

/**
 * "Try the demo" on the sign-in and sign-up cards, shown only when the server runs the Meta simulator: signs in as
 * the demo workspace's owner (creating it the first time, which takes a few seconds) and opens its leads.
 */
export function TryDemo({ dividerLabel }: { dividerLabel: string }) {
  const sandbox = useIsSandbox();
  const queryClient = useQueryClient();
  const afterSignIn = useAfterSignIn();
  const start = useStartDemo();
  if (!sandbox) return null;

  const onClick = () =>
    start.mutate(undefined, {
      onSuccess: async ({ workspaceId }) => {
        // Another account may have been cached in this tab: its workspaces are not this one's.
        await queryClient.invalidateQueries({ queryKey: ['workspaces'] });
        await afterSignIn({ workspaceId });
      },
    });
  // The sign-in and the first navigation both count as "loading".
  const busy = start.isPending || start.isSuccess;

  return (
    <>
      <Paper
        radius="md"
        p="md"
        bg="var(--mantine-color-indigo-0)"
        style={{ border: '1px solid var(--mantine-color-indigo-2)' }}
        data-testid="try-demo"
      >
        <Stack gap={8}>
          {start.error && <ErrorAlert error={start.error} title="Could not open the demo" />}
          <Button
            fullWidth
            variant="white"
            color="indigo"
            leftSection={busy ? <Loader size={14} color="indigo" /> : <IconPlayerPlayFilled size={14} />}
            // Not Mantine's `loading`, which hides the label: the visitor should still see what is happening.
            aria-busy={busy}
            onClick={busy ? undefined : onClick}
            style={{ border: '1px solid var(--mantine-color-indigo-3)' }}
            data-testid="try-demo-button"
          >
            {busy ? 'Opening the demo…' : 'Try the demo'}
          </Button>
          <Text size="xs" c="dimmed" ta="center" data-testid="try-demo-hint">
            {busy
              ? 'Setting up the sample workspace — the first time takes a few seconds…'
              : 'Explore a sample workspace where Facebook leads arrive every few seconds — no Facebook account needed'}
          </Text>
        </Stack>
      </Paper>
      <Divider label={dividerLabel} labelPosition="center" my="lg" />
    </>
  );
}
