import {
  Button,
  Group,
  MultiSelect,
  NumberInput,
  Pill,
  Popover,
  SegmentedControl,
  Select,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { IconFilterPlus } from '@tabler/icons-react';
import dayjs from 'dayjs';
import { useState } from 'react';
import { endOfDayIso, formatDate, startOfDayIso } from '../../../lib/format';
import { formatNumber } from '../../../lib/format-money';
import { fieldValueText } from '../../fields/components/field-value';
import type { Member } from '../../members/api/members-api';
import type { PipelineLookup } from '../../pipelines/hooks/use-pipelines';
import type { FilterOp, LeadFilter } from '../api/leads-api';
import { type LeadFieldMeta, opLabel, opNeedsValue, opsFor } from './lead-fields';

interface FilterContext {
  fields: LeadFieldMeta[];
  lookup: PipelineLookup;
  members: Member[];
  tags: string[];
}

/** Stage choices grouped by pipeline (names repeat across pipelines). */
export function stageOptions(lookup: PipelineLookup) {
  return lookup.pipelines.map((p) => ({
    group: p.name,
    items: p.stages.map((s) => ({
      value: s.id,
      label: lookup.pipelines.length > 1 ? `${s.name} · ${p.name}` : s.name,
    })),
  }));
}

const memberOptions = (members: Member[]) => members.map((m) => ({ value: m.userId, label: m.name }));

const isCustomDate = (meta: LeadFieldMeta) => meta.custom?.type === 'date';

/** Date input value (YYYY-MM-DD) → the value the API compares with. */
function toDateValue(meta: LeadFieldMeta, day: string, edge: 'start' | 'end'): string | null {
  if (!day) return null;
  if (isCustomDate(meta)) return day;
  return edge === 'start' ? startOfDayIso(day) : endOfDayIso(day);
}

const fromDateValue = (value: unknown): string =>
  typeof value === 'string' && value ? dayjs(value).format('YYYY-MM-DD') : '';

function valueText(meta: LeadFieldMeta, filter: LeadFilter, context: FilterContext): string {
  const { value } = filter;
  const list = Array.isArray(value) ? value : [value];
  switch (meta.kind) {
    case 'stage':
      return list.map((id) => context.lookup.stage(String(id))?.name ?? 'Unknown stage').join(', ');
    case 'pipeline':
      return list.map((id) => context.lookup.pipeline(String(id))?.name ?? 'Unknown pipeline').join(', ');
    case 'owner':
      return list.map((id) => context.members.find((m) => m.userId === id)?.name ?? 'Former member').join(', ');
    case 'date':
      return filter.op === 'between'
        ? `${formatDate(list[0] as string | null)} – ${formatDate(list[1] as string | null)}`
        : formatDate(String(value));
    case 'number':
      return filter.op === 'between'
        ? list.map((v) => (v === null ? '…' : formatNumber(Number(v)))).join(' – ')
        : formatNumber(Number(value));
    case 'checkbox':
      return value ? 'Yes' : 'No';
    case 'select':
    case 'multi':
      return meta.custom ? fieldValueText(meta.custom, list) : list.join(', ');
    default:
      return list.join(', ');
  }
}

export function describeFilter(filter: LeadFilter, context: FilterContext): string {
  const meta = context.fields.find((f) => f.key === filter.field);
  if (!meta) return `${filter.field} ${filter.op}`;
  const op = opLabel(meta.kind, filter.op);
  return opNeedsValue(filter.op) ? `${meta.label} ${op} ${valueText(meta, filter, context)}` : `${meta.label} ${op}`;
}

function hasValue(op: FilterOp, value: unknown): boolean {
  if (!opNeedsValue(op)) return true;
  if (op === 'between') return Array.isArray(value) && value.some((v) => v !== null && v !== undefined && v !== '');
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && value !== undefined && value !== '';
}

function ValueInput({
  meta,
  op,
  value,
  onChange,
  context,
}: {
  meta: LeadFieldMeta;
  op: FilterOp;
  value: unknown;
  onChange: (value: unknown) => void;
  context: FilterContext;
}) {
  if (!opNeedsValue(op)) return null;
  const list = Array.isArray(value) ? value.map(String) : [];
  const pair = Array.isArray(value) ? value : [null, null];
  switch (meta.kind) {
    case 'stage':
      return (
        <MultiSelect
          label="Stages"
          data={stageOptions(context.lookup)}
          value={list}
          onChange={onChange}
          searchable
          comboboxProps={{ withinPortal: false, position: 'top' }}
          data-testid="filter-value"
        />
      );
    case 'pipeline':
      return (
        <MultiSelect
          label="Pipelines"
          data={context.lookup.pipelines.map((p) => ({ value: p.id, label: p.name }))}
          value={list}
          onChange={onChange}
          comboboxProps={{ withinPortal: false, position: 'top' }}
          data-testid="filter-value"
        />
      );
    case 'owner':
      return (
        <MultiSelect
          label="Owners"
          data={memberOptions(context.members)}
          value={list}
          onChange={onChange}
          searchable
          comboboxProps={{ withinPortal: false, position: 'top' }}
          data-testid="filter-value"
        />
      );
    case 'select':
    case 'multi':
      return (
        <MultiSelect
          label="Values"
          data={(meta.custom?.options ?? []).map((o) => ({ value: o.value, label: o.label }))}
          value={list}
          onChange={onChange}
          searchable
          comboboxProps={{ withinPortal: false, position: 'top' }}
          data-testid="filter-value"
        />
      );
    case 'tags':
      return (
        <TagsInput
          label="Tags"
          data={context.tags}
          value={list}
          onChange={onChange}
          comboboxProps={{ withinPortal: false, position: 'top' }}
          data-testid="filter-value"
        />
      );
    case 'checkbox':
      return (
        <SegmentedControl
          data={[
            { value: 'true', label: 'Yes' },
            { value: 'false', label: 'No' },
          ]}
          value={value === false ? 'false' : 'true'}
          onChange={(v) => onChange(v === 'true')}
          data-testid="filter-value"
        />
      );
    case 'number':
      if (op === 'between') {
        return (
          <Group grow gap="xs">
            <NumberInput
              label="From"
              value={typeof pair[0] === 'number' ? pair[0] : ''}
              onChange={(v) => onChange([typeof v === 'number' ? v : null, pair[1] ?? null])}
            />
            <NumberInput
              label="To"
              value={typeof pair[1] === 'number' ? pair[1] : ''}
              onChange={(v) => onChange([pair[0] ?? null, typeof v === 'number' ? v : null])}
            />
          </Group>
        );
      }
      return (
        <NumberInput
          label="Value"
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(typeof v === 'number' ? v : null)}
          data-testid="filter-value"
        />
      );
    case 'date':
      if (op === 'between') {
        return (
          <Group grow gap="xs">
            <TextInput
              type="date"
              label="From"
              value={fromDateValue(pair[0])}
              onChange={(e) => onChange([toDateValue(meta, e.currentTarget.value, 'start'), pair[1] ?? null])}
            />
            <TextInput
              type="date"
              label="To"
              value={fromDateValue(pair[1])}
              onChange={(e) => onChange([pair[0] ?? null, toDateValue(meta, e.currentTarget.value, 'end')])}
            />
          </Group>
        );
      }
      return (
        <TextInput
          type="date"
          label="Date"
          value={fromDateValue(value)}
          onChange={(e) => onChange(toDateValue(meta, e.currentTarget.value, op === 'gt' ? 'end' : 'start'))}
          data-testid="filter-value"
        />
      );
    default:
      return (
        <TextInput
          label="Value"
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
          data-autofocus
          data-testid="filter-value"
        />
      );
  }
}

