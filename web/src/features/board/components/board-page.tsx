import {
  ActionIcon,
  Avatar,
  Badge,
  Box,
  Button,
  Card,
  ColorSwatch,
  Group,
  Menu,
  Paper,
  Select,
  Skeleton,
  Stack,
  Text,
  Tooltip,
} from '@mantine/core';
import { useLocalStorage } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconArrowsExchange, IconDotsVertical, IconGripVertical } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { useRef, useState } from 'react';
import { errorMessage } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { QueryError } from '../../../components/query-state';
import { formatRelative, initials } from '../../../lib/format';
import { formatCompactMoney, formatMoney, formatNumber } from '../../../lib/format-money';
import type { Lead } from '../../leads/api/leads-api';
import type { Member } from '../../members/api/members-api';
import { useMembers } from '../../members/hooks/use-members';
import { type Pipeline, type Stage, stageColor } from '../../pipelines/api/pipelines-api';
import { usePipelineLookup, usePipelineSummary } from '../../pipelines/hooks/use-pipelines';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import { useBoardColumn, useMoveLead } from '../hooks/use-board';

const DRAG_TYPE = 'application/x-leadsboost-lead';

export function BoardPage() {
  const { workspace } = useCurrentWorkspace();
  const lookup = usePipelineLookup(workspace.id);
  const [chosen, setChosen] = useLocalStorage<string | null>({
    key: `leadsboost.board-pipeline.${workspace.id}`,
    defaultValue: null,
  });
  const pipeline = lookup.pipeline(chosen) ?? lookup.defaultPipeline;

  return (
    <>
      <PageHeader
        title="Board"
        description="Drag leads between stages, or use a card's menu to move it."
        actions={
          lookup.pipelines.length > 1 && (
            <Select
              aria-label="Pipeline"
              data={lookup.pipelines.map((p) => ({ value: p.id, label: p.name }))}
              value={pipeline?.id ?? null}
              onChange={(v) => v && setChosen(v)}
              allowDeselect={false}
              w={220}
              data-testid="board-pipeline"
            />
          )
        }
      />
      {lookup.isPending && (
        <Group gap="md" wrap="nowrap" style={{ overflow: 'hidden' }}>
          {['a', 'b', 'c', 'd'].map((k) => (
            <Skeleton key={k} height={420} w={280} style={{ flexShrink: 0 }} />
          ))}
        </Group>
      )}
      {lookup.error ? <QueryError error={lookup.error} title="Couldn't load pipelines" /> : null}
      {pipeline && <Board key={pipeline.id} pipeline={pipeline} />}
    </>
  );
}

function Board({ pipeline }: { pipeline: Pipeline }) {
  const { workspace, can } = useCurrentWorkspace();
  const summary = usePipelineSummary(workspace.id, pipeline.id);
  const members = useMembers(workspace.id);
  const move = useMoveLead(workspace.id, pipeline.id);
  const dragged = useRef<Lead | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const canWrite = can('leads.write');

  const moveLead = (lead: Lead, toStageId: string) => {
    if (lead.stageId === toStageId) return;
    const to = pipeline.stages.find((s) => s.id === toStageId);
    move.mutate(
      { lead, toStageId },
      {
        onError: (error) =>
          notifications.show({
            color: 'red',
            title: `${lead.name || 'The lead'} was not moved`,
            message: errorMessage(error),
          }),
        onSuccess: () =>
          notifications.show({
            color: 'teal',
            message: `${lead.name || 'The lead'} moved to ${to?.name ?? 'the stage'}.`,
          }),
      },
    );
  };

  const stats = (stageId: string) => summary.data?.stages.find((s) => s.stageId === stageId);

  return (
    <Box
      data-testid="board"
      data-pipeline-id={pipeline.id}
      style={{
        display: 'flex',
        gap: 12,
        overflowX: 'auto',
        paddingBottom: 12,
        scrollSnapType: 'x proximity',
        alignItems: 'flex-start',
      }}
    >
      {summary.isError && <QueryError error={summary.error} title="Couldn't load the stage totals" />}
      {pipeline.stages.map((stage) => (
        <BoardColumn
          key={stage.id}
          stage={stage}
          stages={pipeline.stages}
          count={stats(stage.id)?.count}
          value={stats(stage.id)?.value ?? null}
          members={members.data?.items ?? []}
          canWrite={canWrite}
          draggingId={dragging}
          onDragStart={(lead) => {
            dragged.current = lead;
            setDragging(lead.id);
          }}
          onDragEnd={() => {
            dragged.current = null;
            setDragging(null);
          }}
          onDropLead={() => {
            const lead = dragged.current;
            dragged.current = null;
            setDragging(null);
            if (lead) moveLead(lead, stage.id);
          }}
          onMove={moveLead}
        />
      ))}
    </Box>
  );
}

