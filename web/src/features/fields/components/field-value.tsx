import {
  Anchor,
  Badge,
  Checkbox,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import dayjs from 'dayjs';
import { formatDate, formatDateTime } from '../../../lib/format';
import { formatMoney, formatNumber, safeHref } from '../../../lib/format-money';
import type { FieldDefinition } from '../api/fields-api';

const isEmpty = (value: unknown) =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);

const optionLabel = (field: FieldDefinition, value: unknown) =>
  field.options.find((o) => o.value === value)?.label ?? String(value);

/** Read-only display of a custom field value. Everything is rendered as text: stored HTML never runs. */
export function FieldValue({ field, value }: { field: FieldDefinition; value: unknown }) {
  if (isEmpty(value)) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  switch (field.type) {
    case 'checkbox':
      return <Text size="sm">{value ? 'Yes' : 'No'}</Text>;
    case 'number':
      return <Text size="sm">{formatNumber(Number(value))}</Text>;
    case 'currency':
      return <Text size="sm">{formatMoney(Number(value), field.currency)}</Text>;
    case 'date':
      return <Text size="sm">{formatDate(String(value))}</Text>;
    case 'datetime':
      return <Text size="sm">{formatDateTime(String(value))}</Text>;
    case 'single_select': {
      const option = field.options.find((o) => o.value === value);
      return (
        <Badge variant="light" color={option?.color ?? 'gray'} tt="none">
          {optionLabel(field, value)}
        </Badge>
      );
    }
    case 'multi_select':
      return (
        <Group gap={4}>
          {(Array.isArray(value) ? value : [value]).map((v) => (
            <Badge key={String(v)} variant="light" color="gray" tt="none">
              {optionLabel(field, v)}
            </Badge>
          ))}
        </Group>
      );
    case 'url': {
      const href = safeHref(value);
      return href ? (
        <Anchor href={href} target="_blank" rel="noopener noreferrer" size="sm" style={{ wordBreak: 'break-all' }}>
          {String(value)}
        </Anchor>
      ) : (
        <Text size="sm">{String(value)}</Text>
      );
    }
    default:
      return (
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          {String(value)}
        </Text>
      );
  }
}

/** Plain-text version of a value, for table cells and chips. */
export function fieldValueText(field: FieldDefinition, value: unknown): string {
  if (isEmpty(value)) return '';
  switch (field.type) {
    case 'checkbox':
      return value ? 'Yes' : 'No';
    case 'currency':
      return formatMoney(Number(value), field.currency);
    case 'number':
      return formatNumber(Number(value));
    case 'date':
      return formatDate(String(value));
    case 'datetime':
      return formatDateTime(String(value));
    case 'single_select':
      return optionLabel(field, value);
    case 'multi_select':
      return (Array.isArray(value) ? value : [value]).map((v) => optionLabel(field, v)).join(', ');
    default:
      return String(value);
  }
}

interface FieldInputProps {
  field: FieldDefinition;
  value: unknown;
  onChange: (value: unknown) => void;
  label?: string;
  size?: 'xs' | 'sm';
  autoFocus?: boolean;
  onKeyDown?: (event: React.KeyboardEvent) => void;
}

/** The input that fits a field's type; `null` means empty. */
export function FieldInput({ field, value, onChange, label, size = 'sm', autoFocus, onKeyDown }: FieldInputProps) {
  const common = { label, size, autoFocus, 'aria-label': label ?? field.label, onKeyDown };
  switch (field.type) {
    case 'long_text':
      return (
        <Textarea
          {...common}
          autosize
          minRows={2}
          maxRows={8}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value || null)}
        />
      );
    case 'number':
    case 'currency':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(typeof v === 'number' ? v : v === '' ? null : Number(v))}
          decimalScale={field.type === 'currency' ? 2 : undefined}
          thousandSeparator=","
          leftSection={
            field.type === 'currency' && field.currency ? (
              <Text size="xs" c="dimmed">
                {field.currency}
              </Text>
            ) : undefined
          }
        />
      );
    case 'date':
      return (
        <TextInput
          {...common}
          type="date"
          value={typeof value === 'string' ? value.slice(0, 10) : ''}
          onChange={(e) => onChange(e.currentTarget.value || null)}
        />
      );
    case 'datetime':
      return (
        <TextInput
          {...common}
          type="datetime-local"
          value={typeof value === 'string' && value ? dayjs(value).format('YYYY-MM-DDTHH:mm') : ''}
          onChange={(e) => onChange(e.currentTarget.value ? dayjs(e.currentTarget.value).toISOString() : null)}
        />
      );
    case 'checkbox':
      return (
        <Checkbox
          label={label ?? field.label}
          size={size}
          checked={Boolean(value)}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case 'single_select':
      return (
        <Select
          {...common}
          data={field.options.map((o) => ({ value: o.value, label: o.label }))}
          value={typeof value === 'string' ? value : null}
          onChange={(v) => onChange(v)}
          clearable
          searchable
          comboboxProps={{ withinPortal: true }}
        />
      );
    case 'multi_select':
      return (
        <MultiSelect
          {...common}
          data={field.options.map((o) => ({ value: o.value, label: o.label }))}
          value={Array.isArray(value) ? value.map(String) : []}
          onChange={(v) => onChange(v.length ? v : null)}
          clearable
          searchable
        />
      );
    default:
      return (
        <TextInput
          {...common}
          type={
            field.type === 'email' ? 'email' : field.type === 'url' ? 'url' : field.type === 'phone' ? 'tel' : 'text'
          }
          value={typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value)}
          onChange={(e) => onChange(e.currentTarget.value || null)}
        />
      );
  }
}
