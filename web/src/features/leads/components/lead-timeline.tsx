import { Box, Button, Card, Group, Skeleton, Stack, Text, ThemeIcon, Title, Tooltip } from '@mantine/core';
import {
  IconArrowBackUp,
  IconArrowRight,
  IconChecklist,
  IconCircleCheck,
  IconGitMerge,
  IconNote,
  IconPencil,
  IconPoint,
  IconSparkles,
  IconUserCheck,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { QueryError } from '../../../components/query-state';
import { formatDateTime, formatRelative } from '../../../lib/format';
import type { Activity } from '../api/leads-api';
import { useTimeline } from '../hooks/use-leads';
import { sourceLabel } from './lead-fields';

const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

const FIELD_LABELS: Record<string, string> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  value: 'value',
  currency: 'currency',
  tags: 'tags',
  ownerId: 'owner',
  stageId: 'stage',
  city: 'city',
  country: 'country',
};

function fieldList(changes: unknown): string {
  if (!changes || typeof changes !== 'object') return '';
  const names = Object.keys(changes as Record<string, unknown>).map((k) =>
    k.startsWith('custom.') ? k.slice(7) : (FIELD_LABELS[k] ?? k),
  );
  return names.join(', ');
}

/** Icon, colour and a plain sentence per activity type. Data values are shown as text only. */
function describe(activity: Activity): { icon: ReactNode; color: string; text: ReactNode } {
  const data = activity.data ?? {};
  switch (activity.type) {
    case 'lead.created':
      return {
        icon: <IconSparkles size={14} />,
        color: 'indigo',
        text: str(data.source) ? `created the lead (source: ${sourceLabel(str(data.source))})` : 'created the lead',
      };
    case 'lead.updated': {
      const fields = fieldList(data.changes);
      return { icon: <IconPencil size={14} />, color: 'gray', text: fields ? `updated ${fields}` : 'updated the lead' };
    }
    case 'lead.stage_changed': {
      const from = str(data.fromName) ?? str(data.fromStageName) ?? str((data.from as { name?: string })?.name);
      const to = str(data.toName) ?? str(data.toStageName) ?? str((data.to as { name?: string })?.name);
      return {
        icon: <IconArrowRight size={14} />,
        color: 'blue',
        text: (
          <>
            moved the lead{from ? ' from ' : ''}
            {from && <b>{from}</b>}
            {to ? ' to ' : ''}
            {to && <b>{to}</b>}
          </>
        ),
      };
    }
    case 'lead.assigned': {
      const to = str(data.toName) ?? str(data.ownerName) ?? str((data.to as { name?: string })?.name);
      return {
        icon: <IconUserCheck size={14} />,
        color: 'teal',
        text: to ? (
          <>
            assigned the lead to <b>{to}</b>
          </>
        ) : data.to === null || data.ownerId === null ? (
          'unassigned the lead'
        ) : (
          'reassigned the lead'
        ),
      };
    }
    case 'note.added':
      return { icon: <IconNote size={14} />, color: 'yellow', text: 'added a note' };
    case 'task.created':
      return {
        icon: <IconChecklist size={14} />,
        color: 'violet',
        text: str(data.title) ? (
          <>
            added the task <b>{str(data.title)}</b>
          </>
        ) : (
          'added a task'
        ),
      };
    case 'task.completed':
      return {
        icon: <IconCircleCheck size={14} />,
        color: 'teal',
        text: str(data.title) ? (
          <>
            completed <b>{str(data.title)}</b>
          </>
        ) : (
          'completed a task'
        ),
      };
    case 'contact.merged':
      return { icon: <IconGitMerge size={14} />, color: 'grape', text: 'merged a duplicate contact into this one' };
    case 'contact.merge_undone':
      return { icon: <IconArrowBackUp size={14} />, color: 'orange', text: 'undid a contact merge' };
    default:
      return { icon: <IconPoint size={14} />, color: 'gray', text: activity.type.replace(/[._]/g, ' ') };
  }
}

function actorName(activity: Activity): string {
  if (activity.actor?.name) return activity.actor.name;
  if (activity.actor?.type === 'api_key') return 'An API key';
  return 'LeadsBoost';
}

export function LeadTimeline({ workspaceId, leadId }: { workspaceId: string; leadId: string }) {
  const timeline = useTimeline(workspaceId, leadId);
  const items = timeline.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card withBorder radius="md" padding="lg">
      <Title order={2} fz="md" mb="md">
        Timeline
      </Title>
      {timeline.isPending && (
        <Stack gap="sm">
          {['a', 'b', 'c'].map((k) => (
            <Group key={k} gap="sm" wrap="nowrap">
              <Skeleton circle height={26} />
              <Skeleton height={14} width="70%" />
            </Group>
          ))}
        </Stack>
      )}
      {timeline.isError && <QueryError error={timeline.error} title="Couldn't load the timeline" />}
      {timeline.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          Nothing has happened yet.
        </Text>
      )}
      {items.length > 0 && (
        <Stack gap={0} data-testid="timeline">
          {items.map((activity, index) => {
            const { icon, color, text } = describe(activity);
            const last = index === items.length - 1;
            return (
              <Group
                key={activity.id}
                gap="sm"
                align="flex-start"
                wrap="nowrap"
                data-testid="timeline-item"
                data-type={activity.type}
              >
                <Stack gap={0} align="center" style={{ alignSelf: 'stretch' }}>
                  <ThemeIcon size={26} radius="xl" variant="light" color={color}>
                    {icon}
                  </ThemeIcon>
                  {!last && (
                    <Box style={{ flex: 1, width: 2, background: 'var(--mantine-color-gray-2)', minHeight: 12 }} />
                  )}
                </Stack>
                <Box pb={last ? 0 : 'md'} pt={3} style={{ minWidth: 0 }}>
                  <Text size="sm" style={{ wordBreak: 'break-word' }}>
                    <b>{actorName(activity)}</b> {text}
                  </Text>
                  <Tooltip label={formatDateTime(activity.createdAt)} openDelay={300}>
                    <Text size="xs" c="dimmed" span>
                      {formatRelative(activity.createdAt)}
                    </Text>
                  </Tooltip>
                </Box>
              </Group>
            );
          })}
        </Stack>
      )}
      {timeline.hasNextPage && (
        <Button
          variant="subtle"
          size="xs"
          mt="sm"
          onClick={() => timeline.fetchNextPage()}
          loading={timeline.isFetchingNextPage}
          data-testid="timeline-load-more"
        >
          Show older activity
        </Button>
      )}
    </Card>
  );
}
