import { Badge, Button, Card, Group, Select, SimpleGrid, Skeleton, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus } from '@tabler/icons-react';
import dayjs from 'dayjs';
import { useState } from 'react';
import { ErrorAlert, errorMessage } from '../../../components/error-alert';
import { QueryError } from '../../../components/query-state';
import { useSession } from '../../auth/hooks/use-session';
import { useMembers } from '../../members/hooks/use-members';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import { useCreateTask, useDeleteTask, useTasks, useUpdateTask } from '../hooks/use-tasks';
import { TaskLine } from './task-line';

/** Tomorrow 09:00 in the browser's timezone, as a datetime-local value. */
const defaultDue = () => dayjs().add(1, 'day').hour(9).minute(0).format('YYYY-MM-DDTHH:mm');

export function LeadTasksPanel({ leadId, contactId }: { leadId: string; contactId: string }) {
  const { workspace, can } = useCurrentWorkspace();
  const session = useSession();
  const members = useMembers(workspace.id);
  const tasks = useTasks(workspace.id, { leadId, status: 'all', assignee: 'any', due: 'any' });
  const create = useCreateTask(workspace.id);
  const update = useUpdateTask(workspace.id);
  const remove = useDeleteTask(workspace.id);
  const [title, setTitle] = useState('');
  const [due, setDue] = useState(defaultDue);
  const [assigneeId, setAssigneeId] = useState<string | null>(session.data?.user.id ?? null);
  const canWrite = can('leads.write');
  const items = [...(tasks.data?.items ?? [])].sort(
    (a, b) =>
      Number(Boolean(a.doneAt)) - Number(Boolean(b.doneAt)) || (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999'),
  );
  const open = items.filter((t) => !t.doneAt).length;

  const submit = () => {
    if (!title.trim()) return;
    create.mutate(
      {
        title: title.trim(),
        dueAt: due ? dayjs(due).toISOString() : null,
        assigneeId,
        leadId,
        contactId,
      },
      {
        onSuccess: () => {
          setTitle('');
          setDue(defaultDue());
        },
      },
    );
  };

  return (
    <Card withBorder radius="md" padding="lg">
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="md">
          Tasks
        </Title>
        {open > 0 && (
          <Badge variant="light" color="orange">
            {open} open
          </Badge>
        )}
      </Group>
      {canWrite && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <Stack gap="xs" mb="sm">
            {create.error && <ErrorAlert error={create.error} title="Task not added" />}
            <TextInput
              placeholder="Call back about the quotation…"
              aria-label="Task title"
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
              maxLength={300}
              data-testid="task-title"
            />
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
              <TextInput
                type="datetime-local"
                aria-label="Due"
                value={due}
                onChange={(e) => setDue(e.currentTarget.value)}
                data-testid="task-due"
              />
              <Select
                aria-label="Assignee"
                placeholder="Unassigned"
                data={(members.data?.items ?? []).map((m) => ({ value: m.userId, label: m.name }))}
                value={assigneeId}
                onChange={setAssigneeId}
                clearable
                searchable
                data-testid="task-assignee"
              />
            </SimpleGrid>
            <Group justify="flex-end">
              <Button
                type="submit"
                size="xs"
                leftSection={<IconPlus size={14} />}
                loading={create.isPending}
                disabled={!title.trim()}
                data-testid="task-add"
              >
                Add task
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {tasks.isPending && <Skeleton height={40} />}
      {tasks.isError && <QueryError error={tasks.error} title="Couldn't load tasks" />}
      {tasks.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          No tasks for this lead.
        </Text>
      )}
      <Stack gap={0}>
        {items.map((task) => (
          <TaskLine
            key={task.id}
            task={task}
            canWrite={canWrite}
            testId="task-item"
            onToggle={(done) =>
              update.mutate(
                { taskId: task.id, patch: { done } },
                {
                  onError: (error) =>
                    notifications.show({ color: 'red', title: 'Task not updated', message: errorMessage(error) }),
                },
              )
            }
            onDelete={() =>
              remove.mutate(task.id, {
                onError: (error) =>
                  notifications.show({ color: 'red', title: 'Task not deleted', message: errorMessage(error) }),
              })
            }
          />
        ))}
      </Stack>
    </Card>
  );
}
