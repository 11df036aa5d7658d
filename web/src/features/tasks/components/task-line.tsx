import { ActionIcon, Badge, Checkbox, Group, Stack, Text, Tooltip } from '@mantine/core';
import { IconCalendarDue, IconTrash, IconUser } from '@tabler/icons-react';
import dayjs from 'dayjs';
import type { ReactNode } from 'react';
import { formatDateTime } from '../../../lib/format';
import type { Task } from '../api/tasks-api';

export function dueLabel(dueAt: string | null): { text: string; color: string } | null {
  if (!dueAt) return null;
  const due = dayjs(dueAt);
  const now = dayjs();
  if (due.isBefore(now)) {
    return {
      text: due.isSame(now, 'day') ? `Overdue · ${due.format('HH:mm')}` : `Overdue · ${due.format('D MMM')}`,
      color: 'red',
    };
  }
  if (due.isSame(now, 'day')) return { text: `Today · ${due.format('HH:mm')}`, color: 'orange' };
  if (due.isSame(now.add(1, 'day'), 'day')) return { text: `Tomorrow · ${due.format('HH:mm')}`, color: 'blue' };
  return { text: due.format('D MMM, HH:mm'), color: 'gray' };
}

interface TaskLineProps {
  task: Task;
  canWrite: boolean;
  onToggle: (done: boolean) => void;
  onDelete?: () => void;
  /** Extra content under the title (e.g. a link to the lead). */
  meta?: ReactNode;
  testId: string;
}

/** One task: tick box, title, due badge, assignee. */
export function TaskLine({ task, canWrite, onToggle, onDelete, meta, testId }: TaskLineProps) {
  const done = Boolean(task.doneAt);
  const due = done ? null : dueLabel(task.dueAt);
  return (
    <Group
      gap="sm"
      wrap="nowrap"
      align="flex-start"
      py={8}
      data-testid={testId}
      data-task-id={task.id}
      data-done={done}
      style={{ borderBottom: '1px solid var(--mantine-color-gray-2)' }}
    >
      <Checkbox
        mt={2}
        radius="xl"
        color="teal"
        checked={done}
        disabled={!canWrite}
        onChange={(e) => onToggle(e.currentTarget.checked)}
        aria-label={done ? `Reopen ${task.title}` : `Complete ${task.title}`}
        data-testid="task-complete"
      />
      <Stack gap={4} style={{ flex: 1, minWidth: 0 }}>
        <Text
          size="sm"
          fw={500}
          td={done ? 'line-through' : undefined}
          c={done ? 'dimmed' : undefined}
          style={{ wordBreak: 'break-word' }}
        >
          {task.title}
        </Text>
        <Group gap={6}>
          {due && (
            <Tooltip label={formatDateTime(task.dueAt)}>
              <Badge size="sm" variant="light" color={due.color} leftSection={<IconCalendarDue size={11} />} tt="none">
                {due.text}
              </Badge>
            </Tooltip>
          )}
          {done && task.doneAt && (
            <Text size="xs" c="dimmed">
              Done {dayjs(task.doneAt).format('D MMM, HH:mm')}
            </Text>
          )}
          {task.assignee && (
            <Group gap={3} wrap="nowrap">
              <IconUser size={12} color="var(--mantine-color-gray-6)" />
              <Text size="xs" c="dimmed">
                {task.assignee.name}
              </Text>
            </Group>
          )}
          {meta}
        </Group>
      </Stack>
      {onDelete && canWrite && (
        <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`Delete ${task.title}`} onClick={onDelete}>
          <IconTrash size={14} />
        </ActionIcon>
      )}
    </Group>
  );
}
