import {
  Avatar,
  Badge,
  Box,
  Center,
  Checkbox,
  Group,
  Loader,
  Table,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconSelector } from '@tabler/icons-react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { formatDate, formatDateTime, formatRelative, initials } from '../../../lib/format';
import { formatMoney } from '../../../lib/format-money';
import { fieldValueText } from '../../fields/components/field-value';
import type { Member } from '../../members/api/members-api';
import type { PipelineLookup } from '../../pipelines/hooks/use-pipelines';
import type { Lead, LeadPatch, LeadSort } from '../api/leads-api';
import { OwnerSelect, StageBadge, StageSelect, StopClick, ValueCell } from './lead-cells';
import { isOrganicMetaLead, type LeadFieldMeta, leadFieldValue, platformLabel, sourceLabel } from './lead-fields';

const ROW_HEIGHT = 53;
const CHECKBOX_WIDTH = 44;

interface LeadsTableProps {
  rows: Lead[];
  columns: LeadFieldMeta[];
  sort: LeadSort;
  onSort: (field: string) => void;
  selected: Set<string>;
  allMatching: boolean;
  onToggle: (leadId: string) => void;
  onToggleAll: () => void;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  lookup: PipelineLookup;
  members: Member[];
  canWrite: boolean;
  onOpen: (leadId: string) => void;
  onUpdate: (lead: Lead, patch: LeadPatch) => void;
}

/**
 * The leads grid: a windowed table (only the rows on screen are in the DOM, via @tanstack/react-virtual) with a
 * sticky header; scrolling near the end loads the next keyset page.
 */
