import { Badge, Button, Card, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconGitMerge } from '@tabler/icons-react';
import { useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { QueryError } from '../../../components/query-state';
import { formatDate } from '../../../lib/format';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import type { Contact, Duplicate } from '../api/contacts-api';
import { useDuplicates, useMergeContacts } from '../hooks/use-contacts';

interface DuplicatesPanelProps {
  contact: Contact;
  /** Called after a merge, with what is needed to offer "Undo". */
  onMerged: (merge: { mergeId: string; survivor: Contact; merged: Contact }) => void;
}

/** Contacts that look like this one, with why; merging moves everything of this contact into the chosen one. */
export function DuplicatesPanel({ contact, onMerged }: DuplicatesPanelProps) {
  const { workspace, can } = useCurrentWorkspace();
  const duplicates = useDuplicates(workspace.id, contact.id);
  const merge = useMergeContacts(workspace.id);
  const [target, setTarget] = useState<Duplicate | null>(null);
  const items = duplicates.data?.items ?? [];

  if (duplicates.isSuccess && items.length === 0) return null;

  return (
    <Card
      withBorder
      radius="md"
      padding="lg"
      data-testid="duplicates-panel"
      style={{ borderColor: items.length ? 'var(--mantine-color-orange-3)' : undefined }}
    >
      <Group gap="xs" mb="sm">
        <IconGitMerge size={18} color="var(--mantine-color-orange-6)" />
        <Title order={2} fz="md">
          Possible duplicates
        </Title>
        {items.length > 0 && (
          <Badge color="orange" variant="light">
            {items.length}
          </Badge>
        )}
      </Group>
      {duplicates.isPending && <Skeleton height={60} />}
      {duplicates.isError && <QueryError error={duplicates.error} title="Couldn't look for duplicates" />}
      <Stack gap="sm">
        {items.map((duplicate) => (
          <Stack
            key={duplicate.contact.id}
            gap={6}
            p="sm"
            style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 'var(--mantine-radius-md)' }}
            data-testid="duplicate-item"
            data-contact-id={duplicate.contact.id}
          >
            <div>
              <Text size="sm" fw={600} style={{ wordBreak: 'break-word' }}>
                {duplicate.contact.name || 'Unnamed contact'}
              </Text>
              <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
                {[duplicate.contact.email, duplicate.contact.phone].filter(Boolean).join(' · ') || 'No email or phone'}
              </Text>
              <Text size="xs" c="dimmed">
                Added {formatDate(duplicate.contact.createdAt)}
              </Text>
            </div>
            <Group gap={4}>
              {duplicate.reasons.map((reason) => (
                <Badge key={reason} size="sm" variant="light" color="orange" tt="none">
                  {reason}
                </Badge>
              ))}
            </Group>
            {can('leads.write') && (
              <Button
                size="xs"
                variant="light"
                color="orange"
                leftSection={<IconGitMerge size={14} />}
                onClick={() => setTarget(duplicate)}
                data-testid="merge-button"
              >
                Merge into this contact
              </Button>
            )}
          </Stack>
        ))}
      </Stack>
      <ConfirmModal
        opened={target !== null}
        title="Merge contacts"
        message={
          target && (
            <Stack gap="xs">
              <Text size="sm">
                Merge <b>{contact.name || 'this contact'}</b> into <b>{target.contact.name || 'the other contact'}</b>?
              </Text>
              <Text size="sm" c="dimmed">
                Every lead, note, task and timeline entry moves to {target.contact.name || 'the other contact'}. You can
                undo the merge right after.
              </Text>
            </Stack>
          )
        }
        confirmLabel="Merge contacts"
        loading={merge.isPending}
        error={merge.error}
        onClose={() => {
          setTarget(null);
          merge.reset();
        }}
        onConfirm={() =>
          target &&
          merge.mutate(
            { survivorId: target.contact.id, otherContactId: contact.id },
            {
              onSuccess: (result) => {
                onMerged({ mergeId: result.mergeId, survivor: result.contact, merged: contact });
                setTarget(null);
              },
            },
          )
        }
      />
    </Card>
  );
}
