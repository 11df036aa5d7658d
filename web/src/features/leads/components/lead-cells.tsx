import { ActionIcon, Badge, Box, ColorSwatch, Group, NumberInput, Select, Text, Tooltip } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useState } from 'react';
import { formatMoney } from '../../../lib/format-money';
import type { Member } from '../../members/api/members-api';
import { stageColor } from '../../pipelines/api/pipelines-api';
import type { PipelineLookup } from '../../pipelines/hooks/use-pipelines';
import type { Lead } from '../api/leads-api';

/** Stops clicks inside an editor (and its portalled dropdown) from opening the lead. */
export function StopClick({ children }: { children: React.ReactNode }) {
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: only swallows bubbling clicks; the inputs inside are focusable.
    // biome-ignore lint/a11y/useKeyWithClickEvents: keyboard events do not open rows.
    <div onClick={(event) => event.stopPropagation()}>{children}</div>
  );
}

export function StageBadge({ stageId, lookup }: { stageId: string; lookup: PipelineLookup }) {
  const stage = lookup.stage(stageId);
  return (
    <Badge
      variant="light"
      color="gray"
      tt="none"
      fw={600}
      leftSection={<ColorSwatch color={stageColor(stage)} size={8} withShadow={false} />}
    >
      {stage?.name ?? 'Unknown stage'}
    </Badge>
  );
}

export function StageSelect({
  lead,
  lookup,
  onChange,
  disabled,
  size = 'xs',
  testId,
  placeholder,
}: {
  lead: Pick<Lead, 'pipelineId' | 'stageId' | 'name'>;
  placeholder?: string;
  lookup: PipelineLookup;
  onChange: (stageId: string) => void;
  disabled?: boolean;
  size?: 'xs' | 'sm';
  testId?: string;
}) {
  const stages = lookup.pipeline(lead.pipelineId)?.stages ?? [];
  const current = lookup.stage(lead.stageId);
  return (
    <Select
      size={size}
      aria-label={`Stage of ${lead.name}`}
      data={stages.map((s) => ({ value: s.id, label: s.name }))}
      value={lead.stageId}
      placeholder={placeholder}
      onChange={(value) => value && value !== lead.stageId && onChange(value)}
      allowDeselect={false}
      disabled={disabled}
      leftSection={<ColorSwatch color={stageColor(current)} size={10} withShadow={false} />}
      renderOption={({ option }) => (
        <Group gap={8} wrap="nowrap">
          <ColorSwatch color={stageColor(lookup.stage(option.value))} size={10} withShadow={false} />
          <Text size="sm">{option.label}</Text>
        </Group>
      )}
      variant="filled"
      comboboxProps={{ withinPortal: true }}
      data-testid={testId}
    />
  );
}

export function OwnerSelect({
  ownerId,
  members,
  onChange,
  disabled,
  size = 'xs',
  label,
  testId,
}: {
  ownerId: string | null;
  members: Member[];
  onChange: (ownerId: string | null) => void;
  disabled?: boolean;
  size?: 'xs' | 'sm';
  label: string;
  testId?: string;
}) {
  const known = members.some((m) => m.userId === ownerId);
  return (
    <Select
      size={size}
      aria-label={label}
      placeholder="Unassigned"
      data={[
        ...members.map((m) => ({ value: m.userId, label: m.name })),
        ...(ownerId && !known ? [{ value: ownerId, label: 'Former member' }] : []),
      ]}
      value={ownerId}
      onChange={(value) => value !== ownerId && onChange(value)}
      clearable
      searchable
      disabled={disabled}
      variant="filled"
      nothingFoundMessage="No such member"
      comboboxProps={{ withinPortal: true }}
      data-testid={testId}
    />
  );
}

/** Click-to-edit deal value: Enter saves, Escape cancels. */
export function ValueCell({
  lead,
  onChange,
  editable,
}: {
  lead: Pick<Lead, 'value' | 'currency' | 'name'>;
  onChange: (value: number | null) => void;
  editable: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<number | string>('');

  if (!editing) {
    return (
      <Group gap={4} wrap="nowrap" className="lb-value-cell">
        <Text size="sm" fw={lead.value !== null ? 500 : undefined} c={lead.value === null ? 'dimmed' : undefined}>
          {formatMoney(lead.value, lead.currency)}
        </Text>
        {editable && (
          <Tooltip label="Edit value">
            <ActionIcon
              size="sm"
              variant="subtle"
              color="gray"
              aria-label={`Edit value of ${lead.name}`}
              onClick={() => {
                setDraft(lead.value ?? '');
                setEditing(true);
              }}
              data-testid="lead-value-edit"
            >
              <IconPencil size={14} />
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
    );
  }

  const save = () => {
    setEditing(false);
    const next = typeof draft === 'number' ? draft : draft === '' ? null : Number(draft);
    if (next !== lead.value && (next === null || Number.isFinite(next))) onChange(next);
  };

  return (
    <Box>
      <NumberInput
        size="xs"
        autoFocus
        aria-label={`Value of ${lead.name}`}
        value={draft}
        onChange={setDraft}
        onBlur={save}
        onKeyDown={(event) => {
          if (event.key === 'Enter') save();
          if (event.key === 'Escape') setEditing(false);
        }}
        thousandSeparator=","
        decimalScale={2}
        hideControls
        data-testid="lead-value-input"
      />
    </Box>
  );
}
