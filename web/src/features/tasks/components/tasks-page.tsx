import { Badge, Card, EmptyState, Stack, Tabs, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCalendarCheck, IconCircleCheck } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { QueryError, TableSkeleton } from '../../../components/query-state';
import { AnchorLink } from '../../../components/router-link';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import type { TaskFilters } from '../api/tasks-api';
import { useTasks, useUpdateTask } from '../hooks/use-tasks';
import { TaskLine } from './task-line';

type Tab = 'today' | 'overdue' | 'upcoming' | 'done';

const FILTERS: Record<Tab, TaskFilters> = {
  today: { assignee: 'me', status: 'open', due: 'today' },
  overdue: { assignee: 'me', status: 'open', due: 'overdue' },
  upcoming: { assignee: 'me', status: 'open', due: 'upcoming' },
  done: { assignee: 'me', status: 'done', due: 'any' },
};

const EMPTY: Record<Tab, { title: string; text: string }> = {
  today: { title: 'Nothing due today', text: 'Tasks you add on a lead with today’s date show up here.' },
  overdue: { title: 'Nothing overdue', text: 'You are on top of things.' },
  upcoming: { title: 'No upcoming tasks', text: 'Add a task from a lead to plan your follow-ups.' },
  done: { title: 'No completed tasks yet', text: 'Tick a task to complete it.' },
};

export function TasksPage() {
  const { workspace } = useCurrentWorkspace();
  const [tab, setTab] = useState<Tab>('today');
  const overdue = useTasks(workspace.id, FILTERS.overdue);
  const today = useTasks(workspace.id, FILTERS.today);

  const counter = (n: number | undefined, color: string) =>
    n ? (
      <Badge size="xs" variant="filled" color={color} circle={n < 10}>
        {n}
      </Badge>
    ) : null;

  return (
    <Stack gap={0} data-testid="tasks-page">
      <PageHeader title="My tasks" description="Follow-ups assigned to you, across every lead." />
      <Card withBorder radius="md" padding={0}>
        <Tabs value={tab} onChange={(v) => v && setTab(v as Tab)} keepMounted={false}>
          <Tabs.List px="md" pt="xs">
            <Tabs.Tab
              value="today"
              rightSection={counter(today.data?.items.length, 'orange')}
              data-testid="tasks-tab-today"
            >
              Today
            </Tabs.Tab>
            <Tabs.Tab
              value="overdue"
              rightSection={counter(overdue.data?.items.length, 'red')}
              data-testid="tasks-tab-overdue"
            >
              Overdue
            </Tabs.Tab>
            <Tabs.Tab value="upcoming" data-testid="tasks-tab-upcoming">
              Upcoming
            </Tabs.Tab>
            <Tabs.Tab value="done" data-testid="tasks-tab-done">
              Done
            </Tabs.Tab>
          </Tabs.List>
          {(Object.keys(FILTERS) as Tab[]).map((key) => (
            <Tabs.Panel key={key} value={key} px="md" pb="md">
              <TaskList tab={key} />
            </Tabs.Panel>
          ))}
        </Tabs>
      </Card>
    </Stack>
  );
}

function TaskList({ tab }: { tab: Tab }) {
  const { workspace, can } = useCurrentWorkspace();
  const tasks = useTasks(workspace.id, FILTERS[tab]);
  const update = useUpdateTask(workspace.id);
  const items = [...(tasks.data?.items ?? [])].sort((a, b) =>
    tab === 'done'
      ? (b.doneAt ?? '').localeCompare(a.doneAt ?? '')
      : (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999'),
  );

  if (tasks.isPending) return <TableSkeleton rows={4} />;
  if (tasks.isError) return <QueryError error={tasks.error} title="Couldn't load your tasks" />;
  if (items.length === 0) {
    return (
      <EmptyState
        py={48}
        icon={tab === 'done' ? <IconCircleCheck size={26} /> : <IconCalendarCheck size={26} />}
        variant="light"
        title={EMPTY[tab].title}
        description={EMPTY[tab].text}
        data-testid="tasks-empty"
      />
    );
  }
  return (
    <Stack gap={0} pt="xs">
      {items.map((task) => (
        <TaskLine
          key={task.id}
          task={task}
          canWrite={can('leads.write')}
          testId="task-row"
          onToggle={(done) =>
            update.mutate(
              { taskId: task.id, patch: { done } },
              {
                onSuccess: () =>
                  notifications.show({
                    color: 'teal',
                    message: done ? `“${task.title}” completed.` : `“${task.title}” reopened.`,
                  }),
                onError: (error) =>
                  notifications.show({ color: 'red', title: 'Task not updated', message: errorMessage(error) }),
              },
            )
          }
          meta={
            task.lead ? (
              <AnchorLink
                to="/w/$workspaceId/leads/$leadId"
                params={{ workspaceId: workspace.id, leadId: task.lead.id }}
                size="xs"
                data-testid="task-lead-link"
              >
                {task.lead.name || 'Open lead'}
              </AnchorLink>
            ) : (
              <Text size="xs" c="dimmed">
                No lead
              </Text>
            )
          }
        />
      ))}
    </Stack>
  );
}