interface BoardColumnProps {
  stage: Stage;
  stages: Stage[];
  count: number | undefined;
  value: number | null;
  members: Member[];
  canWrite: boolean;
  draggingId: string | null;
  onDragStart: (lead: Lead) => void;
  onDragEnd: () => void;
  onDropLead: () => void;
  onMove: (lead: Lead, toStageId: string) => void;
}

function BoardColumn(props: BoardColumnProps) {
  const { workspace } = useCurrentWorkspace();
  const { stage } = props;
  const column = useBoardColumn(workspace.id, stage.id);
  const [over, setOver] = useState(false);
  const leads = column.data?.pages.flatMap((p) => p.items) ?? [];
  const color = stageColor(stage);

  return (
    <Paper
      withBorder
      radius="md"
      data-testid="board-column"
      data-stage-id={stage.id}
      data-drop-target={over || undefined}
      onDragOver={(event) => {
        if (!props.canWrite || !event.dataTransfer.types.includes(DRAG_TYPE)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        if (!over) setOver(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        props.onDropLead();
      }}
      style={{
        flex: '0 0 clamp(260px, 80vw, 288px)',
        scrollSnapAlign: 'start',
        background: over ? 'var(--mantine-color-indigo-0)' : 'var(--mantine-color-gray-1)',
        borderColor: over ? 'var(--mantine-color-indigo-4)' : undefined,
        borderTop: `3px solid ${color}`,
        transition: 'background 120ms, border-color 120ms',
        display: 'flex',
        flexDirection: 'column',
        maxHeight: 'calc(100dvh - 200px)',
        minHeight: 240,
      }}
    >
      <Box px="sm" pt="sm" pb={8}>
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
            <ColorSwatch color={color} size={10} withShadow={false} />
            <Text fw={700} size="sm" truncate="end">
              {stage.name}
            </Text>
            <Badge size="sm" variant="white" color="gray" data-testid="board-column-count">
              {props.count === undefined ? '…' : formatNumber(props.count)}
            </Badge>
          </Group>
          {stage.kind !== 'open' && (
            <Badge size="xs" variant="light" color={stage.kind === 'won' ? 'teal' : 'red'}>
              {stage.kind === 'won' ? 'Won' : 'Lost'}
            </Badge>
          )}
        </Group>
        <Tooltip label={formatMoney(props.value)} disabled={!props.value}>
          <Text size="xs" c="dimmed" mt={2} data-testid="board-column-value">
            {props.value ? formatCompactMoney(props.value) : 'No value'}
          </Text>
        </Tooltip>
      </Box>
      <Stack gap={8} px={8} pb={8} style={{ overflowY: 'auto', flex: 1 }}>
        {column.isPending && ['a', 'b', 'c'].map((k) => <Skeleton key={k} height={76} radius="md" />)}
        {column.isError && <QueryError error={column.error} title="Couldn't load leads" />}
        {column.isSuccess && leads.length === 0 && (
          <Text
            size="xs"
            c="dimmed"
            ta="center"
            py="lg"
            style={{ border: '1px dashed var(--mantine-color-gray-4)', borderRadius: 'var(--mantine-radius-md)' }}
          >
            {props.canWrite ? 'Drop leads here' : 'No leads'}
          </Text>
        )}
        {leads.map((lead) => (
          <BoardCard
            key={lead.id}
            lead={lead}
            stages={props.stages}
            members={props.members}
            canWrite={props.canWrite}
            dragging={props.draggingId === lead.id}
            onDragStart={() => props.onDragStart(lead)}
            onDragEnd={props.onDragEnd}
            onMove={(toStageId) => props.onMove(lead, toStageId)}
          />
        ))}
        {column.hasNextPage && (
          <Button
            variant="subtle"
            size="xs"
            onClick={() => column.fetchNextPage()}
            loading={column.isFetchingNextPage}
            data-testid="board-load-more"
          >
            Load more
          </Button>
        )}
      </Stack>
    </Paper>
  );
}

function BoardCard({
  lead,
  stages,
  members,
  canWrite,
  dragging,
  onDragStart,
  onDragEnd,
  onMove,
}: {
  lead: Lead;
  stages: Stage[];
  members: Member[];
  canWrite: boolean;
  dragging: boolean;
  onDragStart: () => void;
  onDragEnd: () => void;
  onMove: (toStageId: string) => void;
}) {
  const { workspace } = useCurrentWorkspace();
  const navigate = useNavigate();
  const owner = members.find((m) => m.userId === lead.ownerId);
  const open = () =>
    navigate({ to: '/w/$workspaceId/leads/$leadId', params: { workspaceId: workspace.id, leadId: lead.id } });

  return (
    <Card
      withBorder
      radius="md"
      padding="sm"
      shadow={dragging ? 'md' : 'xs'}
      draggable={canWrite}
      onDragStart={(event) => {
        event.dataTransfer.setData(DRAG_TYPE, lead.id);
        event.dataTransfer.setData('text/plain', lead.name);
        event.dataTransfer.effectAllowed = 'move';
        onDragStart();
      }}
      onDragEnd={onDragEnd}
      data-testid="board-card"
      data-lead-id={lead.id}
      style={{ cursor: canWrite ? 'grab' : 'pointer', opacity: dragging ? 0.5 : 1, flexShrink: 0 }}
    >
      <Group justify="space-between" gap={4} wrap="nowrap" align="flex-start">
        <Group gap={4} wrap="nowrap" style={{ minWidth: 0, flex: 1 }}>
          {canWrite && <IconGripVertical size={14} color="var(--mantine-color-gray-4)" style={{ flexShrink: 0 }} />}
          <Text
            component="button"
            type="button"
            size="sm"
            fw={600}
            truncate="end"
            onClick={open}
            style={{ background: 'none', border: 0, padding: 0, cursor: 'pointer', textAlign: 'left', minWidth: 0 }}
            data-testid="board-card-open"
          >
            {lead.name || 'Unnamed lead'}
          </Text>
        </Group>
        {canWrite && (
          <Menu position="bottom-end" shadow="md" width={220}>
            <Menu.Target>
              <ActionIcon
                size="sm"
                variant="subtle"
                color="gray"
                aria-label={`Move ${lead.name} to another stage`}
                data-testid="card-move-menu"
              >
                <IconDotsVertical size={14} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>Move to…</Menu.Label>
              {stages
                .filter((s) => s.id !== lead.stageId)
                .map((s) => (
                  <Menu.Item
                    key={s.id}
                    leftSection={<ColorSwatch color={stageColor(s)} size={10} withShadow={false} />}
                    rightSection={<IconArrowsExchange size={12} color="var(--mantine-color-gray-5)" />}
                    onClick={() => onMove(s.id)}
                    data-testid="card-move-option"
                    data-stage-id={s.id}
                  >
                    {s.name}
                  </Menu.Item>
                ))}
            </Menu.Dropdown>
          </Menu>
        )}
      </Group>
      <Text size="xs" c="dimmed" truncate="end" mt={2}>
        {lead.email || lead.phone || '—'}
      </Text>
      <Group justify="space-between" mt={8} gap={4} wrap="nowrap">
        <Text size="xs" fw={600} c={lead.value === null ? 'dimmed' : undefined}>
          {lead.value === null ? formatRelative(lead.createdAt) : formatMoney(lead.value, lead.currency)}
        </Text>
        <Tooltip label={owner ? owner.name : 'Unassigned'}>
          <Avatar size={22} radius="xl" color={owner ? 'indigo' : 'gray'}>
            {owner ? initials(owner.name) : '?'}
          </Avatar>
        </Tooltip>
      </Group>
    </Card>
  );
}
