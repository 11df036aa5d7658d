import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Code,
  EmptyState,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArchive, IconForms, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { ConfirmModal } from '../../../components/confirm-modal';
import { ErrorAlert } from '../../../components/error-alert';
import { PageHeader } from '../../../components/page-header';
import { QueryError, TableSkeleton } from '../../../components/query-state';
import { useCurrentWorkspace } from '../../workspaces/hooks/use-current-workspace';
import {
  FIELD_TYPES,
  type FieldDefinition,
  type FieldEntity,
  type FieldOption,
  type FieldType,
  fieldTypeColor,
  fieldTypeLabel,
} from '../api/fields-api';
import { useArchiveField, useCreateField, useFields, useUpdateField } from '../hooks/use-fields';

const CURRENCIES = ['MYR', 'SGD', 'IDR', 'THB', 'PHP', 'VND', 'USD', 'EUR', 'GBP', 'AUD', 'HKD', 'INR', 'JPY', 'CNY'];
const OPTION_COLORS = ['gray', 'blue', 'teal', 'green', 'yellow', 'orange', 'red', 'grape', 'violet', 'indigo'];
const isSelect = (type: FieldType) => type === 'single_select' || type === 'multi_select';

export function FieldsPage() {
  const { workspace, can } = useCurrentWorkspace();
  const [entity, setEntity] = useState<FieldEntity>('lead');
  const [showArchived, setShowArchived] = useState(false);
  const fields = useFields(workspace.id, entity, { includeArchived: true });
  const archive = useArchiveField(workspace.id);
  const [editing, setEditing] = useState<FieldDefinition | 'new' | null>(null);
  const [toArchive, setToArchive] = useState<FieldDefinition | null>(null);
  const canManage = can('settings.manage');
  const items = (fields.data ?? []).filter((f) => showArchived || !f.archived);
  const archivedCount = (fields.data ?? []).filter((f) => f.archived).length;

  return (
    <>
      <PageHeader
        title="Fields"
        description="Custom fields hold what your business tracks beyond name, email and phone."
        actions={
          canManage && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="field-create">
              New field
            </Button>
          )
        }
      />
      <Card withBorder radius="md" padding={0}>
        <Group px="lg" py="md" justify="space-between">
          <SegmentedControl
            value={entity}
            onChange={(v) => setEntity(v as FieldEntity)}
            data={[
              { value: 'lead', label: 'Lead fields' },
              { value: 'contact', label: 'Contact fields' },
            ]}
            data-testid="field-entity"
          />
          {archivedCount > 0 && (
            <Switch
              size="sm"
              label={`Show archived (${archivedCount})`}
              checked={showArchived}
              onChange={(e) => setShowArchived(e.currentTarget.checked)}
            />
          )}
        </Group>
        {fields.isPending && (
          <Stack p="lg" pt={0}>
            <TableSkeleton />
          </Stack>
        )}
        {fields.isError && (
          <Stack p="lg" pt={0}>
            <QueryError error={fields.error} title="Couldn't load fields" />
          </Stack>
        )}
        {fields.isSuccess && items.length === 0 && (
          <EmptyState
            py={48}
            icon={<IconForms size={26} />}
            variant="light"
            title={`No custom ${entity} fields yet`}
            description="Add fields such as “Budget”, “Preferred branch” or “Car model” to capture and filter them."
          />
        )}
        {items.length > 0 && (
          <Table.ScrollContainer minWidth={680}>
            <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover data-testid="fields-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Label</Table.Th>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Required</Table.Th>
                  <Table.Th w={100} aria-label="Actions" />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((field) => (
                  <Table.Tr
                    key={field.id}
                    data-testid="field-row"
                    data-field-key={field.key}
                    style={{ opacity: field.archived ? 0.55 : 1 }}
                  >
                    <Table.Td>
                      <Group gap="xs">
                        <Text size="sm" fw={600}>
                          {field.label}
                        </Text>
                        {field.archived && (
                          <Badge size="xs" color="gray" variant="outline">
                            Archived
                          </Badge>
                        )}
                      </Group>
                      {isSelect(field.type) && field.options.length > 0 && (
                        <Text size="xs" c="dimmed" truncate="end" maw={320}>
                          {field.options.map((o) => o.label).join(', ')}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Code>{field.key}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Badge
                        variant="light"
                        color={fieldTypeColor(field.type)}
                        tt="none"
                        data-testid="field-type-badge"
                      >
                        {fieldTypeLabel(field.type)}
                        {field.type === 'currency' && field.currency ? ` · ${field.currency}` : ''}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c={field.required ? undefined : 'dimmed'}>
                        {field.required ? 'Required' : 'Optional'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {canManage && !field.archived && (
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <Tooltip label="Edit">
                            <ActionIcon
                              variant="subtle"
                              color="gray"
                              aria-label={`Edit ${field.label}`}
                              onClick={() => setEditing(field)}
                              data-testid="field-edit"
                            >
                              <IconPencil size={16} />
                            </ActionIcon>
                          </Tooltip>
                          <Tooltip label="Archive">
                            <ActionIcon
                              variant="subtle"
                              color="red"
                              aria-label={`Archive ${field.label}`}
                              onClick={() => setToArchive(field)}
                              data-testid="field-archive"
                            >
                              <IconArchive size={16} />
                            </ActionIcon>
                          </Tooltip>
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      {editing && (
        <FieldModal entity={entity} field={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
      <ConfirmModal
        opened={toArchive !== null}
        title="Archive field"
        message={
          toArchive
            ? `Archive “${toArchive.label}”? It disappears from forms, filters and imports. Stored values are kept.`
            : ''
        }
        confirmLabel="Archive field"
        loading={archive.isPending}
        error={archive.error}
        onClose={() => {
          setToArchive(null);
          archive.reset();
        }}
        onConfirm={() =>
          toArchive &&
          archive.mutate(toArchive.id, {
            onSuccess: () => {
              notifications.show({ color: 'teal', message: `“${toArchive.label}” archived.` });
              setToArchive(null);
            },
          })
        }
      />
    </>
  );
}

function FieldModal({
  entity,
  field,
  onClose,
}: {
  entity: FieldEntity;
  field: FieldDefinition | null;
  onClose: () => void;
}) {
  const { workspace } = useCurrentWorkspace();
  const create = useCreateField(workspace.id);
  const update = useUpdateField(workspace.id);
  const [label, setLabel] = useState(field?.label ?? '');
  const [type, setType] = useState<FieldType>(field?.type ?? 'text');
  const [required, setRequired] = useState(field?.required ?? false);
  const [currency, setCurrency] = useState<string | null>(field?.currency ?? 'MYR');
  const [options, setOptions] = useState<FieldOption[]>(field?.options ?? []);
  const [submitted, setSubmitted] = useState(false);
  const error = create.error ?? update.error;
  const labelError = submitted && !label.trim() ? 'Give the field a label' : undefined;
  const cleanOptions = options
    .map((o) => ({ ...o, label: o.label.trim(), value: o.value.trim() || o.label.trim() }))
    .filter((o) => o.label);
  const optionsError = submitted && isSelect(type) && cleanOptions.length === 0 ? 'Add at least one option' : undefined;

  const submit = () => {
    setSubmitted(true);
    if (!label.trim() || (isSelect(type) && cleanOptions.length === 0)) return;
    const done = () => {
      notifications.show({ color: 'teal', message: field ? `“${label.trim()}” saved.` : `“${label.trim()}” created.` });
      onClose();
    };
    if (field) {
      update.mutate(
        {
          fieldId: field.id,
          patch: { label: label.trim(), required, ...(isSelect(type) && { options: cleanOptions }) },
        },
        { onSuccess: done },
      );
    } else {
      create.mutate(
        {
          entity,
          label: label.trim(),
          type,
          required,
          ...(isSelect(type) && { options: cleanOptions }),
          ...(type === 'currency' && { currency }),
        },
        { onSuccess: done },
      );
    }
  };

  return (
    <Modal opened onClose={onClose} title={field ? 'Edit field' : `New ${entity} field`} centered size="lg">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Stack gap="md">
          {Boolean(error) && <ErrorAlert error={error} title="Could not save the field" />}
          <TextInput
            label="Label"
            placeholder="Budget"
            value={label}
            onChange={(e) => setLabel(e.currentTarget.value)}
            error={labelError}
            maxLength={100}
            data-autofocus
            data-testid="field-label"
          />
          <Select
            label="Type"
            description={field ? 'The type cannot change once values are stored.' : undefined}
            data={FIELD_TYPES.map((t) => ({ value: t.value, label: t.label }))}
            value={type}
            onChange={(v) => v && setType(v as FieldType)}
            disabled={Boolean(field)}
            allowDeselect={false}
            data-testid="field-type"
          />
          {type === 'currency' && (
            <Select
              label="Currency"
              data={CURRENCIES}
              value={currency}
              onChange={setCurrency}
              disabled={Boolean(field)}
              searchable
              data-testid="field-currency"
            />
          )}
          {isSelect(type) && (
            <Stack gap={6}>
              <Text size="sm" fw={500}>
                Options
              </Text>
              {options.map((option, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: options are edited in place; new ones have no value yet.
                <Group key={index} gap="xs" wrap="nowrap">
                  <Select
                    aria-label="Colour"
                    w={110}
                    data={OPTION_COLORS}
                    value={option.color ?? 'gray'}
                    onChange={(color) =>
                      setOptions(options.map((o, i) => (i === index ? { ...o, color: color ?? undefined } : o)))
                    }
                    allowDeselect={false}
                  />
                  <TextInput
                    aria-label="Option label"
                    placeholder="Option"
                    style={{ flex: 1 }}
                    value={option.label}
                    onChange={(e) => {
                      const value = e.currentTarget.value;
                      setOptions(options.map((o, i) => (i === index ? { ...o, label: value } : o)));
                    }}
                    data-testid="field-option"
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label="Remove option"
                    onClick={() => setOptions(options.filter((_, i) => i !== index))}
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
              ))}
              {optionsError && (
                <Text size="xs" c="red">
                  {optionsError}
                </Text>
              )}
              <div>
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<IconPlus size={14} />}
                  onClick={() => setOptions([...options, { value: '', label: '', color: 'gray' }])}
                  data-testid="field-option-add"
                >
                  Add option
                </Button>
              </div>
            </Stack>
          )}
          <Switch
            label="Required"
            description="Leads cannot be saved or imported without a value."
            checked={required}
            onChange={(e) => setRequired(e.currentTarget.checked)}
            data-testid="field-required"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending || update.isPending} data-testid="field-submit">
              {field ? 'Save field' : 'Create field'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
