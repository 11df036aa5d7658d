import { Alert, Button, Group, Loader, Select, Stack, Text } from '@mantine/core';
import { IconCircleCheck, IconClockExclamation, IconFlask, IconX } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ErrorAlert } from '../../../components/error-alert';
import { AnchorLink } from '../../../components/router-link';
import type { MetaPageHealth } from '../api/meta-api';
import { metaKeys, useCaptures, useSendTestLead } from '../hooks/use-meta';

/** How long to watch for the test lead before saying it is late (reconciliation still picks it up later). */
const WAIT_MS = 90_000;

interface Sent {
  leadgenId: string;
  sentAt: number;
}

/**
 * "Send a test lead": asks Meta to create one on a form of the Page, then watches this Page's captures until the
 * lead has come back through the webhook, the Graph fetch and the mapping — the whole path a real lead takes.
 */
export function TestLeadPanel({ workspaceId, page }: { workspaceId: string; page: MetaPageHealth }) {
  const queryClient = useQueryClient();
  const send = useSendTestLead(workspaceId);
  const [formId, setFormId] = useState<string | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const activeForms = page.forms.filter((f) => f.status === 'ACTIVE' || !f.status);
  const choices = activeForms.length > 0 ? activeForms : page.forms;

  const waiting = sent !== null && now - sent.sentAt < WAIT_MS;
  const captures = useCaptures(workspaceId, page.id, {
    enabled: sent !== null,
    refetchInterval: (query) => {
      const found = query.state.data?.items.find((c) => c.leadgenId === sent?.leadgenId);
      return found?.status === 'captured' || found?.status === 'failed' || !waiting ? false : 1_000;
    },
  });
  const capture = captures.data?.items.find((c) => c.leadgenId === sent?.leadgenId);
  const arrived = capture?.status === 'captured' && capture.leadId;
  const failed = capture?.status === 'failed';

  // A clock for the elapsed time and the give-up moment; stops once the lead is in.
  useEffect(() => {
    if (!sent || arrived || failed) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1_000);
    return () => window.clearInterval(timer);
  }, [sent, arrived, failed]);

  // Once the lead is in, the Page's counters (last lead, leads today) changed too.
  useEffect(() => {
    if (arrived) void queryClient.invalidateQueries({ queryKey: metaKeys.overview(workspaceId) });
  }, [arrived, queryClient, workspaceId]);

  const elapsed = sent ? Math.max(1, Math.round((now - sent.sentAt) / 1000)) : 0;

  return (
    <Stack gap="xs">
      <Group gap="xs" wrap="wrap">
        {choices.length > 1 && (
          <Select
            size="xs"
            w={200}
            aria-label="Form for the test lead"
            placeholder="Any form"
            data={choices.map((f) => ({ value: f.formId, label: f.name || f.formId }))}
            value={formId}
            onChange={setFormId}
            clearable
            data-testid="meta-test-lead-form"
          />
        )}
        <Button
          size="xs"
          variant="light"
          leftSection={<IconFlask size={14} />}
          loading={send.isPending}
          disabled={page.forms.length === 0 || (waiting && !arrived && !failed)}
          onClick={() =>
            send.mutate(
              { pageRowId: page.id, formId: formId ?? undefined },
              {
                onSuccess: ({ leadgenId }) => {
                  setNow(Date.now());
                  setSent({ leadgenId, sentAt: Date.now() });
                },
              },
            )
          }
          data-testid="meta-test-lead"
        >
          Send a test lead
        </Button>
      </Group>
      {send.isError && <ErrorAlert error={send.error} title="Couldn't send a test lead" />}
      {sent && (
        <TestLeadStatus
          workspaceId={workspaceId}
          state={arrived ? 'arrived' : failed ? 'failed' : waiting ? 'waiting' : 'late'}
          elapsed={elapsed}
          leadId={capture?.leadId ?? null}
          error={capture?.lastError ?? null}
          onDismiss={() => setSent(null)}
        />
      )}
    </Stack>
  );
}

function TestLeadStatus({
  workspaceId,
  state,
  elapsed,
  leadId,
  error,
  onDismiss,
}: {
  workspaceId: string;
  state: 'waiting' | 'arrived' | 'failed' | 'late';
  elapsed: number;
  leadId: string | null;
  error: string | null;
  onDismiss: () => void;
}) {
  if (state === 'waiting') {
    return (
      <Alert
        color="blue"
        variant="light"
        icon={<Loader size={16} />}
        data-testid="meta-test-lead-status"
        data-state={state}
      >
        <Text size="sm">Test lead created at Facebook. Waiting for it to arrive… ({elapsed} s)</Text>
      </Alert>
    );
  }
  if (state === 'arrived' && leadId) {
    return (
      <Alert
        color="teal"
        variant="light"
        icon={<IconCircleCheck size={18} />}
        withCloseButton
        onClose={onDismiss}
        data-testid="meta-test-lead-status"
        data-state={state}
      >
        <Stack gap={4}>
          <Text size="sm">
            The test lead arrived{elapsed <= 90 ? ` in about ${elapsed} s` : ''}: webhook, fetch, mapping and routing
            all work.
          </Text>
          <Group gap="md">
            <AnchorLink
              to="/w/$workspaceId/leads/$leadId"
              params={{ workspaceId, leadId }}
              size="sm"
              fw={600}
              data-testid="meta-test-lead-link"
            >
              Open the test lead
            </AnchorLink>
            <AnchorLink to="/w/$workspaceId/leads" params={{ workspaceId }} size="sm">
              See it in the leads table
            </AnchorLink>
          </Group>
        </Stack>
      </Alert>
    );
  }
  if (state === 'failed') {
    return (
      <Alert
        color="red"
        variant="light"
        icon={<IconX size={18} />}
        withCloseButton
        onClose={onDismiss}
        data-testid="meta-test-lead-status"
        data-state={state}
      >
        <Text size="sm">The test lead reached LeadsBoost but could not be captured: {error ?? 'unknown error'}.</Text>
      </Alert>
    );
  }
  return (
    <Alert
      color="yellow"
      variant="light"
      icon={<IconClockExclamation size={18} />}
      withCloseButton
      onClose={onDismiss}
      data-testid="meta-test-lead-status"
      data-state={state}
    >
      <Text size="sm">
        The test lead has not arrived after {Math.round(WAIT_MS / 1000)} seconds. Meta may be slow to send it; the next
        sync will fetch it anyway. If this keeps happening, check that the Facebook app’s webhook points at this server.
      </Text>
    </Alert>
  );
}
