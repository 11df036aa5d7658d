import {
  ActionIcon,
  Avatar,
  Badge,
  Box,
  Button,
  Card,
  Group,
  SegmentedControl,
  Skeleton,
  Stack,
  Text,
  Textarea,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconMarkdown, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { ErrorAlert } from '../../../components/error-alert';
import { QueryError } from '../../../components/query-state';
import { formatDateTime, formatRelative, initials } from '../../../lib/format';
import { useSession } from '../../auth/hooks/use-session';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import type { Note, NoteFormat } from '../api/contacts-api';
import { useAddNote, useDeleteNote, useNotes } from '../hooks/use-contacts';
import { SafeMarkdown } from './safe-markdown';

export function NotesPanel({ contactId, leadId }: { contactId: string; leadId: string }) {
  const { workspace, can } = useCurrentWorkspace();
  const session = useSession();
  const notes = useNotes(workspace.id, contactId);
  const add = useAddNote(workspace.id, contactId, leadId);
  const remove = useDeleteNote(workspace.id, contactId);
  const [body, setBody] = useState('');
  const [format, setFormat] = useState<NoteFormat>('text');
  const [toDelete, setToDelete] = useState<Note | null>(null);
  const canWrite = can('leads.write');

  const submit = () => {
    if (!body.trim()) return;
    add.mutate(
      { body: body.trim(), format },
      {
        onSuccess: () => {
          setBody('');
          notifications.show({ color: 'teal', message: 'Note added.' });
        },
      },
    );
  };

  return (
    <Card withBorder radius="md" padding="lg" data-testid="notes">
      <Group justify="space-between" mb="md">
        <Title order={2} fz="md">
          Notes
        </Title>
        {notes.data && notes.data.length > 0 && (
          <Badge variant="light" color="gray">
            {notes.data.length}
          </Badge>
        )}
      </Group>
      {canWrite && (
        <Stack gap="xs" mb="md">
          {add.error && <ErrorAlert error={add.error} title="Note not added" />}
          <Textarea
            placeholder={
              format === 'markdown' ? 'Write a note… **bold**, _italic_, - lists, [links](https://…)' : 'Write a note…'
            }
            aria-label="New note"
            autosize
            minRows={2}
            maxRows={10}
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) submit();
            }}
            data-testid="note-input"
          />
          <Group justify="space-between" gap="xs">
            <SegmentedControl
              size="xs"
              value={format}
              onChange={(v) => setFormat(v as NoteFormat)}
              data={[
                { value: 'text', label: 'Text' },
                { value: 'markdown', label: 'Markdown' },
              ]}
              aria-label="Note format"
              data-testid="note-format"
            />
            <Button
              size="xs"
              onClick={submit}
              loading={add.isPending}
              disabled={!body.trim()}
              data-testid="note-submit"
            >
              Add note
            </Button>
          </Group>
        </Stack>
      )}
      {notes.isPending && (
        <Stack gap="sm">
          <Skeleton height={48} />
          <Skeleton height={48} />
        </Stack>
      )}
      {notes.isError && <QueryError error={notes.error} title="Couldn't load notes" />}
      {notes.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No notes yet.{canWrite ? ' Write down what you learn about this lead.' : ''}
        </Text>
      )}
      <Stack gap="sm">
        {notes.data?.map((note) => (
          <Box
            key={note.id}
            p="sm"
            bg="var(--mantine-color-gray-0)"
            style={{ borderRadius: 'var(--mantine-radius-md)' }}
            data-testid="note-item"
          >
            <Group justify="space-between" gap="xs" mb={6} wrap="nowrap">
              <Group gap={8} wrap="nowrap" style={{ minWidth: 0 }}>
                <Avatar size={22} radius="xl" color="indigo">
                  {initials(note.author?.name ?? '?')}
                </Avatar>
                <Text size="xs" fw={600} truncate="end">
                  {note.author?.name ?? 'Someone'}
                </Text>
                <Tooltip label={formatDateTime(note.createdAt)}>
                  <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                    {formatRelative(note.createdAt)}
                  </Text>
                </Tooltip>
                {note.format === 'markdown' && <IconMarkdown size={14} color="var(--mantine-color-gray-5)" />}
              </Group>
              {canWrite && note.author?.id === session.data?.user.id && (
                <ActionIcon
                  size="sm"
                  variant="subtle"
                  color="gray"
                  aria-label="Delete note"
                  onClick={() => setToDelete(note)}
                  data-testid="note-delete"
                >
                  <IconTrash size={14} />
                </ActionIcon>
              )}
            </Group>
            {note.format === 'markdown' ? (
              <Box data-testid="note-body">
                <SafeMarkdown>{note.body}</SafeMarkdown>
              </Box>
            ) : (
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="note-body">
                {note.body}
              </Text>
            )}
          </Box>
        ))}
      </Stack>
      <ConfirmModal
        opened={toDelete !== null}
        title="Delete note"
        message="Delete this note? This cannot be undone."
        confirmLabel="Delete note"
        loading={remove.isPending}
        error={remove.error}
        onClose={() => {
          setToDelete(null);
          remove.reset();
        }}
        onConfirm={() => toDelete && remove.mutate(toDelete.id, { onSuccess: () => setToDelete(null) })}
      />
    </Card>
  );
}