/** "Add filter" popover: field → operator → value typed by the field. */
export function AddFilterButton({ onAdd, context }: { onAdd: (filter: LeadFilter) => void; context: FilterContext }) {
  const [opened, setOpened] = useState(false);
  const [field, setField] = useState<string | null>(null);
  const [op, setOp] = useState<FilterOp | null>(null);
  const [value, setValue] = useState<unknown>(null);
  const meta = context.fields.find((f) => f.key === field);

  const reset = () => {
    setField(null);
    setOp(null);
    setValue(null);
  };

  const chooseField = (key: string | null) => {
    setField(key);
    const next = context.fields.find((f) => f.key === key);
    setOp(next ? (opsFor(next.kind)[0] ?? null) : null);
    setValue(next?.kind === 'checkbox' ? true : null);
  };

  const apply = () => {
    if (!meta || !op || !hasValue(op, value)) return;
    const trimmed = typeof value === 'string' ? value.trim() : value;
    onAdd(opNeedsValue(op) ? { field: meta.key, op, value: trimmed } : { field: meta.key, op });
    setOpened(false);
    reset();
  };

  const builtIn = context.fields.filter((f) => !f.custom);
  const custom = context.fields.filter((f) => f.custom);

  return (
    <Popover
      opened={opened}
      onChange={(next) => {
        setOpened(next);
        if (!next) reset();
      }}
      width={320}
      position="bottom-start"
      shadow="md"
      trapFocus
    >
      <Popover.Target>
        <Button
          variant="default"
          leftSection={<IconFilterPlus size={16} />}
          onClick={() => setOpened((o) => !o)}
          data-testid="filter-add"
        >
          Filter
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            apply();
          }}
        >
          <Stack gap="sm">
            <Select
              label="Field"
              placeholder="Choose a field"
              data={[
                { group: 'Lead', items: builtIn.map((f) => ({ value: f.key, label: f.label })) },
                ...(custom.length
                  ? [{ group: 'Custom fields', items: custom.map((f) => ({ value: f.key, label: f.label })) }]
                  : []),
              ]}
              value={field}
              onChange={chooseField}
              searchable
              comboboxProps={{ withinPortal: false }}
              data-testid="filter-field"
            />
            {meta && (
              <Select
                label="Condition"
                data={opsFor(meta.kind).map((o) => ({ value: o, label: opLabel(meta.kind, o) }))}
                value={op}
                onChange={(next) => {
                  setOp(next as FilterOp | null);
                  if (next === 'between' || op === 'between') setValue(null);
                }}
                allowDeselect={false}
                comboboxProps={{ withinPortal: false }}
                data-testid="filter-op"
              />
            )}
            {meta && op && <ValueInput meta={meta} op={op} value={value} onChange={setValue} context={context} />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" size="xs" onClick={() => setOpened(false)}>
                Cancel
              </Button>
              <Button
                type="submit"
                size="xs"
                disabled={!meta || !op || !hasValue(op, value)}
                data-testid="filter-apply"
              >
                Add filter
              </Button>
            </Group>
          </Stack>
        </form>
      </Popover.Dropdown>
    </Popover>
  );
}

export function FilterChips({
  filters,
  onRemove,
  onClear,
  context,
}: {
  filters: LeadFilter[];
  onRemove: (index: number) => void;
  onClear: () => void;
  context: FilterContext;
}) {
  if (filters.length === 0) return null;
  return (
    <Group gap={6}>
      {filters.map((filter, index) => (
        <Pill
          // biome-ignore lint/suspicious/noArrayIndexKey: filters have no id; position and content identify them.
          key={`${index}-${filter.field}-${filter.op}`}
          size="md"
          withRemoveButton
          onRemove={() => onRemove(index)}
          removeButtonProps={{ 'aria-label': 'Remove filter' }}
          data-testid="filter-chip"
          styles={{ root: { background: 'var(--mantine-color-indigo-0)', color: 'var(--mantine-color-indigo-9)' } }}
        >
          {describeFilter(filter, context)}
        </Pill>
      ))}
      <Text
        component="button"
        type="button"
        size="xs"
        c="dimmed"
        onClick={onClear}
        style={{ background: 'none', border: 0, cursor: 'pointer', textDecoration: 'underline' }}
      >
        Clear filters
      </Text>
    </Group>
  );
}

export type { FilterContext };
