import { ActionIcon, Box, Group, Stack, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconCheck, IconPencil, IconX } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';

interface InlineEditorProps<T> {
  label: string;
  value: T;
  display: ReactNode;
  canEdit: boolean;
  /** The input; call `submit` on Enter. */
  editor: (draft: T, setDraft: (value: T) => void, keys: (event: React.KeyboardEvent) => void) => ReactNode;
  onSave: (value: T) => void;
  testId?: string;
  /** The label stays for screen readers only (for a title that speaks for itself). */
  hideLabel?: boolean;
}

/** A labelled value with a pencil: click to edit in place, Enter or ✓ saves, Escape or ✕ cancels. */
export function InlineEditor<T>({
  label,
  value,
  display,
  canEdit,
  editor,
  onSave,
  testId,
  hideLabel,
}: InlineEditorProps<T>) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<T>(value);

  const save = () => {
    setEditing(false);
    if (JSON.stringify(draft) !== JSON.stringify(value)) onSave(draft);
  };
  const keys = (event: React.KeyboardEvent) => {
    if (event.key === 'Enter' && !(event.target instanceof HTMLTextAreaElement)) {
      event.preventDefault();
      save();
    }
    if (event.key === 'Escape') setEditing(false);
  };

  return (
    <Stack gap={2} data-testid={testId}>
      {hideLabel ? (
        <VisuallyHidden>{label}</VisuallyHidden>
      ) : (
        <Text size="xs" c="dimmed" fw={500}>
          {label}
        </Text>
      )}
      {editing ? (
        <Group gap={4} wrap="nowrap" align="flex-start">
          <Box style={{ flex: 1, minWidth: 0 }}>{editor(draft, setDraft, keys)}</Box>
          <ActionIcon
            variant="light"
            color="teal"
            aria-label={`Save ${label}`}
            onClick={save}
            mt={4}
            data-testid="inline-save"
          >
            <IconCheck size={16} />
          </ActionIcon>
          <ActionIcon variant="subtle" color="gray" aria-label="Cancel" onClick={() => setEditing(false)} mt={4}>
            <IconX size={16} />
          </ActionIcon>
        </Group>
      ) : (
        <Group
          gap={4}
          wrap="nowrap"
          justify="space-between"
          className="lb-editable"
          style={{ minHeight: 28, minWidth: 0 }}
        >
          <Box style={{ minWidth: 0, flex: 1 }}>{display}</Box>
          {canEdit && (
            <Tooltip label={`Edit ${label.toLowerCase()}`}>
              <ActionIcon
                size="sm"
                variant="subtle"
                color="gray"
                aria-label={`Edit ${label}`}
                onClick={() => {
                  setDraft(value);
                  setEditing(true);
                }}
                data-testid="inline-edit"
              >
                <IconPencil size={14} />
              </ActionIcon>
            </Tooltip>
          )}
        </Group>
      )}
    </Stack>
  );
}