export function LeadsTable(props: LeadsTableProps) {
  const { rows, columns, hasNextPage, isFetchingNextPage, fetchNextPage } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (lastIndex >= rows.length - 20 && hasNextPage && !isFetchingNextPage) fetchNextPage();
  }, [lastIndex, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  const width = CHECKBOX_WIDTH + columns.reduce((sum, c) => sum + c.width, 0);
  const loadedAllSelected = rows.length > 0 && (props.allMatching || rows.every((r) => props.selected.has(r.id)));
  const someSelected = props.allMatching || props.selected.size > 0;

  return (
    <Box
      ref={scrollRef}
      style={{ height: 'max(420px, calc(100dvh - 330px))', overflow: 'auto', overscrollBehavior: 'contain' }}
      data-testid="leads-scroll"
    >
      <Table
        stickyHeader
        highlightOnHover
        verticalSpacing={0}
        horizontalSpacing="sm"
        style={{ tableLayout: 'fixed', width, minWidth: '100%' }}
        data-testid="leads-table"
        aria-rowcount={rows.length}
      >
        <Table.Thead style={{ zIndex: 3, boxShadow: '0 1px 0 var(--mantine-color-gray-3)' }}>
          <Table.Tr>
            <Table.Th w={CHECKBOX_WIDTH}>
              <Checkbox
                size="xs"
                aria-label="Select all loaded leads"
                checked={loadedAllSelected}
                indeterminate={someSelected && !loadedAllSelected}
                onChange={props.onToggleAll}
                data-testid="select-all"
              />
            </Table.Th>
            {columns.map((column) => (
              <Table.Th key={column.key} w={column.width} style={{ whiteSpace: 'nowrap' }}>
                {column.sortable ? (
                  <SortHeader column={column} sort={props.sort} onSort={props.onSort} />
                ) : (
                  column.label
                )}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {paddingTop > 0 && (
            <tr aria-hidden>
              <td colSpan={columns.length + 1} style={{ height: paddingTop, padding: 0, border: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const lead = rows[item.index]!;
            return <LeadRow key={lead.id} lead={lead} index={item.index} {...props} />;
          })}
          {paddingBottom > 0 && (
            <tr aria-hidden>
              <td colSpan={columns.length + 1} style={{ height: paddingBottom, padding: 0, border: 0 }} />
            </tr>
          )}
        </Table.Tbody>
      </Table>
      {isFetchingNextPage && (
        <Center py="sm" data-testid="leads-loading-more">
          <Group gap="xs">
            <Loader size="xs" />
            <Text size="xs" c="dimmed">
              Loading more leads…
            </Text>
          </Group>
        </Center>
      )}
    </Box>
  );
}

function SortHeader({ column, sort, onSort }: { column: LeadFieldMeta; sort: LeadSort; onSort: (f: string) => void }) {
  const active = sort.field === column.key;
  const Icon = !active ? IconSelector : sort.direction === 'asc' ? IconArrowUp : IconArrowDown;
  return (
    <UnstyledButton
      onClick={() => onSort(column.key)}
      aria-label={`Sort by ${column.label}`}
      data-testid={`sort-${column.key}`}
      data-sort={active ? sort.direction : undefined}
      style={{ display: 'inline-flex', alignItems: 'center', gap: 4, fontWeight: 600, fontSize: 'inherit' }}
    >
      <span>{column.label}</span>
      <Icon size={14} color={active ? 'var(--mantine-color-indigo-6)' : 'var(--mantine-color-gray-5)'} />
    </UnstyledButton>
  );
}

function LeadRow({ lead, index, ...props }: LeadsTableProps & { lead: Lead; index: number }) {
  const checked = props.allMatching || props.selected.has(lead.id);
  return (
    <Table.Tr
      data-testid="lead-row"
      data-lead-id={lead.id}
      data-index={index}
      aria-selected={checked}
      bg={checked ? 'var(--mantine-color-indigo-0)' : undefined}
      style={{ height: ROW_HEIGHT, cursor: 'pointer' }}
      onClick={() => props.onOpen(lead.id)}
    >
      <Table.Td>
        <StopClick>
          <Checkbox
            size="xs"
            aria-label={`Select ${lead.name}`}
            checked={checked}
            disabled={props.allMatching}
            onChange={() => props.onToggle(lead.id)}
            data-testid="lead-select"
          />
        </StopClick>
      </Table.Td>
      {props.columns.map((column) => (
        <Table.Td key={column.key} style={{ overflow: 'hidden' }}>
          <Cell column={column} lead={lead} {...props} />
        </Table.Td>
      ))}
    </Table.Tr>
  );
}

function Cell({
  column,
  lead,
  lookup,
  members,
  canWrite,
  onUpdate,
}: LeadsTableProps & { column: LeadFieldMeta; lead: Lead }) {
  switch (column.key) {
    case 'name':
      return (
        <Group gap="sm" wrap="nowrap" data-testid="lead-name-cell">
          <Avatar size={28} radius="xl" color="indigo" variant="light">
            {initials(lead.name || '?')}
          </Avatar>
          <Text size="sm" fw={600} truncate="end">
            {lead.name || 'Unnamed lead'}
          </Text>
        </Group>
      );
    case 'stage_id':
      return canWrite ? (
        <StopClick>
          <StageSelect
            lead={lead}
            lookup={lookup}
            onChange={(stageId) => onUpdate(lead, { stageId })}
            testId="lead-stage-select"
          />
        </StopClick>
      ) : (
        <StageBadge stageId={lead.stageId} lookup={lookup} />
      );
    case 'owner_id':
      return canWrite ? (
        <StopClick>
          <OwnerSelect
            ownerId={lead.ownerId}
            members={members}
            label={`Owner of ${lead.name}`}
            onChange={(ownerId) => onUpdate(lead, { ownerId })}
            testId="lead-owner-select"
          />
        </StopClick>
      ) : (
        <Text size="sm" truncate="end" c={lead.ownerId ? undefined : 'dimmed'}>
          {lead.ownerId ? (members.find((m) => m.userId === lead.ownerId)?.name ?? 'Former member') : 'Unassigned'}
        </Text>
      );
    case 'value':
      return (
        <StopClick>
          <ValueCell lead={lead} editable={canWrite} onChange={(value) => onUpdate(lead, { value })} />
        </StopClick>
      );
    case 'source':
      return (
        <Text size="sm" truncate="end">
          {sourceLabel(lead.source)}
        </Text>
      );
    case 'platform': {
      const text = platformLabel(lead.platform);
      return (
        <Text size="sm" truncate="end" c={text ? undefined : 'dimmed'}>
          {text ?? '—'}
        </Text>
      );
    }
    case 'campaign_name':
    case 'adset_name':
    case 'ad_name': {
      const value = leadFieldValue(lead, column.key) as string | null;
      if (!value && isOrganicMetaLead(lead)) {
        return (
          <Text size="sm" c="dimmed" fs="italic">
            Organic
          </Text>
        );
      }
      return (
        <Text size="sm" truncate="end" c={value ? undefined : 'dimmed'} title={value || undefined}>
          {value || '—'}
        </Text>
      );
    }
    case 'pipeline_id':
      return (
        <Text size="sm" truncate="end">
          {lookup.pipeline(lead.pipelineId)?.name ?? '—'}
        </Text>
      );
    case 'tags':
      return (
        <Group gap={4} wrap="nowrap" style={{ overflow: 'hidden' }}>
          {lead.tags.slice(0, 3).map((tag) => (
            <Badge key={tag} size="sm" variant="light" color="gray" tt="none" style={{ flexShrink: 0 }}>
              {tag}
            </Badge>
          ))}
          {lead.tags.length > 3 && (
            <Text size="xs" c="dimmed">
              +{lead.tags.length - 3}
            </Text>
          )}
        </Group>
      );
    case 'created_at':
    case 'updated_at':
    case 'stage_changed_at': {
      const value = leadFieldValue(lead, column.key) as string;
      return (
        <Tooltip label={formatDateTime(value)} openDelay={400}>
          <Text size="sm" c="dimmed" truncate="end">
            {formatRelative(value)}
          </Text>
        </Tooltip>
      );
    }
    default: {
      const value = leadFieldValue(lead, column.key);
      const text = column.custom
        ? fieldValueText(column.custom, value)
        : column.kind === 'date'
          ? formatDate(value as string)
          : column.kind === 'number'
            ? formatMoney(value as number)
            : value === null || value === undefined
              ? ''
              : String(value);
      return (
        <Text size="sm" truncate="end" c={text ? undefined : 'dimmed'} title={text || undefined}>
          {text || '—'}
        </Text>
      );
    }
  }
}
